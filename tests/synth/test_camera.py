"""Webcams: what a camera in front of or beside a person sees of their 3D landmarks."""

import numpy as np
import pytest

from tfjs_kombat.synth import camera
from tfjs_kombat.synth.camera import FRAMINGS, Shot, aim, mirrored, project, random_shots
from tfjs_kombat.synth.person import random_person
from tfjs_kombat.synth.pose import random_angles, relaxed_stance
from tfjs_kombat.synth.skeleton3d import LANDMARK, skeleton3d


def shots(yaw, bottom=-0.05, top=0.1, size=(640, 480), fov=70.0):
    return Shot(
        *(np.array([v], dtype=float) for v in (yaw, 0.7, bottom, top, 0.5, 0, 0, fov, size[0] / size[1]))
    )


def keypoints(person, angles, shot):
    return project(skeleton3d(person, angles)[None], aim(shot, [person.height]))[0]


def arm(points, side="left"):
    """(shoulder to wrist in the frame, in torso lengths; wrist z - shoulder z, in frame widths)."""
    shoulder, wrist = points[LANDMARK[f"{side}_shoulder"]], points[LANDMARK[f"{side}_wrist"]]
    hips = (points[LANDMARK["left_hip"], :2] + points[LANDMARK["right_hip"], :2]) / 2
    torso = np.linalg.norm(
        (points[LANDMARK["left_shoulder"], :2] + points[LANDMARK["right_shoulder"], :2]) / 2 - hips
    )
    return np.linalg.norm(wrist[:2] - shoulder[:2]) / torso, wrist[2] - shoulder[2]


def test_a_punch_seen_from_the_front_comes_toward_the_camera():
    """From in front the punching arm is short in x, y (as short as a third of its side-on length,
    typically; longer when the punch aims up, down or across) and its wrist far nearer than its
    shoulder; from the side it is long and near the shoulder's depth (it aims a little inward)."""
    shortened = []
    for seed in range(30):
        rng = np.random.default_rng([41, seed])
        person, angles = random_person(rng), random_angles("punch", rng)
        front_length, front_depth = arm(keypoints(person, angles, shots(0)))
        side_length, side_depth = arm(keypoints(person, angles, shots(-90)))
        assert front_depth < -0.1 and abs(side_depth) < 0.06, (front_depth, side_depth)
        assert side_length > 0.7
        shortened.append(front_length / side_length)
    assert np.median(shortened) < 0.45 and max(shortened) < 0.85


def test_keypoints_are_in_the_frame_with_the_hips_at_depth_zero():
    rng = np.random.default_rng(42)
    person = random_person(rng)
    for yaw in (0, 30, -60, 90):
        points = keypoints(person, relaxed_stance(rng), shots(yaw, bottom=-0.15))
        assert points.shape == (33, 4) and (points[:, 3] == 1).all()
        assert (points[:, :2] > 0).all() and (points[:, :2] < 1).all()
        assert abs(points[[LANDMARK["left_hip"], LANDMARK["right_hip"]], 2].mean()) < 1e-9
        assert (
            points[LANDMARK["nose"], 1] < points[LANDMARK["left_hip"], 1] < points[LANDMARK["left_ankle"], 1]
        )
    front = keypoints(person, relaxed_stance(rng), shots(0))
    assert (
        front[LANDMARK["left_shoulder"], 0] > front[LANDMARK["right_shoulder"], 0]
    )  # their left on our right
    assert front[LANDMARK["nose"], 2] < 0  # the face nearer than the hips


def test_the_upper_body_framing_leaves_the_hips_and_legs_out():
    rng = np.random.default_rng(43)
    for size in ((640, 480), (640, 360)):
        person = random_person(rng)
        points = keypoints(person, relaxed_stance(rng), shots(10, bottom=0.6, top=0.05, size=size))
        legs = [
            LANDMARK[f"{side}_{j}"]
            for side in ("left", "right")
            for j in ("knee", "ankle", "heel", "foot_index")
        ]
        assert (points[legs, 3] == 0).all() and (points[legs, 1] > 1).all() and (points[legs, 1] < 10).all()
        assert (points[:13, 3] == 1).all()  # the face and the shoulders in
        feet_cut = keypoints(person, relaxed_stance(rng), shots(10, bottom=0.2, top=0.05, size=size))
        assert (feet_cut[LANDMARK["left_ankle"], 3] == 0) and (feet_cut[LANDMARK["left_knee"], 3] == 1)


def test_a_phone_held_upright_stands_back_to_fit_the_person_in():
    """A portrait frame framing the upper body would be narrower than a person: it is taken
    from further away, MIN_WIDTH of their height wide where they stand."""
    widths = {}
    for size in ((640, 480), (360, 640)):
        for bottom in (-0.1, 0.6):
            view = aim(shots(0, bottom=bottom, top=0.05, size=size), [1.1])
            widths[size, bottom] = np.linalg.norm(view.position[0, :2]) / view.focal[0]  # at the person
    assert min(widths.values()) >= camera.MIN_WIDTH * 1.1 - 1e-9
    assert widths[(360, 640), 0.6] == pytest.approx(camera.MIN_WIDTH * 1.1)
    assert widths[(640, 480), -0.1] == pytest.approx(1.15 * 1.1 * 640 / 480)  # whole body: as framed


def test_random_shots_are_mostly_from_in_front_in_every_framing():
    shot = random_shots(np.random.default_rng(44), 4000)
    assert np.mean(np.abs(shot.yaw) < 45) > 0.65 and np.abs(shot.yaw).max() <= 90
    assert np.mean(np.abs(shot.yaw) > 60) > 0.1  # side on too
    assert np.mean(shot.yaw > 0) == pytest.approx(0.5, abs=0.03)
    for framing in FRAMINGS:
        share = np.mean((shot.bottom >= framing.bottom[0]) & (shot.bottom <= framing.bottom[1]))
        assert share == pytest.approx(framing.share, abs=0.03)
    assert set(np.round(shot.aspect, 3)) == {round(w / h, 3) for w, h in camera.FRAME_SIZES}
    upper = random_shots(np.random.default_rng(45), 10, framing="upper_body")
    assert (upper.bottom >= 0.4).all()
    with pytest.raises(ValueError):
        random_shots(np.random.default_rng(46), 1, framing="knees")


def test_a_mirrored_frame_swaps_sides():
    rng = np.random.default_rng(47)
    person, angles = random_person(rng), random_angles("punch", rng)
    left_lead = keypoints(person, angles, shots(20))
    flipped = mirrored(left_lead)
    assert np.allclose(
        flipped[LANDMARK["right_wrist"]], left_lead[LANDMARK["left_wrist"]] * [-1, 1, 1, 1] + [1, 0, 0, 0]
    )
    assert np.allclose(mirrored(flipped), left_lead)
    right_lead = keypoints(person, angles, shots(-20))  # the mirror image of the body and camera both
    assert np.allclose(
        project(skeleton3d(person, angles, lead="right")[None], aim(shots(-20), [person.height]))[0],
        mirrored(left_lead),
    )
    assert not np.allclose(right_lead, left_lead)
