"""Synthetic clip features: what the clip stages write (clips_train.npz, clips_test.npz), made
from a model of movement instead of MobileNet, so the sequence head can be tested in seconds.

Every clip is a run of key poses in time, each pose a fixed random vector, plus the clip's own
look (the person, the room: one vector added to all its frames) and per-frame noise. The
roundhouse and the back kick pass through the SAME poses for the same number of frames, in a
different order (stand, chamber, turn, extend vs. stand, turn, chamber, extend): their frames
have one distribution, so a single-frame classifier cannot tell them apart (chance, 1/2),
while a model that reads the order can.
"""

import numpy as np

from tfjs_kombat.config import CLIP_CLASS_NAMES

# Key poses of each class, one per phase; the phases share the clip's frames evenly. The
# punch and kick have their own key pose; "other" wanders between standing poses.
SCRIPTS = {
    "punch": ("stand", "punch", "stand"),
    "kick": ("stand", "kick", "stand"),
    "other": ("stand", "idle", "stand"),
    "roundhouse": ("stand", "chamber", "turn", "extend", "stand"),
    "back_kick": ("stand", "turn", "chamber", "extend", "stand"),
}
POSES = ("stand", "idle", "punch", "kick", "chamber", "turn", "extend")


def clip_frames(script, prototypes, rng, frames, look_scale, noise):
    """One clip's frame vectors [frames, D]: its key poses in order, each held for a share of
    the frames (the share jittered by a frame), plus the clip's look and per-frame noise."""
    bounds = np.linspace(0, frames, len(script) + 1)
    bounds[1:-1] += rng.integers(-1, 2, len(script) - 1)
    phase = np.searchsorted(bounds[1:], np.arange(frames), side="right")
    keys = np.stack([prototypes[script[min(p, len(script) - 1)]] for p in phase])
    look = rng.normal(0, look_scale, keys.shape[1])
    vectors = keys + look + rng.normal(0, noise, keys.shape)
    return np.maximum(vectors, 0).astype(np.float32)  # ReLU-like features, as MobileNet's are


def windows(vectors, length):
    """Windows of `length` consecutive frames as the features stage cuts them: stride length // 2,
    the last one ending at the clip's last frame."""
    starts = sorted({*range(0, len(vectors) - length + 1, length // 2), len(vectors) - length})
    return np.stack([vectors[start : start + length] for start in starts])


def synthetic_split(clips_per_class, dim=64, length=12, frames=16, seed=0, look_scale=0.6, noise=0.5):
    """{"x": [N, length, dim], "y": [N], "clip": [N]}: windows of clips_per_class clips of every
    class in CLIP_CLASS_NAMES order. The pose vectors depend only on `dim` (seed 1234), so a
    train and a test split made with different seeds share them, as real people share poses."""
    prototypes = dict(zip(POSES, np.random.default_rng(1234).uniform(0, 2, (len(POSES), dim)), strict=True))
    rng = np.random.default_rng(seed)
    xs, ys, clips = [], [], []
    clip = 0
    for label, name in enumerate(CLIP_CLASS_NAMES):
        for _ in range(clips_per_class):
            clip_windows = windows(
                clip_frames(SCRIPTS[name], prototypes, rng, frames, look_scale, noise), length
            )
            xs.append(clip_windows)
            ys += [label] * len(clip_windows)
            clips += [clip] * len(clip_windows)
            clip += 1
    x = np.concatenate(xs) if xs else np.zeros((0, length, dim), np.float32)  # no clip: no window
    return {"x": x, "y": np.array(ys, np.int64), "clip": np.array(clips, np.int64)}


def write_clip_features(folder, train_clips=40, test_clips=12, alpha=0.75, recipe="article", pool=None, **kw):
    """folder/clips_train.npz and clips_test.npz as the features stage writes them."""
    folder.mkdir(parents=True, exist_ok=True)
    pool_value = np.array(pool if pool else [], np.int64)
    for split, count, seed in (("train", train_clips, 1), ("test", test_clips, 2)):
        data = synthetic_split(count, seed=seed, **kw)
        np.savez(folder / f"clips_{split}.npz", **data, alpha=alpha, recipe=recipe, pool=pool_value)
    return folder
