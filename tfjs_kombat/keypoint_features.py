"""Keypoint features (recipes.BodyKeypoints): the body's 33 joints per frame, in the files train
reads (train.npz, test.npz; clips_train.npz, clips_test.npz), `x` [N, 33, 4] and [N, T, 33, 4].

Two sources, both without MobileNet and without augmentation:
- generated people (`generated`, `tfjs-kombat features --generated --recipe keypoints`):
  synth/keypoint_data.py's frames and clips with a pose model's errors (keypoint_noise.py). The
  held-out set is drawn from its own seed: people, cameras and framings the training never saw.
  Seconds, no pictures.
- a dataset (`from_split`, `tfjs-kombat features SPLIT_JSON --recipe keypoints`): the dataset
  stage's split; the pose model (bodypose/) reads each SOURCE picture at full size (the 100x56
  frames the MobileNet recipes augment are too small for it), and every clip is tracked frame by
  frame by one Tracker, as the page tracks its camera. Results are cached per file content in
  the cache folder.

Everything is in units of the picture's width (body.in_width_units), as the heads take it; a
frame where nobody is found is all zeros, which the heads read as nobody.
"""

import io
from pathlib import Path

import numpy as np

from tfjs_kombat import files
from tfjs_kombat.body import LANDMARKS, VALUES, in_width_units
from tfjs_kombat.config import CLASS_DIRS, CLIP_CLASS_DIRS, SEED, SEQUENCE_LENGTH, TEST_FRACTION
from tfjs_kombat.datafolder import clip_digest, clip_frame_files, content_hash
from tfjs_kombat.errors import UserError, say, shown, warn
from tfjs_kombat.frames import BadImage, load_image

# Generated data: enough people that the heads see every proportion, camera and framing often;
# made in about two seconds.
GENERATED_FRAMES_PER_CLASS = 3000
GENERATED_CLIPS_PER_CLASS = 400
HELD_OUT_SEED = 1  # added to the seed: the held-out people's own draw
NOBODY = np.zeros((LANDMARKS, VALUES), np.float32)


def in_widths(keypoints, aspects):
    """Generated keypoints [N, (T,) 33, 4] of frames of these aspects (width / height, [N]) in
    units of each frame's width."""
    aspects = np.asarray(aspects, dtype=np.float32).reshape(-1, *[1] * (np.ndim(keypoints) - 2))
    return in_width_units(keypoints, aspects, 1.0)


def save_npz(path, **arrays):
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    files.write_bytes(path, buffer.getvalue())


def write_frames(out_dir, split, x, y, sources, recipe):
    """{split}.npz as train reads it (features.load_split); no alpha: no MobileNet made these."""
    save_npz(Path(out_dir) / f"{split}.npz", x=x, y=y, paths=np.array(sources, dtype=str), recipe=recipe.name)


def write_windows(out_dir, split, x, y, clip, sources, recipe):
    """clips_{split}.npz as train reads it (features.load_clips): windows [N, T, 33, 4], their
    class, source clip number and name; pool empty (a frame's keypoints are not pooled)."""
    save_npz(
        Path(out_dir) / f"clips_{split}.npz",
        x=x,
        y=y,
        clip=clip,
        source=np.array(sources, dtype=str),
        recipe=recipe.name,
        pool=np.array([], dtype=np.int64),
    )


def generated(
    out_dir, recipe, frames_per_class=GENERATED_FRAMES_PER_CLASS, clips_per_class=None, seed=SEED, shots=None
):
    """Generated frames and clips -> out_dir's four files; the held-out split (TEST_FRACTION of
    the whole) is other people, from the seed + HELD_OUT_SEED. shots: where the cameras stand
    (camera.random_shots when None). Returns the counts written."""
    from tfjs_kombat.synth.camera import random_shots
    from tfjs_kombat.synth.keypoint_data import keypoint_clips, keypoint_frames

    shots = shots or random_shots

    clips_per_class = GENERATED_CLIPS_PER_CLASS if clips_per_class is None else clips_per_class
    written = {}
    for split, draw in (("train", seed), ("test", seed + HELD_OUT_SEED)):
        share = TEST_FRACTION if split == "test" else 1 - TEST_FRACTION
        per_class = max(1, round(frames_per_class * share))
        frames = keypoint_frames(per_class, draw, shots=shots)
        x = in_widths(frames.keypoints, frames.aspects)
        sources = [f"generated/{split}/{CLASS_DIRS[label]}/{i}" for i, label in enumerate(frames.labels)]
        write_frames(out_dir, split, x, frames.labels, sources, recipe)
        written[split] = len(frames.labels)
        if clips_per_class:
            clips = keypoint_clips(max(1, round(clips_per_class * share)), draw, shots=shots)
            count = len(clips.labels)
            names = [f"generated/{split}/{CLIP_CLASS_DIRS[y]}/{i}" for i, y in enumerate(clips.labels)]
            x = in_widths(clips.keypoints, clips.aspects)
            write_windows(out_dir, split, x, clips.labels, np.arange(count), names, recipe)
            written[f"clips_{split}"] = count
        say(
            f"{split}: {written[split]} generated frames"
            + (f", {written[f'clips_{split}']} clips" if clips_per_class else "")
            + f" (seed {draw})"
        )
    return written


