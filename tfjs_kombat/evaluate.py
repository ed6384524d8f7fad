"""Evaluate: score a trained head on another dataset folder, without training.

For example a friend's recording: does the model generalise to a new person and room? Every
readable image of the folder's class subfolders is scored (no balancing, no split).
"""

from pathlib import Path

import numpy as np

from tfjs_kombat import dataset, features, files, metrics
from tfjs_kombat.config import BINARY_CLASS_NAMES, CLASS_DIRS, CLASS_NAMES, KICK, PUNCH
from tfjs_kombat.errors import UserError, say, shown, warn
from tfjs_kombat.frames import photo_frame
from tfjs_kombat.predict import HEADS, load_heads


def evaluate_head(data_dir, head="punch_kick", models_dir="models", out_path=None, cache_dir="build/cache"):
    loaded, alpha = load_heads(models_dir, names=(head,))
    scan = dataset.scan(data_dir, decode=photo_frame)
    for message in scan.warnings + [f"skipping {shown(p)}: {reason}" for p, reason in scan.skipped]:
        warn(message)
    paths = [path for class_dir in CLASS_DIRS for path in scan.images[class_dir]]
    labels = np.array(
        [CLASS_DIRS.index(class_dir) for class_dir in CLASS_DIRS for _ in scan.images[class_dir]]
    )
    say(f"evaluating {head} on {len(paths)} images of {shown(data_dir)}")
    extractor = features.build_feature_extractor(alpha)
    cache = features.FeatureCache(cache_dir, alpha)
    x = features.cached_features(paths, scan.decoded.__getitem__, extractor, cache, kind="photo")
    outputs = loaded[head].predict(x, verbose=0)
    if head == "punch":  # trained on punches against others, so scored on those
        rows = labels != KICK
        report = metrics.classification_report(
            labels[rows] == PUNCH, outputs[rows, 0] >= 0.5, BINARY_CLASS_NAMES
        )
    else:
        report = metrics.classification_report(labels, outputs.argmax(axis=1), CLASS_NAMES)
    report.update(
        head=head,
        data=str(Path(data_dir).resolve()),
        samples={"test": int(np.array(report["confusion_matrix"]).sum())},
        skipped=[{"path": Path(p).relative_to(scan.root).as_posix(), "reason": r} for p, r in scan.skipped],
    )
    say(metrics.format_report(report))
    if out_path:
        files.write_json(out_path, report)
        say(f"wrote {shown(out_path)}")
    return report


def add_arguments(parser):
    parser.add_argument("data", help="a dataset folder with punches/, kicks/, others/")
    parser.add_argument("--head", choices=HEADS, default="punch_kick", help="which trained head to score")
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
