"""Predict: run trained heads on images and print what the game would do.

Each image goes the page's way: top 100:56 band -> 100x56 -> grey -> MobileNet -> head. The
decisions are the article's: the punch head punches at P >= 0.4; the punch/kick head does
nothing if P(other) >= 0.4, else picks the larger of punch and kick if it reaches 0.35.
"""

from pathlib import Path

import keras

from tfjs_kombat import features
from tfjs_kombat.config import (
    ACTION_THRESHOLD,
    CLASS_NAMES,
    KICK,
    OTHER,
    OTHER_THRESHOLD,
    PUNCH,
    PUNCH_THRESHOLD,
)
from tfjs_kombat.errors import UserError, say, shown, warn
from tfjs_kombat.frames import BadImage, photo_frame

HEADS = ("punch", "punch_kick")


def decide_punch(p_punch):
    return "punch" if p_punch >= PUNCH_THRESHOLD else "stand"


def decide_punch_kick(probabilities):
    """The article's n-ary rule; "stand" is the game's onStand()."""
    punch, kick, other = probabilities[PUNCH], probabilities[KICK], probabilities[OTHER]
    if other >= OTHER_THRESHOLD:
        return "stand"
    if kick > punch and kick >= ACTION_THRESHOLD:
        return "kick"
    if punch > kick and punch >= ACTION_THRESHOLD:
        return "punch"
    return "stand"


def load_heads(models_dir, names=HEADS):
    """The trained heads found in models_dir, and the MobileNet width their inputs imply."""
    loaded = {}
    for name in names:
        path = Path(models_dir) / f"{name}.keras"
        if path.exists():
            loaded[name] = keras.models.load_model(path)
    if not loaded:
        heads = ", ".join(names)
        raise UserError(f"no trained head ({heads}) in {shown(models_dir)}; run `make train` first")
    sizes = {model.input_shape[-1] for model in loaded.values()}
    if len(sizes) > 1:
        raise UserError(f"the heads in {shown(models_dir)} were trained on different feature sizes {sizes}")
    return loaded, features.alpha_for_feature_size(sizes.pop())


def readable_frames(paths):
    """{path: grey frame} of the paths that decode as images, each decoded once; the others are
    reported and left out."""
    found = {}
    for path in dict.fromkeys(map(Path, paths)):
        try:
            found[path] = photo_frame(path)
        except BadImage as reason:
            warn(f"skipping {shown(path)}: {reason}")
    return found


def predict_images(paths, models_dir="models", cache_dir="build/cache"):
    """Per image: each head's probabilities and its decision."""
    loaded, alpha = load_heads(models_dir)
    frames = readable_frames(paths)
    if not frames:
        raise UserError("none of the given files is a readable image")
    paths = [path for path in map(Path, paths) if path in frames]
    extractor = features.build_feature_extractor(alpha)
    cache = features.FeatureCache(cache_dir, alpha)
    x = features.cached_features(paths, frames.__getitem__, extractor, cache, kind="photo")
    results = [{"image": str(p)} for p in paths]
    if "punch" in loaded:
        for result, (p,) in zip(results, loaded["punch"].predict(x, verbose=0), strict=True):
            result["punch"] = {"p_punch": float(p), "decision": decide_punch(p)}
    if "punch_kick" in loaded:
        for result, row in zip(results, loaded["punch_kick"].predict(x, verbose=0), strict=True):
            probabilities = dict(zip(CLASS_NAMES, map(float, row), strict=True))
            result["punch_kick"] = {**probabilities, "decision": decide_punch_kick(row)}
    return results


def add_arguments(parser):
    parser.add_argument("images", nargs="+", help="image files (jpg/png)")
    parser.add_argument("--models", default="models", help="folder with punch.keras / punch_kick.keras")
    parser.add_argument("--cache", default="build/cache", help="feature cache folder")


def run(args):
    for result in predict_images(args.images, args.models, args.cache):
        line = shown(result["image"])
        if "punch" in result:
            punch = result["punch"]
            line += f"\n  punch head:      P(punch) {punch['p_punch']:.3f} -> {punch['decision']}"
        if "punch_kick" in result:
            probabilities = " ".join(f"{name} {result['punch_kick'][name]:.3f}" for name in CLASS_NAMES)
            line += f"\n  punch/kick head: {probabilities} -> {result['punch_kick']['decision']}"
        say(line)
