"""BlazePose's two networks as TensorFlow functions with one output each, the same functions that
webmodels.py converts for the page (one output: one read back per call there):

- the detector: [1, 224, 224, 3] in [-1, 1] -> [2254, 13], per anchor its 12 box and keypoint
  numbers, then its score logit;
- a landmark model: [1, 256, 256, 3] in [0, 1] -> [196], its 39 landmarks x 5 values, then the
  probability that a person is there.
"""

from typing import NamedTuple

import tensorflow as tf

from tfjs_kombat.bodypose import modelfiles, tflitegraph

LANDMARKS, PRESENCE = 0, 1  # the landmark model's outputs used (not its segmentation or heatmaps)
BOXES, SCORES = 0, 1


class Networks(NamedTuple):
    detector: tf.types.experimental.PolymorphicFunction
    landmark: tf.types.experimental.PolymorphicFunction


def detector_function(package=modelfiles.PACKAGE):
    """(function, input shape) of the detector, its outputs joined."""
    run, shape = tflitegraph.rebuilt(modelfiles.tflite_file(modelfiles.DETECTOR, package), [BOXES, SCORES])

    def detector(images):
        boxes, scores = run(images)
        return tf.concat([boxes[0], scores[0]], axis=-1)

    return detector, shape


def landmark_function(variant, package=modelfiles.PACKAGE):
    """(function, input shape) of a landmark model (lite, full), its outputs joined."""
    path = modelfiles.tflite_file(modelfiles.landmark_name(variant), package)
    run, shape = tflitegraph.rebuilt(path, [LANDMARKS, PRESENCE])

    def landmark(images):
        landmarks, presence = run(images)
        return tf.concat([tf.reshape(landmarks, [-1]), tf.reshape(presence, [-1])], axis=0)

    return landmark, shape


def compiled(function, shape):
    return tf.function(function, input_signature=[tf.TensorSpec(shape, tf.float32, name="input")])


def load(variant="lite", package=modelfiles.PACKAGE):
    """Both networks, traced once, for Python's own use (the tracker)."""
    return Networks(compiled(*detector_function(package)), compiled(*landmark_function(variant, package)))
