"""What a pose model does to true keypoints: its errors, jitter, lag, missed and swapped joints.

The generator (keypoint_data.py) knows where every joint truly is; a pose model such as BlazePose
reports them a little off, differently in every frame, a frame late when it smooths, sometimes
not at all (a low visibility) or on the wrong side (a left wrist where the right one is), and finds
nobody when too little of the person is in the frame. `add_noise` does all that, as a NoiseModel
says; `estimate_noise` measures a NoiseModel from a pose model's keypoints of pictures whose true
joints are known (the project's own renders), so the defaults below can be replaced by what the
real pose model does.

Keypoints are [..., 33, 4] (x, y in frame widths and heights, z in frame widths, visibility);
clips [N, T, 33, 4], frames [N, 33, 4]. Errors are in torso lengths (the 3D distance from the
hips' middle to the shoulders' middle, in frame widths), so they grow with the person's size in
the frame, as a pose model's do.
"""

from dataclasses import dataclass

import numpy as np

from tfjs_kombat.synth.skeleton3d import LANDMARK

SHOULDERS = [LANDMARK["left_shoulder"], LANDMARK["right_shoulder"]]
HIPS = [LANDMARK["left_hip"], LANDMARK["right_hip"]]
# Limbs whose left and right a pose model may swap, each as (left landmarks, right landmarks).
LIMBS = tuple(
    tuple([LANDMARK[f"{side}_{joint}"] for joint in joints] for side in ("left", "right"))
    for joints in (
        ("elbow", "wrist", "pinky", "index", "thumb"),
        ("knee", "ankle", "heel", "foot_index"),
    )
)
VISIBLE = 0.5  # a visibility from here up means "found"
DECIDABLE = 0.3  # estimate_noise counts swaps only of limbs whose sides lie this far apart (torsos)


@dataclass(frozen=True)
class NoiseModel:
    """A pose model's errors (distances in torso lengths). offset, missed, swapped and the
    visibility ranges are estimate_noise's measurement of BlazePose lite on 300 rendered people
    whose joints are known (benchmarks/keypoint_gap.py: 2D, single pictures); the rest are guesses
    (the renderer has no depth, and single pictures cannot tell jitter and smoothing apart)."""

    offset: float = 0.16  # sd of each landmark's own error, the same through a clip (measured 0.163)
    jitter: float = 0.02  # sd of the error that changes from frame to frame
    depth: float = 0.2  # sd of an extra error on z, the pose model's weakest value
    depth_scale: float = 1.0  # reported z / true z
    smoothing: float = 0.2  # the pose model's filter over frames: the last reported frame's weight
    missed: float = 0.016  # share of the landmarks in the frame reported with a low visibility
    swapped: float = 0.03  # share of frames in which a limb's left and right are swapped, per limb
    lost_below: int = 8  # with fewer landmarks in the frame, the pose model finds nobody
    found_visibility: tuple = (0.6, 1.0)  # range of the visibility of a landmark it found
    missed_visibility: tuple = (0.1, 0.5)  # and of one it missed or that is out of the frame


DEFAULT_NOISE = NoiseModel()
# No errors at all: the true keypoints, visibility 1 in the frame and 0 outside it.
CLEAN = NoiseModel(
    offset=0,
    jitter=0,
    depth=0,
    smoothing=0,
    missed=0,
    swapped=0,
    lost_below=1,
    found_visibility=(1.0, 1.0),
    missed_visibility=(0.0, 0.0),
)


def as_clips(keypoints):
    """Frames [N, 33, 4] as clips of one frame [N, 1, 33, 4]; clips as they are."""
    keypoints = np.asarray(keypoints, dtype=float)
    return keypoints[:, None] if keypoints.ndim == 3 else keypoints


def torso_lengths(keypoints, aspects):
    """The torso's length in frame widths, per frame [N, T] of clips [N, T, 33, 4] in frames of
    these aspects (width / height, [N]); z counts where it is known (not NaN)."""
    middle = keypoints[..., SHOULDERS, :3].mean(axis=-2) - keypoints[..., HIPS, :3].mean(axis=-2)
    x, y, z = np.moveaxis(middle, -1, 0)
    return np.sqrt(x**2 + (y / np.asarray(aspects)[:, None]) ** 2 + np.nan_to_num(z) ** 2)


def _heights_per_width(aspects):
    """[N, 1, 1, 3]: x, y, z in frame widths times this is x, y, z as keypoints hold them."""
    aspects = np.asarray(aspects, dtype=float)
    return np.stack([np.ones_like(aspects), aspects, np.ones_like(aspects)], axis=-1)[:, None, None, :]


