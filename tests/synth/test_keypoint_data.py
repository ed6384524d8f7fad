"""The keypoint data: labelled frames and clips of 3D people on webcams, as a pose model sees them."""

import numpy as np
import pytest

from tfjs_kombat import config
from tfjs_kombat.synth.gesture import GESTURES, WALKS, gesture
from tfjs_kombat.synth.keypoint_data import clip_poses, keypoint_clips, keypoint_frames
from tfjs_kombat.synth.keypoint_noise import CLEAN
from tfjs_kombat.synth.motion import stand_pose
from tfjs_kombat.synth.person import random_proportions
from tfjs_kombat.synth.pose3d import SLICES, in_3d, random_habits
from tfjs_kombat.synth.skeleton3d import LANDMARK, landmarks

WAY_OUT = (np.array([0.0, 1.0]), 0.8)  # the frame's edge 0.8 standing heights to the lead side


def punching(points, poses, body):
    """Per frame [T]: is an arm straight and pointing where the body faces, at shoulder height?"""
    heading = np.radians(poses[:, SLICES["heading"]])
    facing = np.stack([np.cos(heading), np.sin(heading), 0 * heading], axis=-1)
    arm = (body.upper_arm + body.forearm) * body.height
    out = np.zeros(len(points), bool)
    for side in ("left", "right"):
        reach = points[:, LANDMARK[f"{side}_wrist"]] - points[:, LANDMARK[f"{side}_shoulder"]]
        length = np.linalg.norm(reach, axis=-1)
        ahead = np.sum(reach * facing, axis=-1) > 0.85 * length
        out |= (length > 0.9 * arm) & ahead & (np.abs(reach[:, 2]) < 0.1 * body.height)
    return out


def foot_lift(points, body):
    """Per frame [T]: how high the higher ankle is above the lower one, in standing heights."""
    ankles = points[:, [LANDMARK["left_ankle"], LANDMARK["right_ankle"]], 2]
    return np.abs(ankles[:, 0] - ankles[:, 1]) / body.height


def moving(name, seed):
    """(landmarks [T, 33, 3], pose vectors [T, POSE_SIZE], body) of one clip of the class."""
    rng = np.random.default_rng([51, seed])
    body = random_proportions(rng, 1)
    body = body._replace(**{field: float(value[0]) for field, value in body._asdict().items()})
    if name in GESTURES or name in WALKS:
        poses = gesture(
            name, rng, in_3d(stand_pose(rng), random_habits(rng)), config.SEQUENCE_LENGTH, WAY_OUT
        )
    else:
        poses = clip_poses(name, rng, random_habits(rng), WAY_OUT)
    return landmarks(body, poses), poses, body


def test_every_clip_holds_its_move_and_no_other_clip_looks_like_one():
    """Whatever its speed and phase, a punch clip holds a straight arm out where the fighter
    faces, a kick clip a foot lifted high; no other clip or gesture ever does either."""
    peaks = []
    for seed in range(40):
        for name in (*config.CLIP_CLASS_NAMES, *GESTURES, *WALKS):
            points, poses, body = moving(name, seed)
            punch, lift = punching(points, poses, body), foot_lift(points, body)
            if name == "punch":
                assert punch.any() and lift.max() < 0.1, seed
                peaks.append(int(np.argmax(punch)))
            elif name in ("kick", "roundhouse", "back_kick"):
                assert lift.max() > 0.25 and not punch.any(), (name, seed)
            else:
                assert not punch.any() and lift.max() < 0.25, (name, seed, lift.max())
    assert len(set(peaks)) >= 4  # the punch comes early in some clips, late in others


def test_walkers_walk_in_from_beyond_the_frames_edge_and_out_toward_it():
    starts_outside = 0
    for seed in range(10):
        for name in WALKS:
            _, poses, _ = moving(name, seed)
            sideways = poses[:, SLICES["place"]] @ WAY_OUT[0]  # toward the edge
            walked = sideways[0] - sideways[-1] if name == "walk_in" else sideways[-1] - sideways[0]
            assert walked > 0.15, (name, seed)
            starts_outside += name == "walk_in" and sideways[0] > WAY_OUT[1]
    assert starts_outside >= 5


@pytest.fixture(scope="module")
def clips():
    return keypoint_clips(40, seed=7)


def test_clips_are_balanced_float32_and_reproducible(clips):
    n = 40 * len(config.CLIP_CLASS_NAMES)
    assert clips.keypoints.shape == (n, config.SEQUENCE_LENGTH, len(config.BODY_LANDMARKS), 4)
    assert clips.keypoints.dtype == np.float32 and clips.labels.dtype == np.int64
    assert np.array_equal(np.bincount(clips.labels), [40] * len(config.CLIP_CLASS_NAMES))
    assert {round(float(aspect), 3) for aspect in clips.aspects} == {1.333, 1.778, 0.562}
    again = keypoint_clips(40, seed=7)
    assert all(np.array_equal(a, b) for a, b in zip(clips, again, strict=True))
    assert not np.array_equal(keypoint_clips(40, seed=8).keypoints, clips.keypoints)
    assert np.isfinite(clips.keypoints).all()


def test_nobody_is_only_ever_an_other(clips):
    nobody = ~clips.keypoints.any(axis=(1, 2, 3))
    assert (clips.labels[nobody] == config.OTHER).all()
    assert 0.05 < nobody[clips.labels == config.OTHER].mean() < 0.4  # NOBODY_SHARE of 40 others
    frames = keypoint_frames(200, seed=9)
    assert frames.keypoints.shape == (600, len(config.BODY_LANDMARKS), 4)
    assert np.array_equal(np.bincount(frames.labels), [200, 200, 200])
    nobody = ~frames.keypoints.any(axis=(1, 2))
    assert (frames.labels[nobody] == config.OTHER).all()
    assert nobody[frames.labels == config.OTHER].mean() == pytest.approx(config.NOBODY_SHARE, abs=0.06)


def test_frames_show_people_whole_and_in_part_leading_with_either_hand():
    frames = keypoint_frames(300, seed=10, noise=CLEAN)
    someone = frames.keypoints.any(axis=(1, 2))
    hips = frames.keypoints[someone][:, [LANDMARK["left_hip"], LANDMARK["right_hip"]], 3].max(axis=1)
    face = frames.keypoints[someone][:, LANDMARK["nose"], 3]
    assert 0.15 < (hips == 0).mean() < 0.5  # the upper body only, often
    assert face.mean() > 0.9
    punches = frames.keypoints[frames.labels == config.PUNCH]
    reach = [
        punches[:, LANDMARK[f"{side}_wrist"], 2] - punches[:, LANDMARK[f"{side}_shoulder"], 2]
        for side in ("left", "right")
    ]
    left_punches = np.mean(reach[0] < reach[1])  # the punching wrist is the nearer one, mostly
    assert 0.35 < left_punches < 0.65
