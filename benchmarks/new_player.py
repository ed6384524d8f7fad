"""New-player benchmark: train on some people in some rooms, test on people and rooms never seen.

Renders a population of distinct people and rooms (tfjs_kombat/synth/), trains every recipe
with the pipeline's own stages (dataset -> augment -> features -> train), scores the trained
punch/kick head with `evaluate` on unseen people in unseen rooms, and measures what the page
costs in Chromium. Prints the recipes side by side (a benchmark that prints, not a test):

- head accuracy: argmax of the punch/kick head on the unseen people's frames;
- decision accuracy: what the game does with those frames (the page's thresholds);
- idle false actions: share of "other" frames, empty rooms and plain test cards included, that
  make the fighter punch or kick;
- browser: median camera-to-decision ms on WASM and the MB of models the play page downloads
  (MobileNet recipes; the keypoints page is measured by benchmarks/browser_latency.py once it lands).

The keypoints recipe is trained on generated people only (keypoint_features.generated: no rendered
picture) and scored through the Python pose model on the same rendered unseen people. Its
variant "keypoints-front" is trained on front-facing, whole-body cameras only; it is scored on
the rendered people (the renderer draws them side on) and on generated people seen side on,
upper body only, never in its training: how the recipe carries to views and framings it lacks.

    KERAS_HOME=../shared/keras-home .venv/bin/python benchmarks/new_player.py   (make benchmark-new-player)
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from tfjs_kombat import (  # noqa: E402
    augment,
    config,
    convert,
    dataset,
    evaluate,
    features,
    heads,
    keypoint_features,
    metrics,
    predict,
    recipes,
    train,
)
from tfjs_kombat.synth import scene  # noqa: E402
from tfjs_kombat.synth.camera import random_shots  # noqa: E402
from tfjs_kombat.synth.person import random_person  # noqa: E402
from tfjs_kombat.synth.pose import POSES, random_angles  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import browser_latency  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TRAIN_PEOPLE, TEST_PEOPLE = 48, 8
TRAIN_ROOMS, TEST_ROOMS = 8, 4
ROOMS_PER_PERSON = 2
TEST_PER_CLASS = 6  # pictures per unseen person, room and class: 96 per class


def write_image(image, folder, counter):
    folder.mkdir(parents=True, exist_ok=True)
    counter[folder] = counter.get(folder, 0) + 1
    image.save(folder / f"{counter[folder]:04d}.jpg", quality=90)


def render_population(out, per_class, seed):
    """out/train: the training people in the training rooms (with some pictures of nobody among
    the others, as in the default data); out/unseen: new people in new rooms; out/idle: nobody,
    in the new rooms or a plain card. Each person is seen in ROOMS_PER_PERSON rooms."""
    rng = np.random.default_rng(seed)
    people = [random_person(rng) for _ in range(TRAIN_PEOPLE + TEST_PEOPLE)]
    rooms = [scene.random_room(rng) for _ in range(TRAIN_ROOMS + TEST_ROOMS)]
    backgrounds = [scene.room_background(room, (320, 240)) for room in rooms]
    counter = {}

    def shoot(folder, person, room_index, count):
        for pose, class_dir in zip(POSES, config.CLASS_DIRS, strict=True):
            for _ in range(count):
                angles = random_angles(pose, rng)
                image = scene.render_in_room(
                    people[person], rooms[room_index], angles, rng, background=backgrounds[room_index]
                )
                write_image(image, folder / class_dir, counter)

    for person in range(TRAIN_PEOPLE):
        for k in range(ROOMS_PER_PERSON):
            shoot(out / "train", person, (person + k * 3) % TRAIN_ROOMS, per_class)
    for _ in range(round(config.NOBODY_SHARE * TRAIN_PEOPLE * ROOMS_PER_PERSON * per_class)):
        write_image(scene.render_nobody(rng), out / "train" / "others", counter)
    for person in range(TRAIN_PEOPLE, TRAIN_PEOPLE + TEST_PEOPLE):
        for k in range(ROOMS_PER_PERSON):
            shoot(out / "unseen", person, TRAIN_ROOMS + (person + k) % TEST_ROOMS, TEST_PER_CLASS)
    for room_index in range(TRAIN_ROOMS, TRAIN_ROOMS + TEST_ROOMS):
        for _ in range(15):
            image = scene.render_empty(rooms[room_index], rng, background=backgrounds[room_index])
            write_image(image, out / "idle" / "others", counter)
    for _ in range(40):
        write_image(scene.render_card(rng), out / "idle" / "others", counter)
    return {folder.relative_to(out).as_posix(): count for folder, count in counter.items()}


FRONT_YAW = 25.0  # degrees: the front-only variant's cameras at most this far off the front
SIDE_YAW = (60.0, 90.0)  # its side-on test people


def front_shots(rng, count):
    """Cameras in front (within FRONT_YAW), framing the whole body."""
    shots = random_shots(rng, count, "whole_body")
    return shots._replace(yaw=rng.uniform(-FRONT_YAW, FRONT_YAW, count))


def side_shots(rng, count):
    """Cameras side on (SIDE_YAW either way), framing the upper body only."""
    shots = random_shots(rng, count, "upper_body")
    return shots._replace(yaw=rng.uniform(*SIDE_YAW, count) * rng.choice((-1, 1), count))


def train_recipe(recipe, data, work, alpha, shots=None):
    """The pipeline's stages, as `make train RECIPE=...` runs them; returns train's reports. A
    keypoints recipe trains on generated people (shots: where their cameras stand)."""
    if not isinstance(recipe.features, recipes.MobileNetCut):
        keypoint_features.generated(work / "features", recipe, shots=shots)
        return train.train_heads(work / "features", work / "models")
    dataset.make_split(data, work / "split.json")
    augment.augment_split(work / "split.json", work / "frames", recipe)
    features.extract_split_features(work / "frames", work / "features", recipe, alpha, work.parent / "cache")
    return train.train_heads(work / "features", work / "models")


def score(models, out, cache):
    """Head and decision accuracy on the unseen people; false actions over their others and idle."""
    people = evaluate.evaluate_head(out / "unseen", "punch_kick", models, cache_dir=cache)
    nobody = predict.predict_images(sorted((out / "idle" / "others").iterdir()), models, cache)
    others = people["per_class"]["other"]["support"]
    nobody_acting = sum(result["punch_kick"]["decision"] != "stand" for result in nobody)
    acting = people["false_action_rate"] * others + nobody_acting
    return {
        "head accuracy": people["test_accuracy"],
        "decision accuracy": people["decision_accuracy"],
        "idle false actions": acting / (others + len(nobody)),
        "empty room / card false actions": nobody_acting / len(nobody),
    }


def generated_side_on(models, work):
    """Head and decision accuracy, and idle false actions, of a keypoints set's frame head on
    generated people seen side on, upper body only (other people than any it trained on)."""
    keypoint_features.generated(work / "side", recipes.KEYPOINTS, seed=7, clips_per_class=0, shots=side_shots)
    x, y, _ = features.load_split(work / "side", "test")
    loaded, _ = heads.load_heads(models, ("punch_kick",))
    report = metrics.head_report(heads.KEYPOINT_FRAME_HEAD, y, loaded["punch_kick"].predict(x, verbose=0))
    return {
        "side-on generated: head accuracy": report["test_accuracy"],
        "side-on generated: decisions": report["decision_accuracy"],
        "side-on generated: idle false actions": report["false_action_rate"],
    }


def browser_cost(models, work, frames):
    """Convert for TensorFlow.js into a copy of web/ and time the play page on WASM."""
    web = work / "web"
    shutil.copytree(ROOT / "web", web, ignore=shutil.ignore_patterns("models", "node_modules", "mkjs"))
    convert.convert_models(models, web / "models", imagenet=False)
    result = browser_latency.measure(web, "wasm", frames)
    return {"WASM ms (median)": result["median_ms"], "play page models MB": result["models_mb"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    names = [recipe.name for recipe in recipes.RECIPES]
    parser.add_argument(
        "--recipes", nargs="+", default=[*names, "keypoints-front"], choices=[*names, "keypoints-front"]
    )
    parser.add_argument("--alpha", type=float, default=0.75)
    parser.add_argument("--per-class", type=int, default=3, help="pictures per person, room and class")
    parser.add_argument("--frames", type=int, default=100, help="frames the page classifies for timing")
    parser.add_argument("--no-browser", action="store_true", help="skip the browser cost")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", help="work in this folder and keep it (default: a temporary one)")
    args = parser.parse_args()

    work = Path(args.keep or tempfile.mkdtemp(prefix="new-player-"))
    started = time.monotonic()
    counts = render_population(work / "data", args.per_class, args.seed)
    print(f"rendered {sum(counts.values())} pictures: {counts}", flush=True)
    results = {}
    for name in args.recipes:
        print(f"\n=== recipe {name} ===", flush=True)
        recipe_dir, front = work / name, name == "keypoints-front"
        recipe = recipes.KEYPOINTS if front else recipes.named(name)
        reads_mobilenet = isinstance(recipe.features, recipes.MobileNetCut)
        took = time.monotonic()
        train_recipe(recipe, work / "data" / "train", recipe_dir, args.alpha, front_shots if front else None)
        results[name] = {"training s": time.monotonic() - took}
        results[name].update(score(recipe_dir / "models", work / "data", work / "cache"))
        if not reads_mobilenet:
            results[name].update(generated_side_on(recipe_dir / "models", recipe_dir))
        if not args.no_browser and reads_mobilenet:
            results[name].update(browser_cost(recipe_dir / "models", recipe_dir, args.frames))

    print(
        f"\nnew players: trained on {TRAIN_PEOPLE} people in {TRAIN_ROOMS} rooms, tested on "
        f"{TEST_PEOPLE} other people in {TEST_ROOMS} other rooms (MobileNet alpha {args.alpha})"
    )
    rows = list(dict.fromkeys(row for result in results.values() for row in result))
    print(f"{'':40}" + "".join(f"{recipe:>16}" for recipe in results))
    for row in rows:
        cells = (results[recipe].get(row) for recipe in results)
        wide = "ms" in row or "MB" in row or " s" in row
        as_text = (f"{'-':>16}" if v is None else f"{v:16.1f}" if wide else f"{v:16.3f}" for v in cells)
        print(f"{row:40}" + "".join(as_text))
    print(f"({time.monotonic() - started:.0f} s)")
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