def _swapped_limbs(keypoints, swaps):
    """Clips with the limbs swaps[..., limb] says swapped, left for right."""
    keypoints = keypoints.copy()
    for limb, (left, right) in enumerate(LIMBS):
        swap = swaps[..., limb, None, None]
        keypoints[..., left + right, :] = np.where(
            swap, keypoints[..., right + left, :], keypoints[..., left + right, :]
        )
    return keypoints


def _smoothed(points, alpha, restart):
    """An exponential filter over frames (axis 1) that starts afresh where restart [N, T] is set."""
    smoothed = points.copy()
    for t in range(1, points.shape[1]):
        keep = np.where(restart[:, t, None, None], 0.0, alpha)
        smoothed[:, t] = (1 - keep) * points[:, t] + keep * smoothed[:, t - 1]
    return smoothed


def add_noise(keypoints, aspects, noise, rng):
    """What the pose model reports of these true keypoints (clips [N, T, 33, 4] or frames
    [N, 33, 4], in frames of these aspects, width / height, [N]): the same shape, float32. A frame
    with nobody in it (all zeros) and a frame with fewer than noise.lost_below landmarks in the
    frame come out all zeros: the pose model found nobody."""
    true = as_clips(keypoints)
    aspects = np.asarray(aspects, dtype=float)
    n, t = true.shape[:2]
    in_frame = true[..., 3] >= VISIBLE
    lost = in_frame.sum(axis=-1) < max(noise.lost_below, 1)
    size = torso_lengths(true, aspects)[..., None, None]
    error = rng.normal(0, noise.offset, (n, 1, true.shape[2], 3)) + rng.normal(
        0, noise.jitter, true[..., :3].shape
    )
    error[..., 2] += rng.normal(0, noise.depth, error.shape[:-1])
    to_keypoints = _heights_per_width(aspects)
    points = true[..., :3] / to_keypoints * [1.0, 1.0, noise.depth_scale] + error * size
    found = in_frame & (rng.uniform(size=in_frame.shape) >= noise.missed)
    visibility = np.where(
        found,
        rng.uniform(*noise.found_visibility, found.shape),
        rng.uniform(*noise.missed_visibility, found.shape),
    )
    # The errors belong to the joints, the names to the pose model, which may swap them; its
    # filter then runs on what it named.
    seen = _swapped_limbs(
        np.concatenate([points, visibility[..., None]], axis=-1),
        rng.uniform(size=(n, t, len(LIMBS))) < noise.swapped,
    )
    restart = np.concatenate([np.ones((n, 1), bool), lost[:, :-1]], axis=1)
    seen[..., :3] = _smoothed(seen[..., :3], noise.smoothing, restart) * to_keypoints
    seen[lost] = 0.0
    return seen.reshape(np.shape(keypoints)).astype(np.float32)


def _limb_swaps(truth, seen, someone):
    """(swapped, decidable) [N, T, limbs]: which limbs' sides the seen keypoints hold the wrong
    way round (nearer the truth swapped than as named), and which lie far enough apart to tell."""
    swapped, decidable = [], []
    for left, right in LIMBS:
        named = np.nansum((seen[..., left, :2] - truth[..., left, :2]) ** 2, axis=(-1, -2))
        named += np.nansum((seen[..., right, :2] - truth[..., right, :2]) ** 2, axis=(-1, -2))
        crossed = np.nansum((seen[..., left, :2] - truth[..., right, :2]) ** 2, axis=(-1, -2))
        crossed += np.nansum((seen[..., right, :2] - truth[..., left, :2]) ** 2, axis=(-1, -2))
        gaps = np.linalg.norm(truth[..., left, :2] - truth[..., right, :2], axis=-1)
        apart = np.nansum(gaps, axis=-1) / np.maximum(np.isfinite(gaps).sum(axis=-1), 1)
        swapped.append(crossed < named)
        decidable.append(someone & (apart > DECIDABLE))
    return np.stack(swapped, axis=-1), np.stack(decidable, axis=-1)


def _filter_weight(seen, truth, size, pairs):
    """The filter's weight of the last frame: the slope of this frame's error against the last
    reported frame's distance from this frame's truth (both in this frame's torso lengths), each
    landmark's mean error removed."""
    error, lag = (seen[:, 1:] - truth[:, 1:]) / size[:, 1:], (seen[:, :-1] - truth[:, 1:]) / size[:, 1:]
    mask = pairs[..., None, None] & np.isfinite(error) & np.isfinite(lag)
    count = np.maximum(mask.sum(axis=1, keepdims=True), 1)
    error = np.where(mask, error - np.where(mask, error, 0).sum(axis=1, keepdims=True) / count, 0)
    lag = np.where(mask, lag - np.where(mask, lag, 0).sum(axis=1, keepdims=True) / count, 0)
    return float(np.clip((error * lag).sum() / max((lag * lag).sum(), 1e-12), 0, 0.95))


