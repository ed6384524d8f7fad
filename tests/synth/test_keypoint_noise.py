"""A pose model's errors on true keypoints, and measuring them back."""

import numpy as np
import pytest

from tfjs_kombat.synth import keypoint_noise
from tfjs_kombat.synth.keypoint_data import keypoint_clips, keypoint_frames
from tfjs_kombat.synth.keypoint_noise import CLEAN, DEFAULT_NOISE, NoiseModel, add_noise, estimate_noise
from tfjs_kombat.synth.skeleton3d import LANDMARK


@pytest.fixture(scope="module")
def true_clips():
    return keypoint_clips(50, seed=3, noise=CLEAN)


def test_clean_noise_is_the_truth_and_nobody_stays_nobody(true_clips):
    truth = true_clips.keypoints
    assert np.array_equal(add_noise(truth, true_clips.aspects, CLEAN, np.random.default_rng(0)), truth)
    assert set(np.unique(truth[..., 3])) == {0.0, 1.0}
    noisy = add_noise(truth, true_clips.aspects, DEFAULT_NOISE, np.random.default_rng(0))
    assert noisy.dtype == np.float32 and noisy.shape == truth.shape
    nobody = ~truth.any(axis=(-1, -2))
    assert nobody.any() and not noisy[nobody].any()
    few = (truth[..., 3].sum(axis=-1) < DEFAULT_NOISE.lost_below) & ~nobody
    assert not noisy[few].any()  # too little in the frame: the pose model finds nobody
    seen = ~nobody & ~few
    assert (np.abs(noisy[seen] - truth[seen])[..., :2].max(axis=-1) > 0).mean() > 0.99


def test_errors_grow_with_the_person_in_the_frame(true_clips):
    """The same people twice as big in the frame (about the frame's middle) get errors twice as
    big, in frame widths."""
    truth = true_clips.keypoints
    big = truth.copy()
    big[..., :3] = (truth[..., :3] - [0.5, 0.5, 0]) * 2 + [0.5, 0.5, 0]
    big[~truth.any(axis=(-1, -2))] = 0
    noise = NoiseModel(missed=0, swapped=0, lost_below=1)
    small_error = add_noise(truth, true_clips.aspects, noise, np.random.default_rng(1)) - truth
    big_error = add_noise(big, true_clips.aspects, noise, np.random.default_rng(1)) - big
    assert np.allclose(big_error[..., :3], 2 * small_error[..., :3], atol=1e-5)


def test_swapped_limbs_and_missed_landmarks_are_as_frequent_as_the_model_says(true_clips):
    truth = true_clips.keypoints
    noise = NoiseModel(offset=0, jitter=0, depth=0, smoothing=0, missed=0.1, swapped=0.2, lost_below=1)
    noisy = add_noise(truth, true_clips.aspects, noise, np.random.default_rng(2))
    wrist, other_wrist = LANDMARK["left_wrist"], LANDMARK["right_wrist"]
    apart = np.abs(truth[..., wrist, 0] - truth[..., other_wrist, 0]) > 0.05
    swapped = np.isclose(noisy[..., wrist, :2], truth[..., other_wrist, :2], atol=1e-6).all(axis=-1)
    assert swapped[apart].mean() == pytest.approx(0.2, abs=0.03)
    in_frame = truth[..., 3] == 1
    assert (noisy[..., 3][in_frame] < 0.5).mean() == pytest.approx(0.1, abs=0.01)
    trunk = [*range(LANDMARK["left_elbow"]), LANDMARK["left_hip"], LANDMARK["right_hip"]]  # never swapped
    out = ~in_frame[..., trunk] & truth[..., trunk, :].any(axis=-1)
    assert (noisy[..., trunk, 3][out] < 0.5).all()


@pytest.mark.parametrize(
    "noise",
    [
        DEFAULT_NOISE,
        NoiseModel(
            offset=0.07, jitter=0.01, depth=0.3, depth_scale=0.6, smoothing=0.4, missed=0.1, swapped=0.03
        ),
        NoiseModel(
            offset=0.01, jitter=0.05, depth=0.05, depth_scale=1.3, smoothing=0.0, missed=0.0, swapped=0.0
        ),
    ],
)
def test_the_estimate_recovers_the_noise_model(true_clips, noise):
    noisy = add_noise(true_clips.keypoints, true_clips.aspects, noise, np.random.default_rng(4))
    found = estimate_noise(true_clips.keypoints, noisy, true_clips.aspects)
    for field in ("offset", "jitter", "depth", "depth_scale", "smoothing"):
        assert getattr(found, field) == pytest.approx(getattr(noise, field), rel=0.1, abs=0.005), field
    assert found.missed == pytest.approx(noise.missed, abs=0.005)
    assert found.swapped == pytest.approx(noise.swapped, abs=0.008)
    assert found.found_visibility == pytest.approx(noise.found_visibility, abs=0.01)
    assert found.missed_visibility == pytest.approx(noise.missed_visibility, abs=0.01)


def test_the_estimate_leaves_out_what_the_truth_does_not_know(true_clips):
    """A renderer knows no z and no face: the estimate works from what it knows; with frames, the
    error that stays and the one that changes are one."""
    noise = NoiseModel(offset=0.05, jitter=0.03, depth=0.1, depth_scale=0.5)
    noisy = add_noise(true_clips.keypoints, true_clips.aspects, noise, np.random.default_rng(5))
    partial = true_clips.keypoints.copy()
    partial[..., 2] = np.nan
    partial[..., :11, :3] = np.nan
    found = estimate_noise(partial, noisy, true_clips.aspects)
    assert found.offset == pytest.approx(0.05, rel=0.1) and found.jitter == pytest.approx(0.03, rel=0.1)
    assert (found.depth, found.depth_scale) == (DEFAULT_NOISE.depth, DEFAULT_NOISE.depth_scale)
    frames = keypoint_frames(200, seed=6, noise=CLEAN)
    noisy = add_noise(frames.keypoints, frames.aspects, noise, np.random.default_rng(6))
    found = estimate_noise(frames.keypoints, noisy, frames.aspects)
    assert found.jitter == 0 and found.smoothing == 0
    assert found.offset == pytest.approx(np.hypot(0.05, 0.03), rel=0.1)


def test_torso_lengths_count_depth_and_the_frames_aspect():
    keypoints = np.zeros((2, 1, 33, 4))
    for name in ("left_shoulder", "right_shoulder"):
        keypoints[:, 0, LANDMARK[name], :3] = [0.5, 0.3, 0.0]
    for name in ("left_hip", "right_hip"):
        keypoints[:, 0, LANDMARK[name], :3] = [0.5, 0.6, 0.4]
    lengths = keypoint_noise.torso_lengths(keypoints, np.array([1.0, 2.0]))
    assert np.allclose(lengths[:, 0], [0.5, np.hypot(0.15, 0.4)])
