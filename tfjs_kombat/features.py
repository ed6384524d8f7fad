"""Features: ImageNet MobileNet v1 on a frame, cut where the recipe says, preprocessing inside.

The article fed each 100x56 frame to `mobilenet.infer(frame, 'global_average_pooling2d_1')`,
which scales pixels to [-1, 1] and resizes bilinearly to 224x224: one 1024*alpha vector, the
average over the whole picture (recipe "article"). The "pose" recipe keeps the frame's aspect
ratio (160x288) and stops at block 11, whose 10x18 map still says *where* things are; its head
runs the remaining blocks. Either way the extractor is ONE Keras model (raw 0..255 pixels in),
so the model exported to the browser cannot drift from the one that made the training features.

Features are cached by image content and settings: a re-run only computes what is new.
"""

import hashlib
import io
from pathlib import Path

import keras
import numpy as np
from PIL import Image

from tfjs_kombat import files
from tfjs_kombat.config import (
    CLASS_DIRS,
    DEFAULT_ALPHA,
    DEFAULT_RECIPE,
    FRAME_HEIGHT,
    FRAME_WIDTH,
    MOBILENET_SIZE,
    RECIPES,
)
from tfjs_kombat.errors import UserError, say, shown
from tfjs_kombat.mobilenet import ALPHAS, CUTS, alpha_argument, load_mobilenet, resolve_alpha


def feature_size(alpha):
    return int(1024 * alpha)


def alpha_for_feature_size(size):
    """A head's input width tells which MobileNet made its features (1024 * alpha)."""
    for alpha in ALPHAS:
        if feature_size(alpha) == size:
            return alpha
    raise UserError(f"a head with {size} inputs matches no MobileNet width {sorted(ALPHAS)}")


def build_feature_extractor(alpha=DEFAULT_ALPHA, recipe="article"):
    """Raw 100x56 RGB pixels (0..255) -> the recipe's MobileNet features.

    MobileNet's layers are built directly on the preprocessing (not nested as one layer): the
    TensorFlow.js converter cannot freeze a SavedModel of a model nested in a model.
    """
    alpha, cut = resolve_alpha(alpha), CUTS[recipe]
    frame = keras.Input((FRAME_HEIGHT, FRAME_WIDTH, 3), name="frame")
    scaled = keras.layers.Rescaling(1 / 127.5, offset=-1, name="to_unit_range")(frame)
    resized = keras.layers.Resizing(*cut.size, "bilinear", name="to_mobilenet_size")(scaled)
    mobilenet = load_mobilenet(alpha, resized, "avg" if cut.layer is None else None, cut.size)
    output = mobilenet.output if cut.layer is None else mobilenet.get_layer(cut.layer).output
    return keras.Model(frame, output, name=f"mobilenet_{recipe}_{ALPHAS[alpha]}")


def load_frame(path):
    """A 100x56 frame file (as the augment stage writes them, grey or colour) -> uint8 HxWx3."""
    image = Image.open(path).convert("RGB")
    if image.size != (FRAME_WIDTH, FRAME_HEIGHT):
        raise UserError(f"{shown(path)} is {image.size[0]}x{image.size[1]}, not a 100x56 frame")
    return np.asarray(image)


class FeatureCache:
    """Features by sha256 of the input bytes, one .npz per extractor setting. Feature maps are
    kept as float16: half the memory and disk, and far below what changes a decision."""

    def __init__(self, cache_dir, alpha, recipe="article"):
        cut = CUTS[recipe]
        where = f"{cut.size[0]}x{cut.size[1]}-{cut.layer}" if cut.layer else str(MOBILENET_SIZE)
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