class KeypointCache:
    """The pose model's keypoints (in width units) of pictures and clips, by content and landmark
    model, in one .npz: a picture's [33, 4], a clip's [frames, 33, 4]."""

    def __init__(self, cache_dir, pose_model):
        self.path = Path(cache_dir) / f"keypoints-{pose_model}.npz"
        self.entries, self.changed = {}, False
        if self.path.exists():
            with np.load(self.path) as stored:
                self.entries = {key: stored[key] for key in stored.files}

    def get(self, key, compute):
        if key not in self.entries:
            self.entries[key], self.changed = compute(), True
        return self.entries[key]

    def save(self):
        if self.changed:
            save_npz(self.path, **self.entries)
            self.changed = False


def tracked(tracker, picture):
    """One picture (RGB uint8 [h, w, 3]) through a tracker: [33, 4] in width units, zeros for nobody."""
    found = tracker.track(picture)
    height, width = picture.shape[:2]
    return NOBODY if found is None else in_width_units(found, width, height)


class PoseReader:
    """The pose model, loaded once, with the cache: pictures one by one, clips tracked through."""

    def __init__(self, pose_model, cache_dir):
        from tfjs_kombat.bodypose import networks

        self.networks = networks.load(pose_model)
        self.cache = KeypointCache(cache_dir, pose_model)

    def picture(self, path, decoded=None):
        """A picture file, searched afresh (as a page that has just started): [33, 4]."""
        from tfjs_kombat.bodypose.tracker import Tracker

        def compute():
            return tracked(Tracker(self.networks), decoded if decoded is not None else picture_of(path))

        return self.cache.get(content_hash(path), compute)

    def clip(self, path):
        """A clip (a folder of frames or a video) tracked by one Tracker: [frames, 33, 4]."""
        from tfjs_kombat.augment import read_clip
        from tfjs_kombat.bodypose.tracker import Tracker

        path = Path(path)
        key = clip_digest(clip_frame_files(path)) if path.is_dir() else content_hash(path)

        def compute():
            tracker = Tracker(self.networks)
            return np.stack([tracked(tracker, frame) for frame in read_clip(path, cut=lambda image: image)])

        return self.cache.get(key, compute)


def picture_of(path):
    """A picture file at full size as RGB uint8 (EXIF rotation applied; BadImage if unreadable)."""
    return np.asarray(load_image(path))


def pictures_keypoints(paths, pose_model, cache_dir, decoded=None, every=50):
    """[N, 33, 4] keypoints of picture files (decoded: {path: RGB array} already read), cached;
    progress every `every` pictures."""
    reader = PoseReader(pose_model, cache_dir)
    found = []
    try:
        for done, path in enumerate(paths, 1):
            found.append(reader.picture(path, (decoded or {}).get(path)))
            if done % every == 0 or done == len(paths):
                say(f"  pose model: {done}/{len(paths)} pictures")
    finally:
        reader.cache.save()
    x = np.stack(found) if found else np.zeros((0, LANDMARKS, VALUES), np.float32)
    nobody = int((~x.any(axis=(1, 2))).sum())
    if nobody:
        say(f"  nobody found in {nobody} of {len(paths)} pictures (they read as nobody: all zeros)")
    return x


def from_split(split_path, out_dir, recipe, cache_dir="build/cache", length=SEQUENCE_LENGTH):
    """The dataset stage's split -> out_dir's files: its images' keypoints (train.npz, test.npz),
    and with clips their windows of `length` frames (clips_train.npz, clips_test.npz; windows as
    features.clip_windows cuts them). Returns the counts written."""
    from tfjs_kombat.augment import read_manifest
    from tfjs_kombat.features import clip_windows, remove_stale

    manifest = read_manifest(split_path)
    root, pose_model, written = Path(manifest["root"]), recipe.features.pose_model, {}
    images = {
        split: [(c, p) for c in CLASS_DIRS for p in manifest[split].get(c, [])] for split in ("train", "test")
    }
    if images["train"]:
        for split, listed in images.items():
            if not listed:
                raise UserError(f"{shown(split_path)} holds no {split} images")
            say(f"{split}: {len(listed)} pictures through the pose model ({pose_model})")
            x = pictures_keypoints([root / path for _, path in listed], pose_model, cache_dir)
            y = np.array([CLASS_DIRS.index(c) for c, _ in listed], dtype=np.int64)
            write_frames(out_dir, split, x, y, [path for _, path in listed], recipe)
            written[split] = len(listed)
    else:
        remove_stale(out_dir, ["train.npz", "test.npz"])
    clips = manifest.get("clips")
    if not clips:
        remove_stale(out_dir, ["clips_train.npz", "clips_test.npz"])
        return written
    reader = PoseReader(pose_model, cache_dir)
    try:
        for split in ("train", "test"):
            listed = [(c, p) for c in clips["classes"] for p in clips[split].get(c, [])]
            say(f"clips {split}: {len(listed)} clips tracked by the pose model ({pose_model})")
            x, y, ids, names = [], [], [], []
            for number, (class_dir, path) in enumerate(listed):
                try:
                    frames = reader.clip(root / path)
                except BadImage as reason:
                    warn(f"skipping clip {shown(path)}: {reason}")
                    continue
                for window in clip_windows(len(frames), length):
                    x.append(frames[window])
                    y.append(CLIP_CLASS_DIRS.index(class_dir))
                    ids.append(number)
                    names.append(path)
                if (number + 1) % 10 == 0 or number + 1 == len(listed):
                    say(f"  pose model: {number + 1}/{len(listed)} clips")
            x = np.stack(x) if x else np.zeros((0, length, LANDMARKS, VALUES), np.float32)
            write_windows(out_dir, split, x, np.array(y, np.int64), np.array(ids, np.int64), names, recipe)
            written[f"clips_{split}"] = len(x)
    finally:
        reader.cache.save()
    return written
