"""The .tflite graphs rebuilt from TensorFlow ops compute what TensorFlow Lite's own interpreter
computes from the same file (the sparse and float16 weights unpacked the same way)."""

import re
import warnings

import numpy as np
import pytest
import tensorflow as tf

from tfjs_kombat.bodypose import modelfiles, tflitegraph
from tfjs_kombat.errors import UserError

# TensorFlow 2.19 warns, on every Interpreter, that it is deprecated (LiteRT replaces it); the test
# uses it only to check the rebuilt graphs against it.
INTERPRETER_DEPRECATED = re.escape("    Warning: tf.lite.Interpreter is deprecated")


def interpreted(path, image):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=INTERPRETER_DEPRECATED, category=UserWarning)
        interpreter = tf.lite.Interpreter(model_path=str(path))
    interpreter.allocate_tensors()
    interpreter.set_tensor(interpreter.get_input_details()[0]["index"], image)
    interpreter.invoke()
    return [interpreter.get_tensor(output["index"]) for output in interpreter.get_output_details()]


@pytest.mark.parametrize("name", [modelfiles.DETECTOR, "landmark_lite"])
def test_the_rebuilt_graph_computes_what_tensorflow_lite_does(pose_networks, name):
    path = modelfiles.tflite_file(name)
    function, shape = tflitegraph.rebuilt(path, [0, 1])
    image = np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32)
    ours = [output.numpy() for output in function(tf.constant(image))]
    theirs = interpreted(path, image)[:2]
    for mine, reference in zip(ours, theirs, strict=True):
        assert mine.shape == reference.shape
        scale = np.abs(reference).max()
        np.testing.assert_allclose(mine, reference, atol=1e-4 * max(scale, 1))


def test_only_what_the_wanted_outputs_need_is_built(pose_networks):
    model, graph = tflitegraph.read_graph(modelfiles.tflite_file("landmark_lite"))
    presence, _ = tflitegraph.needed_ops(model, graph, [graph.outputs[1]])
    everything, _ = tflitegraph.needed_ops(model, graph, list(graph.outputs))
    assert 0 < len(presence) < len(everything)


def test_a_missing_model_file_says_to_install_it(tmp_path):
    with pytest.raises(UserError, match=r"run `make web`"):
        modelfiles.tflite_file(modelfiles.DETECTOR, tmp_path)
