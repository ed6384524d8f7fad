"""The sequence head's layer over time, GRU against LSTM and a temporal Conv1D (a benchmark, not a test).

Trains each kind on a features folder's clips (clips_train.npz, clips_test.npz) with the same
per-frame Dense, epochs and seed, and prints its training time, its held-out scores per clip (all,
the look-alike kicks, punch/kick/other), its TensorFlow.js graph size and whether the graph runs
synchronously. Without a folder it makes synthetic clips of the pose recipe's shape
(tests/clip_features.py, [12, 2304] windows): a timing run, as those are easy to tell apart.

    KERAS_HOME=../shared/keras-home .venv/bin/python benchmarks/sequence_heads.py build/default/features
    .venv/bin/python benchmarks/sequence_heads.py --synthetic-windows 2000
"""

import argparse
import contextlib
import io
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # clip_features

from clip_features import write_clip_features  # noqa: E402

from tfjs_kombat import convert, features, heads, metrics, train  # noqa: E402
from tfjs_kombat.config import SEED  # noqa: E402


def scores(model, test):
    """Held-out accuracy per clip: all clips, the look-alike kicks, punch/kick/other."""
    truth = metrics.clip_labels(test.y, test.clip)
    guesses = metrics.mean_by_clip(model.predict(test.x, verbose=0), test.clip).argmax(axis=1)
    return (
        float((guesses == truth).mean()),
        metrics.accuracy_among(truth, guesses, metrics.LOOKALIKES),
        metrics.accuracy_among(truth, guesses, metrics.FRAME_MOVES),
    )


def graph_facts(model):
    """(size in bytes of the converted graph model, its weights' storage, whether it runs with predict())."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "model"
        stored = convert.export_graph_model(model, out)
        size = sum(path.stat().st_size for path in out.iterdir())
    return size, stored


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "features", nargs="?", help="a features folder with clips_train.npz and clips_test.npz"
    )
    parser.add_argument(
        "--kinds", nargs="+", default=list(heads.SEQUENCE_KINDS), choices=heads.SEQUENCE_KINDS
    )
    parser.add_argument("--epochs", type=int, default=heads.SEQUENCE_EPOCHS)
    parser.add_argument("--synthetic-windows", type=int, default=2000, help="without a folder: how many")
    parser.add_argument("--seeds", type=int, nargs="+", default=[SEED], help="one run per seed")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        folder = args.features
        if not folder:
            folder = Path(scratch) / "features"
            per_class = max(1, args.synthetic_windows // (2 * 5))  # 16-frame clips give 2 windows each
            write_clip_features(folder, train_clips=per_class, test_clips=per_class // 4, dim=2304)
        train_clips, test_clips = features.load_clips(folder, "train"), features.load_clips(folder, "test")
    print(
        f"{len(train_clips.x)} training windows of {list(train_clips.x.shape[1:])}, "
        f"{len(test_clips.x)} held-out; {args.epochs} epochs; {os.cpu_count()} CPUs"
    )
    print("one row per seed: held-out accuracy per clip (all, look-alike kicks, punch/kick/other)")
    columns = ("seed", 6), ("train s", 8), ("all", 7), ("look-alike", 11), ("p/k/o", 7), ("params", 9)
    print(f"{'kind':<6}" + "".join(f"{name:>{width}}" for name, width in columns) + "  graph")
    for kind in args.kinds:
        for seed in args.seeds:
            with contextlib.redirect_stdout(io.StringIO()):  # the per-epoch progress lines
                model, _, seconds = train.fit_sequence_head(
                    train_clips, test_clips, args.epochs, heads.SEQUENCE_LEARNING_RATE, seed, kind
                )
                size, stored = graph_facts(model)
            overall, lookalike, moves = (metrics.format_score(value) for value in scores(model, test_clips))
            print(
                f"{kind:<6}{seed:6d}{seconds:8.1f}{overall:>7}{lookalike:>11}{moves:>7}{model.count_params():9d}"
                f"  {size / 1e3:.0f} KB {stored}"
            )


if __name__ == "__main__":
    main()
