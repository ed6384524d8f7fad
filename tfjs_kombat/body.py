"""Body keypoints as the keypoint heads read them: centred on the shoulders, scaled by the torso,
missing joints masked, inside the Keras graph.

The heads take the pose model's 33 landmarks (config.BODY_LANDMARKS) as they come out of it,
except that x, y and z are all in units of the frame's WIDTH (`in_width_units`): a person in a
portrait frame and in a landscape one then has the same proportions. Everything else happens in
the graph, so the page and Python feed the same raw numbers and cannot drift apart:
- centre: the shoulders' midpoint (in the frame in every framing a player uses, upper body included);
- scale: the torso's length (shoulders' to hips' midpoint), or the shoulders' width when that is
  larger (a pose model still places hips it cannot see, but a player bending toward the camera
  shortens the torso on screen);
- depth is not read: the pose model's z stays in the contract, but benchmarks/keypoint_gap.py
  found it far from anything a generator can copy (on flat rendered figures, whose true depth is
  zero, BlazePose reports a median |z| of 0.9-1.1 torso lengths, 3x the generated bodies' true
  depth), so the heads read x and y only;
- a joint whose visibility is under VISIBLE reads as 0, 0 beside a 0 for "missing" (1 for
  found), so a head can tell "missing" from "at the centre"; with nobody found every number is 0.
  The visibility's value itself is not read: BlazePose gives a clearly seen joint about 1.0, the
  generator a spread it cannot match, and a head that read it called a still, fully seen person
  a kick on 27 of 81 frames;
- handedness: `mirrored` swaps every left landmark with its right twin and flips x, and the heads
  average their answer over the body and its mirror image, so a left-handed player gets exactly
  the answer a right-handed one gets.
"""

import keras
import numpy as np
from keras import ops

from tfjs_kombat.config import BODY_LANDMARKS, KEYPOINT_VISIBLE

VISIBLE = KEYPOINT_VISIBLE
LANDMARKS = len(BODY_LANDMARKS)
VALUES = 4  # x, y, z, visibility
POSITION_AXES = 2  # x, y of the three: z is not read (see above)
FEATURES_PER_FRAME = LANDMARKS * (POSITION_AXES + 1)

_INDEX = {name: index for index, name in enumerate(BODY_LANDMARKS)}
LEFT_SHOULDER, RIGHT_SHOULDER = _INDEX["left_shoulder"], _INDEX["right_shoulder"]
LEFT_HIP, RIGHT_HIP = _INDEX["left_hip"], _INDEX["right_hip"]


def _twin(name):
    for a, b in (("left", "right"), ("right", "left")):
        if a in name:
            return name.replace(a, b)
    return name  # the nose


MIRROR_ORDER = tuple(_INDEX[_twin(name)] for name in BODY_LANDMARKS)


def in_width_units(keypoints, width, height):
    """The pose model's keypoints (x, y normalised to the frame's width and height) with y in units
    of the width, as the heads take them (numpy; the page does the same multiplication)."""
    keypoints = np.array(keypoints, dtype="float32", copy=True)
    keypoints[..., 1] *= height / width
    return keypoints


@keras.saving.register_keras_serializable(package="tfjs_kombat")
class Mirrored(keras.layers.Layer):
    """The same body seen in a mirror: left and right landmarks swapped, x negated."""

    def call(self, keypoints):
        swapped = ops.take(keypoints, list(MIRROR_ORDER), axis=-2)
        flip = ops.convert_to_tensor([-1.0, 1.0, 1.0, 1.0], dtype=keypoints.dtype)
        return swapped * flip


@keras.saving.register_keras_serializable(package="tfjs_kombat")
class BodyNormalisation(keras.layers.Layer):
    """[..., 33, 4] keypoints in width units -> [..., 99]: each landmark's x, y relative to the
    shoulders' midpoint over the torso's length (zero where it is not visible) and whether it is."""

    def call(self, keypoints):
        position, visibility = keypoints[..., :POSITION_AXES], keypoints[..., 3:]

        def joint(index):
            return position[..., index : index + 1, :]

        shoulders = (joint(LEFT_SHOULDER) + joint(RIGHT_SHOULDER)) / 2
        hips = (joint(LEFT_HIP) + joint(RIGHT_HIP)) / 2

        def length(vector):  # on the picture's plane
            return ops.sqrt(ops.sum(ops.square(vector[..., :2]), axis=-1, keepdims=True))

        scale = ops.maximum(length(shoulders - hips), length(joint(LEFT_SHOULDER) - joint(RIGHT_SHOULDER)))
        present = ops.cast(visibility >= VISIBLE, keypoints.dtype)
        relative = (position - shoulders) / ops.maximum(scale, 1e-3) * present
        features = ops.concatenate([relative, present], axis=-1)
        return ops.reshape(features, (-1, *keypoints.shape[1:-2], FEATURES_PER_FRAME))

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-2], FEATURES_PER_FRAME)


def mirror_averaged(inputs, body_head):
    """body_head's answer averaged over the body and its mirror image (one set of weights)."""
    return keras.layers.Average(name="both_hands")([body_head(inputs), body_head(Mirrored()(inputs))])
