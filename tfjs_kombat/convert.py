"""Convert: the trained Keras models -> TensorFlow.js graph models under web/models/.

Keras 3 models converted to the tfjs *layers* format do not load in TensorFlow.js 4.22, so every
model goes Keras -> SavedModel -> graph model (the converter's `tf_saved_model` to
`tfjs_graph_model` path, called in-process); the page loads it with `tf.loadGraphModel`. Beside:
`config.json`, the models' own facts (files, input shapes, the quantization really stored,
MobileNet's width, and for the sequence head its window, per-frame pooling and classes). The
numbers the pages share with Python (frame size, classes, thresholds) are webconfig.py's
js/constants.js, which convert rewrites too, in the site that holds the models.

The new set is built in a temporary folder and swapped in whole: an interrupted or failed convert
leaves the previous models as they were, never a model.json pointing at missing shards.
"""

import json
import math
import os
import shutil
import tempfile
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from tfjs_kombat import features, files, heads, mobilenet, recipes, webconfig
from tfjs_kombat.config import CLIP_CLASS_NAMES
from tfjs_kombat.errors import UserError, native_stderr_silenced, say, shown, warn

# Only kernels are quantized: quantization is per tensor (the converter's scheme), which ruins
# scalars and small vectors (the preprocessing's 1/127.5 became 0). "auto" stores a model's
# kernels as uint8 when that costs each kernel at most 1% RMS, else as float16. Measured: the
# heads lose ~0.6% and stay uint8; MobileNet's batch-norm-folded kernels lose 3-6% each,
# compounding over 13 layers (uint8 MobileNet changed ~25% of decisions), so it gets float16,
# which kept every decision.
# The trained sequence head's GRU recurrent kernel loses ~1.2%, which 12 steps would compound:
# float16 too (765 KB for [12, 2304]; in TensorFlow.js within 1.5e-4 of Keras, no decision moved).
DEFAULT_QUANTIZATION = "auto"
MAX_UINT8_ERROR = 0.01
MIN_QUANTIZED_VALUES = 1024
CHOICES = ["auto", "float32", "float16", "uint8"]
WEB_MODELS = Path(__file__).resolve().parents[1] / "web" / "models"
# Ops TensorFlow.js runs only in executeAsync (control flow, dynamic shapes, tables): the pages
# call predict(), synchronously, every tick. A recurrent layer that is not unrolled becomes a
# While loop over TensorList ops; heads.build_sequence_head unrolls its GRU so none appears.
ASYNC_OPS = {
    "Enter",
    "Exit",
    "If",
    "LoopCond",
    "Merge",
    "NextIteration",
    "StatelessIf",
    "StatelessWhile",
    "Switch",
    "While",
    "NonMaxSuppressionV2",
    "NonMaxSuppressionV3",
    "NonMaxSuppressionV4",
    "NonMaxSuppressionV5",
    "Where",
    "HashTable",
    "HashTableV2",
    "LookupTableFind",
    "LookupTableFindV2",
}


def export_graph_model(model, out_dir, quantization=DEFAULT_QUANTIZATION):
    """One Keras model -> out_dir/model.json + weight shards; returns how its weights are stored."""
    with tempfile.TemporaryDirectory(prefix="tfjs-kombat-") as work:
        converted = Path(work) / "tfjs"
        convert_keras_model(model, converted)
        weights = share_repeated_weights(converted, read_weights(converted))
        write_weights(converted, weights, kernel_storage(weights, quantization))
        check_graph_model(converted)
        check_synchronous(converted, model.name)
        shutil.copytree(converted, out_dir)
    return stored_quantization(out_dir)


def convert_keras_model(model, out_dir):
    """A Keras model -> SavedModel -> float32 graph model in out_dir (the converter's one run)."""
    with tempfile.TemporaryDirectory(prefix="tfjs-kombat-") as work:
        saved_model = Path(work) / "saved_model"
        save_serving_model(model, saved_model)
        convert_saved_model(saved_model, out_dir)


SHARD_BYTES = 4 * 1024 * 1024  # the converter's own shard size


def read_weights(folder):
    """The weights of an unquantized graph model, in stored order: {name: array}."""
    manifest = json.loads((Path(folder) / "model.json").read_text())
    weights = {}
    for group in manifest["weightsManifest"]:
        data, offset = b"".join((Path(folder) / path).read_bytes() for path in group["paths"]), 0
        for weight in group["weights"]:
            dtype, count = np.dtype(weight["dtype"]), math.prod(weight["shape"])
            weights[weight["name"]] = np.frombuffer(data, dtype, count, offset).reshape(weight["shape"])
            offset += dtype.itemsize * count
    return weights


