"""Run a converted TensorFlow.js graph model in Python, with TensorFlow.

TensorFlow.js has no Python runtime, but a graph model is a TensorFlow GraphDef (model.json's
"modelTopology", in protobuf's JSON form) whose constant weights live in the shards. Putting the
weights back (dequantized, as the page reads them) and running the graph with TensorFlow checks
what the converter wrote: every op, the wiring, the weights and their quantization. Kernels are
TensorFlow's, not TensorFlow.js's: browser parity is the web tests' job.
"""

import json
from pathlib import Path

import numpy as np
import tensorflow as tf
from google.protobuf import json_format
from tensorflowjs.read_weights import read_weights


def run_graph_model(folder, x):
    """The converted model's "output" for the batch x, through its serving signature."""
    folder = Path(folder)
    manifest = json.loads((folder / "model.json").read_text())
    graph_def = json_format.ParseDict(manifest["modelTopology"], tf.compat.v1.GraphDef())
    weights = {
        entry["name"]: entry["data"]
        for entry in read_weights(manifest["weightsManifest"], str(folder), flatten=True)
    }
    for node in graph_def.node:
        if node.name in weights:
            node.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(weights[node.name]))
    signature = manifest["signature"]
    graph = tf.Graph()
    with graph.as_default():
        tf.graph_util.import_graph_def(graph_def, name="")
    with tf.compat.v1.Session(graph=graph) as session:
        return session.run(
            signature["outputs"]["output"]["name"],
            {signature["inputs"]["input"]["name"]: np.asarray(x, np.float32)},
        )
