"""Evaluate: score a trained head on another dataset folder, without training.

For example a friend's recording: does the model generalise to a new person and room? Every
readable image of the folder's class subfolders is scored (no balancing, no split; one class will
do), those of the classes the head learnt (the punch head: punches/ and others/). Photos of any
size and aspect: the MobileNet recipes read the page's frame of each, the keypoints recipe the
pose model's keypoints of the whole picture.
"""

from collections import Counter
from pathlib import Path

import numpy as np

from tfjs_kombat import dataset, features, files, metrics, recipes
from tfjs_kombat.config import CLASS_DIRS
from tfjs_kombat.datafolder import IMAGE_EXTENSIONS
from tfjs_kombat.errors import UserError, say, shown, warn
from tfjs_kombat.heads import load_heads, target_classes


def evaluate_head(data_dir, head="punch_kick", models_dir="models", out_path=None, cache_dir="build/cache"):
    loaded, made_by = load_heads(models_dir, names=(head,))
    decode = features.picture_decoder(made_by)
    scan = dataset.scan(data_dir, decode=decode, training=False)  # any class is worth scoring
    for message in scan.warnings + [f"skipping {shown(p)}: {reason}" for p, reason in scan.skipped]:
        warn(message)
    paths = [path for class_dir in CLASS_DIRS for path in scan.images[class_dir]]
    labels = np.array(
        [CLASS_DIRS.index(class_dir) for class_dir in CLASS_DIRS for _ in scan.images[class_dir]], dtype=int
    )
    entry = recipes.named(made_by["recipe"]).head(head)
    rows, targets = entry.rows(labels)  # the punch head learnt punches against others: scored on those
    if not rows.any():
        raise UserError(nothing_to_score(scan, head, entry))
    say(f"evaluating {head} on {len(paths)} images of {shown(data_dir)}")
    x = features.picture_features(paths, scan.decoded.__getitem__, made_by, cache_dir)
    report = metrics.head_report(entry, target_classes(targets), loaded[head].predict(x[rows], verbose=0))
    report.update(
        head=head,
        recipe=made_by["recipe"],
        data=str(Path(data_dir).resolve()),
        samples={"test": int(np.array(report["confusion_matrix"]).sum())},
        skipped=[{"path": Path(p).relative_to(scan.root).as_posix(), "reason": r} for p, r in scan.skipped],
    )
    say(metrics.format_report(report))
    if out_path:
        files.write_json(out_path, report)
        say(f"wrote {shown(out_path)}")
    return report


def nothing_to_score(scan, head, entry):
    """Which images the head scores, where, and what the folder held instead."""
    scored_classes = entry.rows(np.arange(len(CLASS_DIRS)))[0]
    scored = ", ".join(name + "/" for name, kept in zip(CLASS_DIRS, scored_classes, strict=True) if kept)
    extensions = ", ".join(extension.lstrip(".") for extension in IMAGE_EXTENSIONS)
    skipped = Counter(Path(path).relative_to(scan.root).parts[0] for path, _ in scan.skipped)
    found = ", ".join(
        dataset.describe(scan.root, name, len(scan.images[name]), len(scan.images[name]) + skipped[name])
        for name in CLASS_DIRS
    )
    return (
        f"no images to score in {shown(scan.root)}: the {head} head scores images ({extensions}) "
        f"in {scored}; found {found}"
    )


def add_arguments(parser):
    parser.add_argument("data", help="a dataset folder with punches/, kicks/, others/")
    parser.add_argument(
        "--head", choices=recipes.FRAME_HEAD_NAMES, default="punch_kick", help="which trained head to score"
    )
    parser.add_argument("--models", default="models", help="folder with the trained heads")
    parser.add_argument(
        "--out", help="write the report as JSON here (default: <models>/evaluate-<head>.json)"
    )
    parser.add_argument("--cache", default="build/cache", help="feature cache folder")


def run(args):
    if not Path(args.data).is_dir():
        raise UserError(f"no such dataset folder: {shown(args.data)}")
    out = args.out or Path(args.models) / f"evaluate-{args.head}.json"
    evaluate_head(args.data, args.head, args.models, out, args.cache)
