"""Where BlazePose's files are: inside npm's `@mediapipe/pose` (Apache-2.0), which `make web`
installs in web/node_modules, the very bytes the page's models are converted from. Its detector is
packed as `pose_solution_packed_assets.data`: one file, byte for byte MediaPipe's pose_detection.tflite.
"""

from pathlib import Path

from tfjs_kombat.config import POSE_LANDMARK_MODELS
from tfjs_kombat.errors import UserError, shown

PACKAGE = Path(__file__).resolve().parents[2] / "web" / "node_modules" / "@mediapipe" / "pose"
DETECTOR_FILE = "pose_solution_packed_assets.data"
# The page's converted models (webmodels.py), beside TensorFlow.js, never committed.
WEB_MODELS = Path(__file__).resolve().parents[2] / "web" / "vendor" / "bodypose"
DETECTOR = "detector"


def landmark_name(variant):
    """The landmark model's name here and in web/vendor/bodypose/: landmark_lite, landmark_full."""
    if variant not in POSE_LANDMARK_MODELS:
        raise UserError(f"no pose landmark model {shown(variant)}: choose {', '.join(POSE_LANDMARK_MODELS)}")
    return f"landmark_{variant}"


def tflite_file(name, package=PACKAGE):
    """The .tflite file of the detector or a landmark model; a UserError when npm's package is absent."""
    path = Path(package) / (DETECTOR_FILE if name == DETECTOR else f"pose_{name}.tflite")
    if not path.is_file():
        raise UserError(
            f"the pose model {shown(path)} is missing: run `make web` (it installs @mediapipe/pose from npm)"
        )
    return path