def write_weights(folder, weights, quantized=None):
    """Replace a graph model's shards and manifest entries with `weights` ({name: array}), as one
    group in the converter's layout; `quantized` ({name: "float16" | "uint8"}) says which to store
    quantized, in the converter's format (stored_as)."""
    path = Path(folder) / "model.json"
    manifest = json.loads(path.read_text())
    for group in manifest["weightsManifest"]:
        for shard in group["paths"]:
            (Path(folder) / shard).unlink()
    entries, chunks = [], []
    for name, values in weights.items():
        entry = {"name": name, "shape": list(values.shape), "dtype": values.dtype.name}
        if name in (quantized or {}):
            values, entry["quantization"] = stored_as(values, quantized[name])
        entries.append(entry)
        chunks.append(values.tobytes())
    data = b"".join(chunks)
    count = max(1, math.ceil(len(data) / SHARD_BYTES))
    shards = [f"group1-shard{i + 1}of{count}.bin" for i in range(count)]
    for i, shard in enumerate(shards):
        (Path(folder) / shard).write_bytes(data[i * SHARD_BYTES : (i + 1) * SHARD_BYTES])
    manifest["weightsManifest"] = [{"paths": shards, "weights": entries}]
    path.write_text(json.dumps(manifest))


def stored_as(values, dtype):
    """float32 values quantized as the converter does (its --quantize_float16/--quantize_uint8):
    float16 as they are; uint8 as 256 even steps from min to max, the range nudged so that 0 is a
    step (zero padding stays exactly 0). Returns the stored array and the manifest's entry."""
    about = {"dtype": dtype, "original_dtype": "float32"}
    if dtype == "float16":
        return values.astype(np.float16), about
    low, high = np.float64(values.min()), np.float64(values.max())
    if low == high:
        return np.zeros(values.shape, np.uint8), {"min": float(low), "scale": 1.0, **about}
    scale = (high - low) / 255
    if low <= 0 <= high:
        low = -np.round(-low / scale) * scale
        high = 255 * scale + low
    steps = np.round((values.clip(low, high) - low) / scale).astype(np.uint8)
    return steps, {"min": float(low), "scale": float(scale), **about}


def share_repeated_weights(folder, weights):
    """Store each distinct weight once. An unrolled recurrent layer reads its kernels at every
    step, and the converter freezes every read into a constant of its own: the GRU's kernels
    came out 12 times. The graph's readers of a copy are pointed at the first (model.json is
    rewritten); the outputs are the same numbers. Returns the weights to store, copies left out."""
    first, copies = {}, {}
    for name, values in weights.items():
        key = (values.dtype.name, values.shape, values.tobytes())
        if key in first:
            copies[name] = first[key]
        else:
            first[key] = name
    if copies:
        path = Path(folder) / "model.json"
        manifest = json.loads(path.read_text())
        nodes = manifest["modelTopology"]["node"]
        manifest["modelTopology"]["node"] = [node for node in nodes if node["name"] not in copies]
        for node in manifest["modelTopology"]["node"]:
            node["input"] = [renamed_input(name, copies) for name in node.get("input", [])]
        path.write_text(json.dumps(manifest))
    return {name: values for name, values in weights.items() if name not in copies}


def renamed_input(name, copies):
    """A node's input ("name", "name:1" or "^name" for a control edge) with copies renamed."""
    control = name.startswith("^")
    node, colon, port = name.removeprefix("^").partition(":")
    return ("^" if control else "") + copies.get(node, node) + colon + port


def kernel_storage(weights, quantization):
    """{name: "float16" | "uint8"} for the kernels (float32 weights of MIN_QUANTIZED_VALUES numbers
    or more) as `quantization` says ("auto": auto_quantization's choice); empty for float32. Done
    after the converter's one run rather than by a second run with its --quantize_* options: the
    same bytes, in a fraction of the time."""
    kernels = [
        name
        for name, values in weights.items()
        if values.dtype == np.float32 and values.size >= MIN_QUANTIZED_VALUES
    ]
    if quantization == "auto":
        quantization = auto_quantization(weights[name] for name in kernels)
    return {} if quantization == "float32" else dict.fromkeys(kernels, quantization)


def stored_quantization(folder):
    """How a graph model's weights are stored, from its manifest: "uint8" or "float16" when some
    are quantized, else "float32" (a model without kernels big enough to quantize stays float32)."""
    manifest = json.loads((Path(folder) / "model.json").read_text())
    stored = {
        weight.get("quantization", {}).get("dtype", weight["dtype"])
        for group in manifest["weightsManifest"]
        for weight in group["weights"]
    }
    return "+".join(sorted(stored - {"float32", "int32"})) or "float32"


