"""Convert: the trained Keras models -> TensorFlow.js graph models under web/models/.

Keras 3 models converted to the tfjs *layers* format do not load in TensorFlow.js 4.22, so every
model goes Keras -> SavedModel -> `tensorflowjs_converter --output_format
tfjs_graph_model`, and the page loads it with `tf.loadGraphModel`. Written next to them:
`config.json`, everything the page must agree on with Python (frame size, classes, thresholds).

The new set is built in a temporary folder and swapped in whole: an interrupted or failed convert
leaves the previous models as they were, never a model.json pointing at missing shards.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import keras
import tensorflow as tf

from tfjs_kombat import config, features, files
from tfjs_kombat.errors import UserError, say, warn
from tfjs_kombat.predict import load_heads
from tfjs_kombat.season import SEASONS

QUANTIZATIONS = {"float32": [], "float16": ["--quantize_float16"], "uint8": ["--quantize_uint8"]}
DEFAULT_QUANTIZATION = "uint8"  # smallest; decisions stay equal to float32 (tests/web/test_parity.py)
WEB_MODELS = Path(__file__).resolve().parents[1] / "web" / "models"


def export_graph_model(model, out_dir, quantization=DEFAULT_QUANTIZATION):
    """One Keras model -> out_dir/model.json + weight shards (a TensorFlow.js graph model)."""
    with tempfile.TemporaryDirectory(prefix="tfjs-kombat-") as work:
        saved_model, converted = Path(work) / "saved_model", Path(work) / "tfjs"
        save_serving_model(model, saved_model)
        # The converter's command line re-splits its arguments on spaces: keep both paths in `work`.
        # Its quantize flags take an optional value, so they go last or they swallow the paths.
        command = [
            converter_executable(),
            "--input_format=tf_saved_model",
            "--output_format=tfjs_graph_model",
            str(saved_model),
            str(converted),
            *QUANTIZATIONS[quantization],
        ]
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode != 0 or not (converted / "model.json").exists():
            raise UserError(f"tensorflowjs_converter failed on {model.name}: {last_line(result.stderr)}")
        check_graph_model(converted)
        shutil.copytree(converted, out_dir)


def save_serving_model(model, path):
    """A SavedModel with one float32 signature, input named "input" and output "output".

    Not `model.export()`: the converter cannot freeze Keras 3's export of MobileNet built after
    preprocessing layers ("Identity is not in graph"); a plain tf.function signature converts.
    """
    spec = tf.TensorSpec((None, *model.input_shape[1:]), tf.float32, name="input")

    @tf.function(input_signature=[spec])
    def serve(batch):
        return {"output": model(batch, training=False)}

    module = tf.Module()
    module.model = model  # tracked, so the weights are saved with the signature
    tf.saved_model.save(module, str(path), signatures={"serving_default": serve})


def converter_executable():
    """tensorflowjs_converter from this Python's environment (the pinned, working one)."""
    beside_python = Path(sys.executable).parent / "tensorflowjs_converter"
    found = beside_python if beside_python.exists() else shutil.which("tensorflowjs_converter")
    if not found:
        raise UserError("tensorflowjs_converter not found; install the project (make install)")
    return str(found)


def last_line(text):
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def check_graph_model(folder):
    """Every shard that model.json names is there, with the size its weights need."""
    manifest = json.loads((Path(folder) / "model.json").read_text())
    for group in manifest["weightsManifest"]:
        for shard in group["paths"]:
            if not (Path(folder) / shard).is_file():
                raise UserError(f"converted model in {folder} lacks its shard {shard}")


def imagenet_top(alpha):
    """MobileNet's own ImageNet classifier on the pooled features, as a small Dense model.

    MobileNet's top is dropout + a 1x1 convolution over the pooled features + softmax, which at
    inference is exactly a Dense layer on our feature vector. None without the weights.
    """
    try:
        full = keras.applications.MobileNet(alpha=alpha, include_top=True, weights="imagenet")
    except Exception as error:  # no top weights in the cache and no network
        warn(f"no ImageNet classifier for the try-it page ({error.__class__.__name__}); skipping it")
        return None
    kernel, bias = full.get_layer("conv_preds").get_weights()
    top = keras.Sequential(
        [keras.Input((kernel.shape[2],)), keras.layers.Dense(kernel.shape[3], activation="softmax")],
        name="imagenet",
    )
    top.layers[-1].set_weights([kernel[0, 0], bias])
    return top


