"""Read and run a converted TensorFlow.js graph model from Python: with TensorFlow, or with
TensorFlow.js itself in Node.

A graph model is a TensorFlow GraphDef (model.json's "modelTopology", in protobuf's JSON form)
whose constant weights live in the shards. Putting the weights back (dequantized, as the page
reads them) and running the graph with TensorFlow checks what the converter wrote: every op, the
wiring, the weights and their quantization. run_in_tfjs() runs it with TensorFlow.js's own
kernels (its CPU backend, in Node: tests/graph_model.mjs); the pages' backends are the browser
tests' job.
"""

import json
import math
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import tensorflow as tf
from google.protobuf import json_format

STORED_TYPES = {"uint8": np.uint8, "float16": np.float16, "float32": np.float32, "int32": np.int32}


def stored_weights(folder):
    """{name: (values as the page reads them, stored dtype)} of a converted model: quantized
    weights dequantized to float32 (uint8: min + scale x byte), int32 ones as they are."""
    folder = Path(folder)
    manifest = json.loads((folder / "model.json").read_text())
    weights = {}
    for group in manifest["weightsManifest"]:
        data, offset = b"".join((folder / path).read_bytes() for path in group["paths"]), 0
        for weight in group["weights"]:
            count, quantization = math.prod(weight["shape"]), weight.get("quantization", {})
            dtype = quantization.get("dtype", weight["dtype"])
            raw = np.frombuffer(data, STORED_TYPES[dtype], count, offset)
            values = raw * quantization["scale"] + quantization["min"] if dtype == "uint8" else raw
            kept = np.int32 if weight["dtype"] == "int32" else np.float32
            weights[weight["name"]] = (values.astype(kept).reshape(weight["shape"]), dtype)
            offset += raw.itemsize * count
    return weights


def run_graph_model(folder, x):
    """The converted model's "output" for the batch x, through its serving signature."""
    manifest = json.loads((Path(folder) / "model.json").read_text())
    graph_def = json_format.ParseDict(manifest["modelTopology"], tf.compat.v1.GraphDef())
    weights = stored_weights(folder)
    for node in graph_def.node:
        if node.name in weights:
            node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(weights[node.name][0]))
    signature = manifest["signature"]
    graph = tf.Graph()
    with graph.as_default():
        tf.graph_util.import_graph_def(graph_def, name="")
    with tf.compat.v1.Session(graph=graph) as session:
        return session.run(
            signature["outputs"]["output"]["name"],
            {signature["inputs"]["input"]["name"]: np.asarray(x, np.float32)},
        )


ROOT = Path(__file__).resolve().parents[1]
TFJS = ROOT / "web" / "node_modules" / "@tensorflow" / "tfjs"


def run_in_tfjs(folder, x):
    """The converted model's output for the batch x, computed by TensorFlow.js (CPU, in Node)."""
    with tempfile.TemporaryDirectory() as work:
        batch = Path(work) / "x.json"
        batch.write_text(json.dumps({"x": np.asarray(x, np.float32).tolist()}))
        result = subprocess.run(
            [
                shutil.which("node") or "node",
                str(ROOT / "tests" / "graph_model.mjs"),
                str(ROOT / "web"),
                str(folder),
                str(batch),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    return np.array(json.loads(result.stdout), np.float32)
