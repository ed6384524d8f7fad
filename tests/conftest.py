"""Shared test set-up: the offline Keras cache with real MobileNet 0.75 weights.

Tests that expect learning need real ImageNet weights (random ones give ~1e-21 features). They
come from KERAS_HOME, defaulting to ../shared/keras-home beside the project. Without the
weights those tests skip locally, but fail in CI (CI=true), where they must run.
"""

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_KERAS_HOME = ROOT.parent / "shared" / "keras-home"
if "KERAS_HOME" not in os.environ and SHARED_KERAS_HOME.is_dir():
    os.environ["KERAS_HOME"] = str(SHARED_KERAS_HOME)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

TEST_ALPHA = 0.75
WEIGHTS = (
    Path(os.environ.get("KERAS_HOME", "~/.keras")).expanduser() / "models" / "mobilenet_7_5_224_tf_no_top.h5"
)
if os.environ.get("CI") and not WEIGHTS.exists():
    raise RuntimeError(f"CI needs the MobileNet 0.75 weights at {WEIGHTS}; set KERAS_HOME")

requires_weights = pytest.mark.skipif(
    not WEIGHTS.exists(), reason=f"needs real MobileNet 0.75 weights at {WEIGHTS} (set KERAS_HOME)"
)