def imagenet_labels():
    """The 1000 class names: Keras's cached class index, else a labels file in KERAS_HOME."""
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    keras_index = home / "models" / "imagenet_class_index.json"
    if keras_index.exists():
        index = json.loads(keras_index.read_text())
        return [index[str(i)][1] for i in range(len(index))]
    plain = home / "imagenet-labels.json"
    if plain.exists():
        return json.loads(plain.read_text())["labels"]
    try:
        from keras.src.applications.imagenet_utils import CLASS_INDEX_PATH

        keras.utils.get_file("imagenet_class_index.json", CLASS_INDEX_PATH, cache_subdir="models")
        return imagenet_labels()
    except Exception:
        return None


def page_config(alpha, quantization, converted, metrics):
    """What the page must agree on with Python; all of it comes from tfjs_kombat.config."""
    return {
        "frame": {"width": config.FRAME_WIDTH, "height": config.FRAME_HEIGHT},
        "classes": list(config.CLASS_NAMES),
        "binaryClasses": list(config.BINARY_CLASS_NAMES),
        "seasons": list(SEASONS),
        "thresholds": {
            "punch": config.PUNCH_THRESHOLD,
            "other": config.OTHER_THRESHOLD,
            "action": config.ACTION_THRESHOLD,
        },
        "intervalMs": config.CLASSIFY_INTERVAL_MS,
        "alpha": alpha,
        "featureSize": features.feature_size(alpha),
        "quantization": quantization,
        "models": {name: f"{name}/model.json" for name in converted},
        "testAccuracy": {name: entry["test_accuracy"] for name, entry in metrics.items()},
    }


def convert_models(models_dir="models", out_dir=WEB_MODELS, quantization=DEFAULT_QUANTIZATION, imagenet=True):
    """Every trained model in models_dir, and the MobileNet feature extractor, -> out_dir."""
    if quantization not in QUANTIZATIONS:
        raise UserError(f"quantization must be one of {', '.join(QUANTIZATIONS)}, not {quantization!r}")
    models_dir = Path(models_dir)
    heads, alpha = load_heads(models_dir)
    to_convert = {"mobilenet": features.build_feature_extractor(alpha), **heads}
    if (models_dir / "season.keras").exists():
        to_convert["season"] = keras.models.load_model(models_dir / "season.keras")
    labels = imagenet_labels() if imagenet else None
    top = imagenet_top(alpha) if labels else None
    if top is not None:
        to_convert["imagenet"] = top
    metrics_path = models_dir / "metrics.json"
    metrics = json.loads(metrics_path.read_text()) if metrics_path.exists() else {}

    with files.replacing_dir(out_dir) as staging:
        for name, model in to_convert.items():
            say(f"converting {name} ({quantization})")
            export_graph_model(model, staging / name, quantization)
        if top is not None:
            files.write_json(staging / "imagenet" / "labels.json", labels)
        files.write_json(staging / "config.json", page_config(alpha, quantization, list(to_convert), metrics))
    sizes = {name: sum(f.stat().st_size for f in (Path(out_dir) / name).iterdir()) for name in to_convert}
    for name, size in sizes.items():
        say(f"  {name:<11} {size / 1e6:6.2f} MB")
    say(f"wrote {len(sizes)} TensorFlow.js models to {out_dir}")
    return sizes


def add_arguments(parser):
    parser.add_argument(
        "models_dir", nargs="?", default="models", help="folder with the trained .keras models"
    )
    parser.add_argument(
        "--out", default=str(WEB_MODELS), help="where the page loads models from (web/models)"
    )
    parser.add_argument(
        "--quantization",
        choices=list(QUANTIZATIONS),
        default=DEFAULT_QUANTIZATION,
        help="weight storage (default: %(default)s; decisions equal float32's on the held-out set)",
    )
    parser.add_argument("--no-imagenet", action="store_true", help="skip MobileNet's ImageNet classifier")


def run(args):
    convert_models(args.models_dir, args.out, args.quantization, imagenet=not args.no_imagenet)
