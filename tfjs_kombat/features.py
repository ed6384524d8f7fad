"""Features: ImageNet MobileNet v1 on a frame, cut where the recipe says, preprocessing inside.

The article fed each 100x56 frame to `mobilenet.infer(frame, 'global_average_pooling2d_1')`,
which scales pixels to [-1, 1] and resizes bilinearly to 224x224: one 1024*alpha vector, the
average over the whole picture (recipes.ARTICLE). The pose recipe keeps the frame's aspect
ratio (160x288) and stops at block 11, whose 10x18 map still says *where* things are; its head
runs the remaining blocks. Either way the extractor is ONE Keras model (raw 0..255 pixels in),
built from the recipe's `features` field, so the model exported to the browser cannot drift from
the one that made the training features.

Features are cached by image content and settings: a re-run only computes what is new.

Clips (the augment stage's clips/ folder): every frame becomes one vector, the recipe's features
made smaller where the recipe's sequence_pool says (the pose recipe's 10x18 map averaged over 5x6
cells, a 2x3 grid), by `build_sequence_extractor`, again ONE Keras model. The vectors are cached by
frame content in a cache file of their own, then cut into windows of config.SEQUENCE_LENGTH frames
(`clip_windows`) and written to clips_train.npz and clips_test.npz for the sequence head.

`load_split` and `load_clips` read these files back (train, evaluate and the benchmarks use them).
"""

import hashlib
import io
import json
from pathlib import Path
from typing import NamedTuple

import keras
import numpy as np
from PIL import Image

from tfjs_kombat import files, metrics, recipes
from tfjs_kombat.config import (
    CLASS_DIRS,
    CLIP_CLASS_DIRS,
    CLIP_CLASS_NAMES,
    DEFAULT_ALPHA,
    FRAME_HEIGHT,
    FRAME_WIDTH,
    MOBILENET_SIZE,
    SEQUENCE_LENGTH,
)
from tfjs_kombat.datafolder import clip_frame_files
from tfjs_kombat.errors import UserError, say, shown, warn
from tfjs_kombat.frames import load_image, photo_frame
from tfjs_kombat.mobilenet import ALPHAS, alpha_argument, load_mobilenet, resolve_alpha

CLIP_FILES = {"train": "clips_train.npz", "test": "clips_test.npz"}


def feature_size(alpha):
    return int(1024 * alpha)


def build_feature_extractor(alpha, recipe):
    """Raw 100x56 RGB pixels (0..255) -> the recipe's MobileNet features.

    MobileNet's layers are built directly on the preprocessing (not nested as one layer): the
    TensorFlow.js converter cannot freeze a SavedModel of a model nested in a model.
    """
    alpha, cut = resolve_alpha(alpha), recipe.features
    frame = keras.Input((FRAME_HEIGHT, FRAME_WIDTH, 3), name="frame")
    scaled = keras.layers.Rescaling(1 / 127.5, offset=-1, name="to_unit_range")(frame)
    resized = keras.layers.Resizing(*cut.size, "bilinear", name="to_mobilenet_size")(scaled)
    mobilenet = load_mobilenet(alpha, resized, "avg" if cut.layer is None else None, cut.size)
    output = mobilenet.output if cut.layer is None else mobilenet.get_layer(cut.layer).output
    return keras.Model(frame, output, name=f"mobilenet_{recipe.name}_{ALPHAS[alpha]}")


def build_sequence_extractor(alpha, recipe):
    """Raw 100x56 RGB pixels (0..255) -> one step of the sequence head: the recipe's features,
    averaged over its sequence_pool cells when it names some, flattened. One Keras model: the
    feature extractor's layers, then AveragePooling2D and Flatten."""
    extractor = build_feature_extractor(alpha, recipe)
    vector = extractor.output
    pool = recipe.sequence_pool
    if pool is not None:
        vector = keras.layers.AveragePooling2D(pool, name="sequence_pool")(vector)
    if len(vector.shape) > 2:
        vector = keras.layers.Flatten(name="sequence_vector")(vector)
    return keras.Model(extractor.input, vector, name=f"{extractor.name}_sequence")


