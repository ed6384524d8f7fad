"""3D skeletons: pose.py's angles keep their meaning in depth, bones keep their length."""

import numpy as np
import pytest

from tfjs_kombat import config
from tfjs_kombat.synth import figure, motion
from tfjs_kombat.synth.person import random_person, random_proportions
from tfjs_kombat.synth.pose import POSES, random_angles
from tfjs_kombat.synth.pose3d import (
    POSE_VALUES,
    PROFILE_VALUES,
    in_3d,
    pose_dict,
    pose_vector,
    profile_vectors,
    random_habits,
    with_depth,
)
from tfjs_kombat.synth.skeleton3d import LANDMARK, landmarks, mirrored, skeleton3d

BONES = [
    (f"{side}_{a}", f"{side}_{b}")
    for side in ("left", "right")
    for a, b in (("shoulder", "elbow"), ("elbow", "wrist"), ("hip", "knee"), ("knee", "ankle"))
] + [("left_shoulder", "right_shoulder"), ("left_ear", "right_ear"), ("left_wrist", "left_index")]


def lengths(points):
    return np.array(
        [np.linalg.norm(points[..., LANDMARK[a], :] - points[..., LANDMARK[b], :], axis=-1) for a, b in BONES]
    )


@pytest.mark.parametrize("name", config.CLIP_CLASS_NAMES)
def test_bones_keep_their_length_through_a_move(name):
    rng = np.random.default_rng([31, len(name)])
    body = random_proportions(rng, 1)
    poses = with_depth(profile_vectors(motion.clip_angles(name, rng)), random_habits(rng))
    points = landmarks(body, poses)
    assert points.shape == (config.SEQUENCE_LENGTH, len(config.BODY_LANDMARKS), 3)
    bones = lengths(points)
    assert np.allclose(bones, bones[:, :1], atol=1e-9)
    assert np.allclose(points[..., 2].min(axis=-1), 0)  # the lowest landmark on the floor
    if name != "other":
        assert np.ptp(points, axis=0).max() > 0.2  # and yet they move


def test_a_punch_reaches_where_the_fighter_faces_and_a_kick_lifts_the_foot_there():
    for seed in range(50):
        rng = np.random.default_rng([32, seed])
        person = random_person(rng)
        punch, kick = (
            skeleton3d(person, random_angles("punch", rng)),
            skeleton3d(person, random_angles("kick", rng)),
        )
        wrist, shoulder = punch[LANDMARK["left_wrist"]], punch[LANDMARK["left_shoulder"]]
        assert wrist[0] - shoulder[0] > 0.2 * person.height  # forward (+x), the arm out
        assert abs(wrist[2] - shoulder[2]) < 0.12 * person.height  # at shoulder height
        arm = (person.upper_arm + person.forearm) * person.height
        assert np.linalg.norm(wrist - shoulder) > 0.95 * arm  # straight
        foot = max(kick[LANDMARK[f"{side}_ankle"]][[0, 2]].tolist() for side in ("left", "right"))
        assert foot[0] > 0.15 and foot[1] > 0.3 * person.height  # a foot up in front


def test_the_side_view_is_the_profile_figure_skeleton_draws():
    """Seen from the side (x forward, z up), with nothing out of the profile plane, every limb's
    bone and the torso are figure.skeleton's, scaled by the person's height (y down there)."""
    for seed in range(20):
        rng = np.random.default_rng([33, seed])
        person, angles = random_person(rng), random_angles(POSES[seed % 3], rng)
        flat = dict(
            angles, lead_arm_out=(0, 0), rear_arm_out=(0, 0), lead_leg_out=0, rear_leg_out=0, head=(0, 0)
        )
        points = skeleton3d(person, flat)[:, [0, 2]] * [1, -1] / person.height
        joints = figure.skeleton(person, angles)
        for side, name in (("lead", "left"), ("rear", "right")):
            for a, b in (("shoulder", "elbow"), ("elbow", "hand"), ("hip", "knee"), ("knee", "ankle")):
                profile = joints[f"{side}_{b}"] - joints[f"{side}_{a}"]
                side_on = (
                    points[LANDMARK[f"{name}_{b.replace('hand', 'wrist')}"]] - points[LANDMARK[f"{name}_{a}"]]
                )
                assert np.allclose(side_on, profile), (seed, side, a, b)
        middle = (points[LANDMARK["left_shoulder"]] + points[LANDMARK["right_shoulder"]]) / 2
        hips = (points[LANDMARK["left_hip"]] + points[LANDMARK["right_hip"]]) / 2
        assert np.allclose(
            middle - hips, (joints["lead_shoulder"] + joints["rear_shoulder"]) / 2 - joints["pelvis"]
        )


