"""Predict: run trained heads on images and print what the game would do.

Each image goes the page's way: top 100:56 band -> 100x56 -> grey -> MobileNet -> head (the
keypoints recipe: the whole picture -> the pose model's keypoints -> head). The
decisions are the article's: the punch head punches at P >= 0.4; the punch/kick head does
nothing if P(other) >= 0.4, else picks the larger of punch and kick if it reaches 0.35.
"""

from pathlib import Path

from tfjs_kombat import features, recipes
from tfjs_kombat.config import CLASS_NAMES, OTHER
from tfjs_kombat.errors import UserError, say, shown, warn
from tfjs_kombat.frames import BadImage
from tfjs_kombat.heads import load_heads

DECISION_NAMES = {**dict(enumerate(CLASS_NAMES)), OTHER: "stand"}  # "stand" is the game's onStand()


def readable_frames(paths, decode):
    """{path: decode(path)} (features.picture_decoder's) of the paths that decode as images, each
    decoded once; the others are reported and left out."""
    found = {}
    for path in dict.fromkeys(map(Path, paths)):
        try:
            found[path] = decode(path)
        except BadImage as reason:
            warn(f"skipping {shown(path)}: {reason}")
    return found


def predict_images(paths, models_dir="models", cache_dir="build/cache"):
    """Per image: each head's probabilities and its decision."""
    loaded, made_by = load_heads(models_dir, recipes.FRAME_HEAD_NAMES)
    recipe = recipes.named(made_by["recipe"])
    frames = readable_frames(paths, features.picture_decoder(made_by))
    if not frames:
        raise UserError("none of the given files is a readable image")
    paths = [path for path in map(Path, paths) if path in frames]
    x = features.picture_features(paths, frames.__getitem__, made_by, cache_dir)
    results = [{"image": str(p)} for p in paths]
    for name, model in loaded.items():
        outputs = model.predict(x, verbose=0)
        decisions = recipe.head(name).decisions(outputs)
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