def load_frame(path):
    """A 100x56 frame file (as the augment stage writes them, grey or colour) -> uint8 HxWx3.
    The size is checked from the header, before anything is decoded."""
    with Image.open(path) as image:
        if image.size != (FRAME_WIDTH, FRAME_HEIGHT):
            raise UserError(f"{shown(path)} is {image.size[0]}x{image.size[1]}, not a 100x56 frame")
        return np.asarray(image.convert("RGB"))


class FeatureCache:
    """Features by sha256 of the input bytes, one .npz per extractor setting. Feature maps are
    kept as float16: half the memory and disk, and far below what changes a decision."""

    def __init__(self, cache_dir, alpha, recipe, sequence=False):
        """sequence: build_sequence_extractor's vectors, in a file of their own."""
        cut = recipe.features
        where = f"{cut.size[0]}x{cut.size[1]}-{cut.layer}" if cut.layer else str(MOBILENET_SIZE)
        if sequence:
            pool = recipe.sequence_pool
            where += "-sequence" + (f"-pool{pool[0]}x{pool[1]}" if pool else "")
        self.path = Path(cache_dir) / f"mobilenet-{ALPHAS[alpha]}-{where}.npz"
        self.dtype = np.float32 if cut.layer is None else np.float16
        self.entries = {}
        if self.path.exists():
            with np.load(self.path) as stored:
                self.entries = dict(zip(stored["keys"].tolist(), stored["features"], strict=True))

    def save(self):
        buffer = io.BytesIO()
        keys = list(self.entries)
        np.savez(buffer, keys=np.array(keys), features=np.stack([self.entries[k] for k in keys]))
        files.write_bytes(self.path, buffer.getvalue())