def cached_features(paths, read_frame, extractor, cache, kind):
    """Features for files, computing only those whose content (and kind of reading) is new."""
    keys = [hashlib.sha256(kind.encode() + Path(p).read_bytes()).hexdigest() for p in paths]
    new = {}  # content key -> one file with that content: identical files are computed once
    for key, path in zip(keys, paths, strict=True):
        if key not in cache.entries:
            new.setdefault(key, path)
    say(f"  {len(set(keys)) - len(new)}/{len(set(keys))} {kind} features found in cache")
    if new:
        frames = np.stack([read_frame(path) for path in new.values()])
        for key, vector in zip(new, compute_features(extractor, frames, label=kind), strict=True):
            cache.entries[key] = vector.astype(cache.dtype)
        cache.save()
    return np.stack([cache.entries[k] for k in keys]) if keys else np.zeros((0, *extractor.output_shape[1:]))


def extractor_and_cache(made_by, cache_dir, kind="photo"):
    """(extractor, cache, kind) for cached_features, for heads made by {"recipe", "alpha"}."""
    alpha, recipe = made_by["alpha"], made_by["recipe"]
    return build_feature_extractor(alpha, recipe), FeatureCache(cache_dir, alpha, recipe), kind


def list_frames(split_dir):
    """Frame files of one split folder and their class indices (position in CLASS_DIRS)."""
    paths, labels = [], []
    for index, class_dir in enumerate(CLASS_DIRS):
        found = sorted((Path(split_dir) / class_dir).glob("*.png"))
        paths += found
        labels += [index] * len(found)
    return paths, np.array(labels, dtype=np.int64)


def extract_split_features(
    frames_dir, out_dir, alpha=DEFAULT_ALPHA, cache_dir="build/cache", recipe=DEFAULT_RECIPE
):
    """build/frames/{train,test}/<class>/*.png -> out_dir/{train,test}.npz (x, y, paths, alpha, recipe)."""
    frames_dir = Path(frames_dir)
    if not (frames_dir / "train").is_dir():
        raise UserError(f"{shown(frames_dir)} has no train/ folder; run `tfjs-kombat augment` first")
    alpha = resolve_alpha(alpha)  # the number, never "auto", names the cache and goes in the npz
    extractor = build_feature_extractor(alpha, recipe)
    cache = FeatureCache(cache_dir, alpha, recipe)
    written = {}
    for split in ("train", "test"):
        paths, labels = list_frames(frames_dir / split)
        if not paths:
            raise UserError(f"no frames in {shown(frames_dir / split)}")
        say(f"{split}: {len(paths)} frames")
        x = cached_features(paths, load_frame, extractor, cache, kind="frame")
        buffer = io.BytesIO()
        relative = [str(p.relative_to(frames_dir)) for p in paths]
        np.savez(buffer, x=x, y=labels, paths=np.array(relative), alpha=alpha, recipe=recipe)
        files.write_bytes(Path(out_dir) / f"{split}.npz", buffer.getvalue())
        written[split] = len(paths)
    return written


def load_split(features_dir, split):
    """(x, y, {"alpha": ..., "recipe": ...}) of one split written by extract_split_features."""
    path = Path(features_dir) / f"{split}.npz"
    if not path.exists():
        raise UserError(f"{shown(path)} not found; run `tfjs-kombat features` first")
    with np.load(path) as stored:
        recipe = str(stored["recipe"]) if "recipe" in stored else "article"
        return stored["x"], stored["y"], {"alpha": float(stored["alpha"]), "recipe": recipe}


def add_arguments(parser):
    parser.add_argument("frames_dir", nargs="?", default="build/frames", help="the augment stage's output")
    parser.add_argument("--out", default="build/features", help="folder for train.npz and test.npz")
    parser.add_argument(
        "--alpha",
        type=alpha_argument,
        default=DEFAULT_ALPHA,
        help="MobileNet width; auto: the article's 1.0 if its weights can be had, else the widest cached",
    )
    parser.add_argument("--cache", default="build/cache", help="feature cache folder")
    parser.add_argument("--recipe", choices=RECIPES, default=DEFAULT_RECIPE, help="where to read MobileNet")


def run(args):
    counts = extract_split_features(args.frames_dir, args.out, args.alpha, args.cache, args.recipe)
    say(f"wrote features of {counts['train']} train and {counts['test']} test frames to {shown(args.out)}")
