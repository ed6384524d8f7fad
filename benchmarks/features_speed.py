"""Feature stage throughput vs bare `model.predict` on the same frames (a benchmark, not a test).

The stage reads frame files, hashes them for the cache, and runs MobileNet in batches; this
prints both rates and their ratio (target >= 0.8: the stage should cost little beyond MobileNet).

    KERAS_HOME=../shared/keras-home .venv/bin/python benchmarks/features_speed.py --alpha 0.75
"""

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from tfjs_kombat import features, mobilenet  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--alpha", type=mobilenet.alpha_argument, default="auto")
    parser.add_argument("--frames", type=int, default=512)
    args = parser.parse_args()
    alpha = mobilenet.resolve_alpha(args.alpha)

    extractor = features.build_feature_extractor(alpha)
    rng = np.random.default_rng(0)
    frames = rng.integers(0, 256, (args.frames, 56, 100, 3), dtype=np.uint8)
    extractor.predict(frames[:64].astype(np.float32), batch_size=64, verbose=0)  # warm up both paths

    start = time.perf_counter()
    extractor.predict(frames.astype(np.float32), batch_size=64, verbose=0)
    bare = args.frames / (time.perf_counter() - start)

    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for i, frame in enumerate(frames):
            paths.append(Path(folder) / f"{i:05d}.png")
            Image.fromarray(frame).save(paths[-1])
        cache = features.FeatureCache(Path(folder) / "cache", alpha)
        start = time.perf_counter()
        features.cached_features(paths, features.load_frame, extractor, cache, kind="frame")
        stage = args.frames / (time.perf_counter() - start)

    print(f"MobileNet alpha {alpha}, {args.frames} frames of 100x56, batch 64, {os.cpu_count()} CPUs")
    print(f"bare model.predict: {bare:7.1f} images/s")
    print(f"feature stage:      {stage:7.1f} images/s (read + hash + predict + cache write)")
    print(f"ratio:              {stage / bare:7.2f} (target >= 0.8)")


if __name__ == "__main__":
    main()
