"""`tfjs-kombat posemodels`: BlazePose's networks as TensorFlow.js graph models for the page, in
web/vendor/bodypose/ (beside TensorFlow.js, built by `make web`, never committed).

Each is the very TensorFlow function Python runs (networks.py), saved and converted as convert.py
converts the trained models. BlazePose stores its weights as float16, so the page's float16 weights
are exactly Python's: a weight is stored as float16 only when that loses nothing. (uint8 would cost
its kernels 1-8% RMS each: more than MobileNet's, which convert keeps float16 for that.)
"""

import tempfile
from pathlib import Path

import numpy as np
import tensorflow as tf

from tfjs_kombat import convert, files
from tfjs_kombat.bodypose import modelfiles, networks
from tfjs_kombat.config import POSE_LANDMARK_MODELS
from tfjs_kombat.errors import say, shown


def functions(variants=POSE_LANDMARK_MODELS, package=modelfiles.PACKAGE):
    """{name in web/vendor/bodypose/: (function, input shape)}: the detector and each landmark model."""
    named = {modelfiles.DETECTOR: networks.detector_function(package)}
    for variant in variants:
        named[modelfiles.landmark_name(variant)] = networks.landmark_function(variant, package)
    return named


def save_function(function, shape, path):
    """A SavedModel whose one signature takes "input" and returns "output", as convert's do."""
    spec = tf.TensorSpec(shape, tf.float32, name="input")
    serve = tf.function(lambda images: {"output": function(images)}, input_signature=[spec])
    tf.saved_model.save(tf.Module(), str(path), signatures={"serving_default": serve})


def lossless_float16(weights):
    """{name: "float16"} for the float32 weights that float16 holds exactly."""
    return {
        name: "float16"
        for name, values in weights.items()
        if values.dtype == np.float32 and np.array_equal(values.astype(np.float16).astype(np.float32), values)
    }


def export_function(function, shape, out_dir):
    """One network -> out_dir/model.json + weights; returns how its weights are stored."""
    with tempfile.TemporaryDirectory(prefix="tfjs-kombat-") as work:
        saved = Path(work) / "saved_model"
        save_function(function, shape, saved)
        convert.convert_saved_model(saved, out_dir)
    weights = convert.read_weights(out_dir)
    convert.write_weights(out_dir, weights, lossless_float16(weights))
    convert.check_synchronous(out_dir, Path(out_dir).name)
    return convert.stored_quantization(out_dir)


def export_all(out_dir=modelfiles.WEB_MODELS, variants=POSE_LANDMARK_MODELS, package=modelfiles.PACKAGE):
    """Every network -> out_dir/<name>/, swapped in whole; returns {name: MB}."""
    with files.replacing_dir(out_dir) as staging:
        for name, (function, shape) in functions(variants, package).items():
            say(f"converting {name}")
            export_function(function, shape, staging / name)
    sizes = {
        path.name: sum(f.stat().st_size for f in path.iterdir()) / 1e6 for path in Path(out_dir).iterdir()
    }
    for name, size in sorted(sizes.items()):
        say(f"  {name:<14} {size:6.2f} MB")
    say(f"wrote BlazePose's networks to {shown(out_dir)}")
    return sizes


def add_arguments(parser):
    parser.add_argument("--out", default=str(modelfiles.WEB_MODELS), help="default: web/vendor/bodypose")
    parser.add_argument(
        "--landmark",
        nargs="+",
        choices=POSE_LANDMARK_MODELS,
        default=list(POSE_LANDMARK_MODELS),
        help="which landmark models to convert (default: all)",
    )


def run(args):
    export_all(args.out, args.landmark)