def _range(values, default):
    """Where nearly all the values lie: their 1st to 99th percentile; default if there are none."""
    return tuple(float(v) for v in np.percentile(values, [1, 99])) if values.size else default


def estimate_noise(true, detected, aspects):
    """The NoiseModel that would turn the true keypoints into the detected ones: clips [N, T, 33,
    4] or frames [N, 33, 4] of the same pictures, in frames of these aspects (width / height, [N]).

    True values may be NaN where they are unknown (a z, a landmark the renderer has no joint
    for): those are left out; with no true z at all, depth and depth_scale are the defaults'.
    Frames are one-frame clips, in which an error that stays cannot be told from one that changes:
    all of it is counted as offset. lost_below is not measured (the default's is kept).
    """
    true, detected = as_clips(true), as_clips(detected)
    aspects = np.asarray(aspects, dtype=float)
    someone = (true[..., 3] >= VISIBLE).any(axis=-1) & (np.abs(detected).sum(axis=(-1, -2)) > 0)
    size = np.where(someone, torso_lengths(true, aspects), np.nan)[..., None, None]
    to_widths = 1 / _heights_per_width(aspects)
    truth, seen = true[..., :3] * to_widths, detected[..., :3] * to_widths

    # The filter ran on what the pose model saw, swaps and all: its weight is measured on pairs of
    # frames with no swap in either, then it is undone, then the swaps are put right.
    pairs = someone[:, 1:] & someone[:, :-1]
    weight = 0.0
    if seen.shape[1] > 1:
        swaps, decidable = _limb_swaps(truth / size, seen / size, someone)
        clear = ~(swaps & decidable).any(axis=-1)
        weight = _filter_weight(seen[..., :2], truth[..., :2], size, pairs & clear[:, 1:] & clear[:, :-1])
    raw = seen.copy()
    raw[:, 1:] = np.where(
        pairs[..., None, None], (seen[:, 1:] - weight * seen[:, :-1]) / (1 - weight), seen[:, 1:]
    )
    swaps, decidable = _limb_swaps(truth / size, raw / size, someone)
    raw = _swapped_limbs(np.concatenate([raw, detected[..., 3:]], axis=-1), swaps & decidable)
    visibility, unseen = raw[..., 3], someone[..., None] & (raw[..., 3] < VISIBLE)
    in_frame = (true[..., 3] >= VISIBLE) & someone[..., None]
    found = in_frame & (visibility >= VISIBLE)
    truth, raw = truth / size, raw[..., :3] / size
    measured = found.copy()  # but not limbs whose sides lie too near to tell a swap from an error
    for limb, (left, right) in enumerate(LIMBS):
        measured[..., left + right] &= decidable[..., limb, None]

    z = measured & np.isfinite(truth[..., 2])
    depth_scale = (
        float((raw[..., 2] * truth[..., 2])[z].sum() / (truth[..., 2] ** 2)[z].sum()) if z.any() else None
    )
    flat = measured[..., None] & np.isfinite(truth[..., :2])
    error = np.where(flat, raw[..., :2] - truth[..., :2], 0.0)
    count = flat.sum(axis=1)  # frames per (clip, landmark, axis)
    mean = error.sum(axis=1) / np.maximum(count, 1)
    spread = np.where(flat, error - mean[:, None], 0.0)
    jitter2 = (spread**2).sum() / max((count - 1)[count > 1].sum(), 1) if true.shape[1] > 1 else 0.0
    offset2 = np.mean((mean**2 - jitter2 / np.maximum(count, 1))[count > 0])
    depth = DEFAULT_NOISE.depth
    if depth_scale is None:  # no true z: the defaults stay
        depth_scale = DEFAULT_NOISE.depth_scale
    else:
        depth = float(
            np.sqrt(max(np.mean((raw[..., 2] - depth_scale * truth[..., 2])[z] ** 2) - offset2 - jitter2, 0))
        )
    return NoiseModel(
        offset=float(np.sqrt(max(offset2, 0))),
        jitter=float(np.sqrt(jitter2)),
        depth=depth,
        depth_scale=depth_scale,
        smoothing=weight,
        missed=float(1 - found.sum() / max(in_frame.sum(), 1)),
        found_visibility=_range(visibility[found], DEFAULT_NOISE.found_visibility),
        missed_visibility=_range(visibility[unseen], DEFAULT_NOISE.missed_visibility),
        swapped=float((swaps & decidable).sum() / max(decidable.sum(), 1)),
    )