def auto_quantization(kernels):
    """uint8 if that costs every kernel at most MAX_UINT8_ERROR (relative RMS), else float16."""
    worst = max((uint8_error(values) for values in kernels), default=0)
    return "uint8" if worst <= MAX_UINT8_ERROR else "float16"


def uint8_error(values):
    """Relative RMS error of storing values as uint8 (stored_as)."""
    steps, about = stored_as(values, "uint8")
    restored = steps * about["scale"] + about["min"]
    return float(np.sqrt(np.mean((restored - values) ** 2) / max(np.mean(values**2), 1e-30)))


def convert_saved_model(saved_model, out_dir):
    """A SavedModel -> float32 graph model in out_dir, by the converter's own function (what
    `tensorflowjs_converter --input_format=tf_saved_model --output_format=tfjs_graph_model` runs),
    in this process: a run of the command spent 4 of its 4.5 s importing TensorFlow again."""
    os.environ.setdefault("TFDF_DISABLE_WELCOME_MESSAGE", "1")  # a tip printed when it is imported
    try:
        with native_stderr_silenced():  # grappler's notices, while it optimizes the graph
            from tensorflowjs.converters import tf_saved_model_conversion_v2

            tf_saved_model_conversion_v2.convert_tf_saved_model(
                str(saved_model), str(out_dir), signature_def="serving_default", saved_model_tags="serve"
            )
    except Exception as error:  # the converter's own failure, whatever its type: say what it said
        message = f"the TensorFlow.js converter failed on {shown(saved_model)}: {shown(error)}"
        raise UserError(message) from error
    if not (Path(out_dir) / "model.json").exists():
        raise UserError(f"the TensorFlow.js converter wrote no model.json for {shown(saved_model)}")


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


def check_graph_model(folder):
    """Every shard that model.json names is there, with the size its weights need."""
    manifest = json.loads((Path(folder) / "model.json").read_text())
    for group in manifest["weightsManifest"]:
        for shard in group["paths"]:
            if not (Path(folder) / shard).is_file():
                raise UserError(f"converted model in {shown(folder)} lacks its shard {shown(shard)}")


def graph_ops(folder):
    """Every op type in a graph model, its functions' (loop bodies) included."""
    topology = json.loads((Path(folder) / "model.json").read_text())["modelTopology"]
    nodes = list(topology.get("node", []))
    for function in topology.get("library", {}).get("function", []):
        nodes += function.get("nodeDef", [])
    return {node["op"] for node in nodes}


def check_synchronous(folder, name):
    """The graph model runs with predict(): no loop, condition or dynamic-shape op in it."""
    found = {op for op in graph_ops(folder) if op in ASYNC_OPS or op.startswith("TensorList")}
    if found:
        raise UserError(
            f"model {shown(name)} converts to a graph with {', '.join(sorted(found))}, which TensorFlow.js "
            "runs only asynchronously (executeAsync); unroll its recurrent layers"
        )


def page_sequence(made_by, sequence):
    """config.json's "sequence": the window the page keeps (length T of [T, D]), how it pools
    MobileNet's output of each frame into one step (cells of [rows, columns], or null: as it is),
    and the classes of its softmax, in order."""
    facts = made_by.get("sequence", {})
    pool = facts["pool"] if "pool" in facts else recipes.named(made_by["recipe"]).sequence_pool
    return {
        "length": int(sequence.input_shape[1]),
        "pool": list(pool) if pool else None,
        "classes": list(facts.get("classes", CLIP_CLASS_NAMES)),
    }


def pooled_size(feature_shape, pool):
    """The length of one frame's vector: MobileNet's output as it is, or its map averaged over
    cells of pool = [rows, columns] and flattened (rows x columns x channels); None if it cannot."""
    if not pool:
        return feature_shape[0] if len(feature_shape) == 1 else None
    if len(feature_shape) != 3 or feature_shape[0] % pool[0] or feature_shape[1] % pool[1]:
        return None
    return feature_shape[0] // pool[0] * (feature_shape[1] // pool[1]) * feature_shape[2]


def check_sequence_input(sequence, extractor, facts):
    """The sequence head reads what the page makes of MobileNet's output, or the page would break."""
    feature_shape = list(extractor.output_shape[1:])
    size = pooled_size(feature_shape, facts["pool"])
    if size != sequence.input_shape[2]:
        raise UserError(
            f"the sequence head reads {sequence.input_shape[2]} numbers per frame, but MobileNet's "
            f"output {feature_shape} pooled over {facts['pool']} gives {size}: train it on this "
            "recipe's features again"
        )


