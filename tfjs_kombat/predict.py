"""Predict: run trained heads on images and print what the game would do.

Each image goes the page's way: top 100:56 band -> 100x56 -> grey -> MobileNet -> head. The
decisions are the article's: the punch head punches at P >= 0.4; the punch/kick head does
nothing if P(other) >= 0.4, else picks the larger of punch and kick if it reaches 0.35.
"""

import json
from pathlib import Path

import keras

from tfjs_kombat import features, heads
from tfjs_kombat.config import CLASS_NAMES, OTHER
from tfjs_kombat.errors import UserError, say, shown, warn
from tfjs_kombat.frames import BadImage, photo_frame

DECISION_NAMES = {**dict(enumerate(CLASS_NAMES)), OTHER: "stand"}  # "stand" is the game's onStand()


def recipe_of(models_dir, loaded):
    """{"recipe", "alpha"} of the heads in models_dir: models/recipe.json, written by train; heads
    trained before recipes existed are the article's, their width read off their input."""
    path = Path(models_dir) / "recipe.json"
    if path.exists():
        return json.loads(path.read_text())
    sizes = {model.input_shape[-1] for name, model in loaded.items() if name in heads.HEAD_NAMES}
    if not sizes:
        raise UserError(f"{shown(path)} not found: train the heads in {shown(models_dir)} again")
    if len(sizes) > 1:
        raise UserError(f"the heads in {shown(models_dir)} were trained on different feature sizes {sizes}")
    return {"recipe": "article", "alpha": features.alpha_for_feature_size(sizes.pop())}


def load_heads(models_dir, names=heads.HEAD_NAMES):
    """The trained heads found in models_dir, and the recipe and MobileNet width that made them."""
    loaded = {}
    for name in names:
        path = Path(models_dir) / f"{name}.keras"
        if path.exists():
            loaded[name] = keras.models.load_model(path)
    if not loaded:
        raise UserError(
            f"no trained head ({', '.join(names)}) in {shown(models_dir)}; run `make train` first"
        )
    return loaded, recipe_of(models_dir, loaded)


def registered(made_by, name):
    """The registry's entry for a trained head."""
    return next(head for head in heads.HEADS[made_by["recipe"]] if head.name == name)


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
    loaded, made_by = load_heads(models_dir)
    frames = readable_frames(paths)
    if not frames:
        raise UserError("none of the given files is a readable image")
    paths = [path for path in map(Path, paths) if path in frames]
    x = features.cached_features(paths, frames.__getitem__, *features.extractor_and_cache(made_by, cache_dir))
    results = [{"image": str(p)} for p in paths]
    for name, model in loaded.items():
        outputs = model.predict(x, verbose=0)
        decisions = registered(made_by, name).decide(outputs)
        for result, row, decision in zip(results, outputs, decisions, strict=True):
            if name == "punch":
                result["punch"] = {"p_punch": float(row[0]), "decision": "punch" if decision else "stand"}
            else:
                probabilities = dict(zip(CLASS_NAMES, map(float, row), strict=True))
                result[name] = {**probabilities, "decision": DECISION_NAMES[decision]}
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
