"""The keypoint heads' normalisation, in the Keras graph: what it must ignore and what it keeps."""

import keras
import numpy as np
import pytest

from tfjs_kombat import body
from tfjs_kombat.config import BODY_LANDMARKS


def standing_body(rng, visible=1.0):
    """33 keypoints in width units: a rough upright person (shoulders above hips), some jitter."""
    keypoints = np.zeros((body.LANDMARKS, body.VALUES), "float32")
    keypoints[:, 0] = 0.5 + rng.normal(0, 0.05, body.LANDMARKS)
    keypoints[:, 1] = 0.3 + rng.uniform(0, 0.4, body.LANDMARKS)
    keypoints[:, 2] = rng.normal(0, 0.05, body.LANDMARKS)
    keypoints[:, 3] = visible
    keypoints[body.LEFT_SHOULDER, :2] = (0.56, 0.30)
    keypoints[body.RIGHT_SHOULDER, :2] = (0.44, 0.30)
    keypoints[body.LEFT_HIP, :2] = (0.54, 0.55)
    keypoints[body.RIGHT_HIP, :2] = (0.46, 0.55)
    return keypoints


def normalised(keypoints):
    return keras.ops.convert_to_numpy(body.BodyNormalisation()(np.asarray(keypoints)[None]))[0]


def test_position_and_size_in_the_frame_do_not_matter():
    keypoints = standing_body(np.random.default_rng(0))
    moved = keypoints.copy()
    moved[:, :3] = keypoints[:, :3] * 0.4 + [0.2, 0.1, 0.0]  # smaller (further away) and elsewhere
    moved[:, 2] = keypoints[:, 2] * 0.4
    np.testing.assert_allclose(normalised(moved), normalised(keypoints), atol=1e-5)


def test_a_joint_out_of_sight_reads_as_zero_beside_a_zero_for_missing():
    keypoints = standing_body(np.random.default_rng(1))
    wrist, other_wrist = BODY_LANDMARKS.index("left_wrist"), BODY_LANDMARKS.index("right_wrist")
    keypoints[wrist, 3] = 0.2
    features = normalised(keypoints).reshape(body.LANDMARKS, body.POSITION_AXES + 1)
    np.testing.assert_array_equal(features[wrist], [0, 0, 0])
    assert np.abs(features[other_wrist, :2]).sum() > 0 and features[other_wrist, 2] == 1


def test_how_sure_the_pose_model_is_of_a_found_joint_is_not_read():
    # BlazePose says ~1.0 for a joint it sees clearly; the generator cannot copy its spread
    keypoints = standing_body(np.random.default_rng(6))
    unsure = keypoints.copy()
    unsure[:, 3] = np.random.default_rng(7).uniform(body.VISIBLE, 1.0, body.LANDMARKS)
    np.testing.assert_array_equal(normalised(unsure), normalised(keypoints))


def test_depth_is_not_read():
    # the pose model's z is its least reliable value (benchmarks/keypoint_gap.py): the heads ignore it
    keypoints = standing_body(np.random.default_rng(4))
    deeper = keypoints.copy()
    deeper[:, 2] = np.random.default_rng(5).normal(0, 1, body.LANDMARKS)
    np.testing.assert_array_equal(normalised(deeper), normalised(keypoints))


def test_nobody_is_all_zeros():
    assert not normalised(np.zeros((body.LANDMARKS, body.VALUES), "float32")).any()


def test_frames_of_a_window_are_normalised_each_on_its_own():
    rng = np.random.default_rng(2)
    window = np.stack([standing_body(rng) for _ in range(5)])
    out = keras.ops.convert_to_numpy(body.BodyNormalisation()(window[None]))
    assert out.shape == (1, 5, body.FEATURES_PER_FRAME)
    np.testing.assert_allclose(out[0, 3], normalised(window[3]), atol=1e-6)


def test_the_mirror_swaps_sides_and_flips_x():
    keypoints = standing_body(np.random.default_rng(3))
    mirrored = keras.ops.convert_to_numpy(body.Mirrored()(keypoints[None]))[0]
    left, right = BODY_LANDMARKS.index("left_knee"), BODY_LANDMARKS.index("right_knee")
    np.testing.assert_allclose(mirrored[left], keypoints[right] * [-1, 1, 1, 1])
    np.testing.assert_allclose(mirrored[0], keypoints[0] * [-1, 1, 1, 1])  # the nose stays itself
    twice = keras.ops.convert_to_numpy(body.Mirrored()(mirrored[None]))[0]
    np.testing.assert_allclose(twice, keypoints)


@pytest.mark.parametrize("width, height", [(640, 480), (360, 640)])
def test_width_units_keep_the_body_proportions(width, height):
    # a square 100 px box drawn in the frame: in width units its sides are equal again
    keypoints = np.zeros((2, 4), "float32")
    keypoints[1, :2] = (100 / width, 100 / height)
    converted = body.in_width_units(keypoints, width, height)
    assert converted[1, 0] == pytest.approx(converted[1, 1])
    assert keypoints[1, 1] == pytest.approx(100 / height)  # the caller's array is left as it was