def compute_features(extractor, frames, batch_size=64, label="frames"):
    """Run the extractor over a uint8 N x 56 x 100 x 3 array in batches, with progress output."""
    outputs = []
    for start in range(0, len(frames), batch_size):
        batch = frames[start : start + batch_size].astype(np.float32)
        outputs.append(extractor.predict_on_batch(batch))
        done = min(start + batch_size, len(frames))
        if done == len(frames) or (start // batch_size) % 10 == 9:
            say(f"  features: {done}/{len(frames)} {label}")
    return np.concatenate(outputs) if outputs else np.zeros((0, *extractor.output_shape[1:]), np.float32)


READ_CHUNK = 2048  # frames read into memory at once


def cached_features(paths, read_frame, extractor, cache, kind):
    """Features for files, computing only those whose content (and kind of reading) is new."""
    keys = [hashlib.sha256(kind.encode() + Path(p).read_bytes()).hexdigest() for p in paths]
    new = {}  # content key -> one file with that content: identical files are computed once
    for key, path in zip(keys, paths, strict=True):
        if key not in cache.entries:
            new.setdefault(key, path)
    say(f"  {len(set(keys)) - len(new)}/{len(set(keys))} {kind} features found in cache")
    if new:
        todo = list(new.items())
        for start in range(0, len(todo), READ_CHUNK):  # so many frames of clips need not fit in memory
            chunk = todo[start : start + READ_CHUNK]
            frames = np.stack([read_frame(path) for _, path in chunk])
            label = kind if len(todo) <= READ_CHUNK else f"{kind} ({start + len(chunk)}/{len(todo)} read)"
            for (key, _), vector in zip(chunk, compute_features(extractor, frames, label=label), strict=True):
                cache.entries[key] = vector.astype(cache.dtype)
        cache.save()
    return np.stack([cache.entries[k] for k in keys]) if keys else np.zeros((0, *extractor.output_shape[1:]))


def extractor_and_cache(made_by, cache_dir, kind="photo"):
    """(extractor, cache, kind) for cached_features, for heads made by {"recipe", "alpha"}."""
    alpha, recipe = made_by["alpha"], recipes.named(made_by["recipe"])
    return build_feature_extractor(alpha, recipe), FeatureCache(cache_dir, alpha, recipe), kind


def picture_decoder(made_by):
    """How evaluate and predict first read a picture (path -> what picture_features' `read`
    gives back, or BadImage): the page's grey frame for MobileNet; for keypoints only a check
    that it decodes, since the pose model reads it at full size when its keypoints are not cached
    (full-size photos kept for a whole folder would not fit in memory)."""
    if isinstance(recipes.named(made_by["recipe"]).features, recipes.MobileNetCut):
        return photo_frame

    def checked(path):
        load_image(path)

    return checked


def picture_features(paths, read, made_by, cache_dir):
    """What the heads made by {"recipe", "alpha"} read of picture files: MobileNet's features of
    each one's frame (read: path -> its frame), or the pose model's keypoints of the picture at
    full size, in width units (zeros where nobody is found). Both cached."""
    recipe = recipes.named(made_by["recipe"])
    if isinstance(recipe.features, recipes.MobileNetCut):
        return cached_features(paths, read, *extractor_and_cache(made_by, cache_dir))
    from tfjs_kombat import keypoint_features

    return keypoint_features.pictures_keypoints(paths, recipe.features.pose_model, cache_dir)


def list_frames(split_dir):
    """Frame files of one split folder and their class indices (position in CLASS_DIRS)."""
    paths, labels = [], []
    for index, class_dir in enumerate(CLASS_DIRS):
        found = sorted((Path(split_dir) / class_dir).glob("*.png"))
        paths += found
        labels += [index] * len(found)
    return paths, np.array(labels, dtype=np.int64)


def list_clips(split_dir):
    """Clip folders of one clips/<split> folder, in class order then by name:
    [(folder, class index in CLIP_CLASS_DIRS, its frame files in order)]; empty folders left out."""
    clips = []
    for index, class_dir in enumerate(CLIP_CLASS_DIRS):
        folder = Path(split_dir) / class_dir
        for clip in sorted(folder.iterdir()) if folder.is_dir() else []:
            frames = clip_frame_files(clip) if clip.is_dir() else []
            if frames:
                clips.append((clip, index, frames))
    return clips


def clip_windows(frames, length=SEQUENCE_LENGTH):
    """The windows of a clip of `frames` frames -> int array [windows, length] of frame indices.

    Windows step by length // 2 and the last one ends at the clip's last frame; a window that
    would start before the first frame repeats the first frame (padding at the front), so a clip
    shorter than `length` gives one window."""
    if frames < 1:
        raise ValueError("a clip needs at least one frame")
    stride = max(1, length // 2)
    ends = list(range(frames - 1, length - 2, -stride))[::-1] or [frames - 1]
    steps = np.arange(length) - (length - 1)
    return np.maximum(np.array(ends)[:, None] + steps[None, :], 0)


def clip_sources(frames_dir):
    """{clip folder relative to frames_dir: the dataset clip it was made from}, from the augment
    stage's index.json; empty when there is none (frames brought from elsewhere)."""
    try:
        index = json.loads((Path(frames_dir) / "index.json").read_text(encoding="utf-8"))
        return {record["path"]: record["source"] for record in index["clips"]["files"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def source_clip(folder, sources):
    """The dataset clip a clip folder (relative to the frames folder) was made from: as index.json
    says, else the folder without its variation (clips/train/kicks/00003_05 -> .../00003)."""
    if folder in sources:
        return sources[folder]
    parent, _, name = folder.rpartition("/")
    return f"{parent}/{name.split('_')[0]}"


def extract_clip_features(frames_dir, out_dir, extractor, cache, recipe, alpha, length=SEQUENCE_LENGTH):
    """frames_dir/clips/{train,test}/<class>/<clip>/NNN.png -> out_dir/clips_{train,test}.npz.

    Keys: x float32 [N, length, D]; y int64 [N] (index in CLIP_CLASS_DIRS); clip int64 [N] (which
    source clip the window comes from, numbered per split: every window of every variation of a
    clip shares it); source str [N] (that clip's path in the dataset); folder str [N] (the window's
    clip folder) and frames str [N, length] (its frame files), relative to frames_dir; end int64
    [N] (the window's last frame in its clip); alpha (float); recipe (its name); pool (int64 [2],
    or [0] when the recipe's vectors are not pooled). Returns the number of windows per split.
    """
    frames_dir, sources, written = Path(frames_dir), clip_sources(frames_dir), {}
    for split in ("train", "test"):
        clips = list_clips(frames_dir / "clips" / split)
        if split == "train" and not clips:
            raise UserError(f"no clips in {shown(frames_dir / 'clips' / 'train')}")
        if not clips:
            warn(f"no clips in {shown(frames_dir / 'clips' / split)}: clips_{split}.npz holds no window")
        paths = [frame for _, _, frames in clips for frame in frames]
        say(f"clips {split}: {len(clips)} clips, {len(paths)} frames")
        vectors = cached_features(paths, load_frame, extractor, cache, kind="frame")
        x, y, ids, source_names, names, ends, window_frames = [], [], [], [], [], [], []
        numbers, start = {}, 0  # source clip -> its number
        for folder, label, frames in clips:
            name = folder.relative_to(frames_dir).as_posix()
            source = source_clip(name, sources)
            relative = np.array([frame.relative_to(frames_dir).as_posix() for frame in frames])
            for window in clip_windows(len(frames), length):
                x.append(vectors[start + window])
                y.append(label)
                ids.append(numbers.setdefault(source, len(numbers)))
                source_names.append(source)
                names.append(name)
                ends.append(window[-1])
                window_frames.append(relative[window])
            start += len(frames)
        size = extractor.output_shape[1]
        pool = recipe.sequence_pool
        arrays = {
            "x": np.stack(x).astype(np.float32) if x else np.zeros((0, length, size), np.float32),
            "y": np.array(y, dtype=np.int64),
            "clip": np.array(ids, dtype=np.int64),
            "source": np.array(source_names, dtype=str),
            "folder": np.array(names, dtype=str),
            "end": np.array(ends, dtype=np.int64),
            "frames": np.array(window_frames, dtype=str).reshape(len(x), length),
            "alpha": alpha,
            "recipe": recipe.name,
            "pool": np.array(pool or [], dtype=np.int64),
        }
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        files.write_bytes(Path(out_dir) / f"clips_{split}.npz", buffer.getvalue())
        say(f"clips {split}: {len(x)} windows of {length} frames")
        written[split] = len(x)
    return written


def remove_stale(out_dir, names):
    """Remove an earlier run's outputs that this run does not write (the data has none of them)."""
    for name in names:
        path = Path(out_dir) / name
        if path.exists():
            path.unlink()
            say(f"removed {shown(path)} (no such frames this time)")


def extract_split_features(frames_dir, out_dir, recipe, alpha=DEFAULT_ALPHA, cache_dir="build/cache"):
    """build/frames/{train,test}/<class>/*.png -> out_dir/{train,test}.npz (x, y, paths, alpha, and
    the recipe's name);
    build/frames/clips/, when there, -> out_dir/clips_{train,test}.npz (see extract_clip_features).

    Returns the number of frames per split ("train", "test") when there are images, and the
    number of windows per split ("clips_train", "clips_test") when there are clips.
    """
    frames_dir = Path(frames_dir)
    has_clips = (frames_dir / "clips").is_dir()
    if not (frames_dir / "train").is_dir() and not has_clips:
        raise UserError(f"{shown(frames_dir)} has no train/ folder; run `tfjs-kombat augment` first")
    alpha = resolve_alpha(alpha)  # the number, never "auto", names the cache and goes in the npz
    listed = {split: list_frames(frames_dir / split) for split in ("train", "test")}
    written = {}
    if any(len(paths) for paths, _ in listed.values()) or not has_clips:
        extractor = build_feature_extractor(alpha, recipe)
        cache = FeatureCache(cache_dir, alpha, recipe)
        for split in ("train", "test"):
            paths, labels = listed[split]
            if not paths:
                raise UserError(f"no frames in {shown(frames_dir / split)}")
            say(f"{split}: {len(paths)} frames")
            x = cached_features(paths, load_frame, extractor, cache, kind="frame")
            buffer = io.BytesIO()
            relative = [str(p.relative_to(frames_dir)) for p in paths]
            np.savez(buffer, x=x, y=labels, paths=np.array(relative), alpha=alpha, recipe=recipe.name)
            files.write_bytes(Path(out_dir) / f"{split}.npz", buffer.getvalue())
            written[split] = len(paths)
    else:
        remove_stale(out_dir, ["train.npz", "test.npz"])
    if has_clips:
        extractor = build_sequence_extractor(alpha, recipe)
        cache = FeatureCache(cache_dir, alpha, recipe, sequence=True)
        counts = extract_clip_features(frames_dir, out_dir, extractor, cache, recipe, alpha)
        written.update({f"clips_{split}": count for split, count in counts.items()})
    else:
        remove_stale(out_dir, ["clips_train.npz", "clips_test.npz"])
    return written


def recipe_name(stored, path):
    """The name of the recipe that made a features file; UserError for a file without one."""
    if "recipe" not in stored.files:
        raise UserError(f"{shown(path)} does not say which recipe made it; run `tfjs-kombat features` again")
    return str(stored["recipe"])


def stored_alpha(stored, path, recipe):
    """The MobileNet width that made a features file; None for a recipe without MobileNet."""
    if not isinstance(recipe.features, recipes.MobileNetCut):
        return None
    if "alpha" not in stored.files:
        raise UserError(f"{shown(path)} lacks alpha; run `tfjs-kombat features` again")
    return float(stored["alpha"])


def load_split(features_dir, split):
    """(x, y, {"alpha": ..., "recipe": ...}) of one split written by extract_split_features (or
    keypoint_features: alpha None)."""
    path = Path(features_dir) / f"{split}.npz"
    if not path.exists():
        raise UserError(f"{shown(path)} not found; run `tfjs-kombat features` first")
    with np.load(path) as stored:
        recipe = recipes.named(recipe_name(stored, path))
        return stored["x"], stored["y"], {"alpha": stored_alpha(stored, path, recipe), "recipe": recipe.name}


class Clips(NamedTuple):
    x: np.ndarray  # [windows, T, D]: the last T frame vectors at each step of a clip
    y: np.ndarray  # [windows]: the clip's class, an index in CLIP_CLASS_NAMES
    clip: np.ndarray  # [windows]: which clip the window comes from
    made_by: dict  # {"alpha", "recipe", "pool"}


def stored_pool(stored, recipe):
    """How the clip stage pooled each frame's features: [rows, columns] of the cells it averaged
    the pose recipe's map over, or None (the vector as it is). Saved as two integers; an empty
    array, a string "none" or a pickled None all mean None; absent, the recipe's own."""
    if "pool" not in stored.files:
        return list(recipe.sequence_pool) if recipe.sequence_pool else None
    try:
        value = np.asarray(stored["pool"])
    except ValueError:  # a pickled object (None) needs allow_pickle: it can only be None here
        return None
    if value.dtype.kind in "US":
        digits = [int(part) for part in "".join(c if c.isdigit() else " " for c in str(value)).split()]
        return digits or None
    return [int(v) for v in value.ravel()] or None


def load_clips(features_dir, split):
    """The clip stage's windows of one split (clips_train.npz or clips_test.npz)."""
    path = Path(features_dir) / CLIP_FILES[split]
    if not path.exists():
        raise UserError(f"{shown(path)} not found; run `tfjs-kombat features` first")
    with np.load(path) as stored:
        missing = {"x", "y", "clip"} - set(stored.files)
        if missing:
            raise UserError(
                f"{shown(path)} lacks {', '.join(sorted(missing))}; run `tfjs-kombat features` again"
            )
        recipe = recipes.named(recipe_name(stored, path))
        made_by = {
            "alpha": stored_alpha(stored, path, recipe),
            "recipe": recipe.name,
            "pool": stored_pool(stored, recipe),
        }
        x, y, clip = stored["x"].astype(np.float32), stored["y"].astype(int), stored["clip"].astype(int)
    if x.ndim < 3 or len(y) != len(x) or len(clip) != len(x):
        raise UserError(
            f"{shown(path)} holds x {list(x.shape)}, y {list(y.shape)}, clip {list(clip.shape)}: "
            "x must be windows x frames x features (keypoints: x 33 x 4), with one class and one "
            "clip per window"
        )
    if len(y) and (y.min() < 0 or y.max() >= len(CLIP_CLASS_NAMES)):
        raise UserError(
            f"{shown(path)} has classes outside 0..{len(CLIP_CLASS_NAMES) - 1} ({CLIP_CLASS_NAMES})"
        )
    try:
        metrics.clip_labels(y, clip)
    except ValueError as error:
        raise UserError(f"{shown(path)}: {error}") from None
    return Clips(x, y, clip, made_by)


def add_arguments(parser):
    parser.add_argument(
        "source",
        nargs="?",
        help="the augment stage's output (default: build/frames); for the keypoints recipe, the "
        "dataset stage's split.json (default: build/split.json)",
    )
    parser.add_argument(
        "--generated",
        action="store_true",
        help="keypoints recipe: generated people (synth/keypoint_data.py) instead of a dataset",
    )
    parser.add_argument(
        "--out", default="build/features", help="folder for train.npz, test.npz (clips: clips_train.npz, ...)"
    )
    parser.add_argument(
        "--alpha",
        type=alpha_argument,
        default=DEFAULT_ALPHA,
        help="MobileNet width; auto: the article's 1.0 if its weights can be had, else the widest cached",
    )
    parser.add_argument("--cache", default="build/cache", help="feature cache folder")
    recipes.add_argument(parser, "the recipe whose features to compute")


def recipe_features(args):
    """The features stage as the recipe's features type needs: MobileNet on the augmented frames,
    or the pose model's keypoints of a split's pictures or of generated people."""
    if isinstance(args.recipe.features, recipes.MobileNetCut):
        if args.generated:
            raise UserError(f"--generated makes keypoints; the {args.recipe.name} recipe reads pictures")
        source = args.source or "build/frames"
        return extract_split_features(source, args.out, args.recipe, args.alpha, args.cache)
    from tfjs_kombat import keypoint_features

    if args.generated:
        if args.source:
            raise UserError("give either a split.json or --generated, not both")
        return keypoint_features.generated(args.out, args.recipe)
    source = Path(args.source or "build/split.json")
    if source.is_dir():
        raise UserError(
            f"{shown(source)} is a folder: the {args.recipe.name} recipe reads the dataset stage's "
            "split.json (`tfjs-kombat dataset DATA --out build/split.json`), or --generated"
        )
    return keypoint_features.from_split(source, args.out, args.recipe, args.cache)


def run(args):
    counts = recipe_features(args)
    if "train" in counts:
        say(
            f"wrote features of {counts['train']} train and {counts['test']} test frames to {shown(args.out)}"
        )
    if "clips_train" in counts:
        say(
            f"wrote {counts['clips_train']} train and {counts['clips_test']} test windows of "
            f"{SEQUENCE_LENGTH} frames to {shown(args.out)}"
        )