def page_config(made_by, to_convert, quantization_by_model, metrics):
    """The converted models' facts for the page; shared constants are webconfig.py's, not here."""
    recipe = recipes.named(made_by["recipe"])
    config = {
        "recipe": recipe.name,
        "alpha": made_by["alpha"],
        "features": recipe.features.page_facts(),
        "models": {name: f"{name}/model.json" for name in quantization_by_model},
        "inputShapes": {name: list(model.input_shape[1:]) for name, model in to_convert.items()},
        "quantization": quantization_by_model,
        "testAccuracy": {name: entry["test_accuracy"] for name, entry in metrics.items()},
        "rules": {  # when the game acts on each head's probabilities (heads.Rule)
            head.name: head.rule._asdict()
            for head in (*recipe.frame_heads, recipe.sequence_head)
            if head.name in to_convert
        },
    }
    if "sequence" in to_convert:
        config["sequence"] = page_sequence(made_by, to_convert["sequence"])
    return config


def convert_models(models_dir="models", out_dir=WEB_MODELS, quantization=DEFAULT_QUANTIZATION, imagenet=True):
    """Every trained model in models_dir, and the recipe's MobileNet feature extractor (none for
    a keypoints recipe), -> out_dir."""
    if quantization not in CHOICES:
        raise UserError(f"quantization must be one of {', '.join(CHOICES)}, not {quantization!r}")
    models_dir = Path(models_dir)
    trained, made_by = heads.load_heads(models_dir, (*recipes.FRAME_HEAD_NAMES, heads.SEQUENCE_HEAD.name))
    alpha, recipe = made_by["alpha"], recipes.named(made_by["recipe"])
    # A keypoints recipe's heads read the pose model's output (web/vendor/bodypose/): no MobileNet.
    reads_mobilenet = isinstance(recipe.features, recipes.MobileNetCut)
    to_convert = dict(trained)
    if reads_mobilenet:
        to_convert = {"mobilenet": features.build_feature_extractor(alpha, recipe), **trained}
    if "sequence" in to_convert and reads_mobilenet:
        check_sequence_input(
            to_convert["sequence"], to_convert["mobilenet"], page_sequence(made_by, trained["sequence"])
        )
    if (models_dir / "season.keras").exists():
        to_convert["season"] = keras.models.load_model(models_dir / "season.keras")
    labels = mobilenet.imagenet_labels() if imagenet and reads_mobilenet else None
    if labels:
        try:
            to_convert["imagenet"] = mobilenet.imagenet_top(alpha, recipe.features)
        except UserError as error:  # the page's try-it widget just goes without
            warn(f"no ImageNet classifier for the try-it page, skipping it: {error}")
    metrics_path = models_dir / "metrics.json"
    metrics = json.loads(metrics_path.read_text()) if metrics_path.exists() else {}

    used = {}
    with files.replacing_dir(out_dir) as staging:
        for name, model in to_convert.items():
            say(f"converting {name} ({quantization})")
            used[name] = export_graph_model(model, staging / name, quantization)
        if "imagenet" in to_convert:
            files.write_json(staging / "imagenet" / "labels.json", labels)
        files.write_json(staging / "config.json", page_config(made_by, to_convert, used, metrics))
    webconfig.write_constants(Path(out_dir).parent)
    sizes = {name: sum(f.stat().st_size for f in (Path(out_dir) / name).iterdir()) for name in to_convert}
    for name, size in sizes.items():
        say(f"  {name:<11} {size / 1e6:6.2f} MB ({used[name]})")
    say(f"wrote {len(sizes)} TensorFlow.js models to {shown(out_dir)}")
    return sizes


def add_arguments(parser):
    parser.add_argument(
        "models_dir", nargs="?", default="models", help="folder with the trained .keras models"
    )
    parser.add_argument(
        "--out",
        default=str(WEB_MODELS),
        help="where the page loads models from (web/models); its parent gets js/constants.js",
    )
    parser.add_argument(
        "--quantization",
        choices=CHOICES,
        default=DEFAULT_QUANTIZATION,
        help="weight storage; auto: uint8 where harmless, else float16 (default: %(default)s)",
    )
    parser.add_argument("--no-imagenet", action="store_true", help="skip MobileNet's ImageNet classifier")


def run(args):
    convert_models(args.models_dir, args.out, args.quantization, imagenet=not args.no_imagenet)