def test_turn_squares_the_shoulders_to_where_the_fighter_faces():
    rng = np.random.default_rng(34)
    person, angles = random_person(rng), motion.stand_pose(rng)
    square, sideways = (skeleton3d(person, dict(angles, turn=turn)) for turn in (1.0, 0.3))
    across = [p[LANDMARK["left_shoulder"]] - p[LANDMARK["right_shoulder"]] for p in (square, sideways)]
    assert abs(across[0][0]) < 1e-9 and across[0][1] > 0.15  # side by side, the lead (left) on +y
    assert across[1][0] > 0.15  # the lead shoulder forward


def test_a_right_handed_lead_is_the_mirror_image():
    rng = np.random.default_rng(35)
    person, angles = random_person(rng), random_angles("punch", rng)
    left, right = skeleton3d(person, angles), skeleton3d(person, angles, lead="right")
    assert right[LANDMARK["right_wrist"], 0] > 0.2  # the right arm punches now
    assert np.allclose(right[LANDMARK["right_wrist"]], left[LANDMARK["left_wrist"]] * [1, -1, 1])
    assert np.allclose(right[LANDMARK["nose"]], left[LANDMARK["nose"]] * [1, -1, 1])
    assert np.allclose(mirrored(right), left)
    with pytest.raises(ValueError):
        skeleton3d(person, angles, lead="both")


def test_face_hands_and_feet_sit_where_they_belong():
    rng = np.random.default_rng(36)
    for _ in range(30):
        person, habits = random_person(rng), random_habits(rng)
        points = landmarks(person, pose_vector(in_3d(random_angles(POSES[rng.integers(3)], rng), habits)))
        head = points[[LANDMARK[n] for n in config.BODY_LANDMARKS[:11]]]
        assert np.ptp(head, axis=0).max() < 0.2 and head[:, 2].min() > points[LANDMARK["left_shoulder"], 2]
        for side in ("left", "right"):
            for part in ("pinky", "index", "thumb"):
                assert (
                    np.linalg.norm(points[LANDMARK[f"{side}_{part}"]] - points[LANDMARK[f"{side}_wrist"]])
                    < 0.1
                )
            for part in ("heel", "foot_index"):
                assert (
                    np.linalg.norm(points[LANDMARK[f"{side}_{part}"]] - points[LANDMARK[f"{side}_ankle"]])
                    < 0.15
                )
        assert (
            points[LANDMARK["nose"], 0]
            > (points[LANDMARK["left_ear"], 0] + points[LANDMARK["right_ear"], 0]) / 2
        )


def test_pose_vectors_hold_the_profile_first_and_round_trip():
    rng = np.random.default_rng(37)
    angles = in_3d(random_angles("kick", rng), random_habits(rng))
    vector = pose_vector(angles)
    assert vector.size == sum(size for _, size in POSE_VALUES)
    assert np.allclose(vector[: sum(size for _, size in PROFILE_VALUES)], profile_vectors([angles])[0])
    assert np.allclose(pose_vector(pose_dict(vector)), vector)
    kept = in_3d(dict(angles, head=(30.0, 0.0)), random_habits(rng))
    assert kept["head"] == (30.0, 0.0)  # what a pose sets itself stays


def test_many_people_at_once_have_random_persons_proportions():
    many = random_proportions(np.random.default_rng(38), 3000)
    one_by_one = [random_person(np.random.default_rng([38, i])) for i in range(300)]
    for field in many._fields:
        drawn, people = getattr(many, field), np.array([getattr(p, field) for p in one_by_one])
        assert drawn.shape == (3000,)
        assert people.min() >= drawn.min() - 0.02 * abs(drawn.min()) and people.max() <= drawn.max() * 1.02
        assert np.mean(drawn) == pytest.approx(np.mean(people), rel=0.02)
