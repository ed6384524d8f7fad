"""The landmark model on a region: the region cropped upright at 256x256 (edges repeated outside the
frame, as MediaPipe crops it), its outputs taken back into the frame: x, y through the region,
z (depth, in the crop's scale) by the region's side, visibility by a sigmoid of its logit."""

from typing import NamedTuple

import numpy as np

from tfjs_kombat.bodypose import region as regions
from tfjs_kombat.bodypose.detector import sigmoid
from tfjs_kombat.config import POSE_LANDMARK_COUNT, POSE_LANDMARK_SIZE, POSE_LANDMARK_VALUES


class Estimate(NamedTuple):
    points: np.ndarray  # [POSE_LANDMARK_COUNT, 2] frame pixels
    z: np.ndarray  # [POSE_LANDMARK_COUNT] pixels, smaller = nearer the camera
    visibility: np.ndarray  # [POSE_LANDMARK_COUNT] in [0, 1]
    presence: float  # the probability that a person is in the region


def landmark_input(image, region):
    """[1, 256, 256, 3] in [0, 1]: the region of the frame (float32 [1, height, width, 3], 0-255)."""
    return regions.crop(image, region, POSE_LANDMARK_SIZE, "NEAREST") / 255.0


def from_output(output, region):
    """The landmark model's output ([196]) on this region, in frame pixels."""
    output = np.asarray(output, np.float64)
    values = output[:-1].reshape(POSE_LANDMARK_COUNT, POSE_LANDMARK_VALUES)
    points = regions.to_frame(region, values[:, :2] / POSE_LANDMARK_SIZE)
    z = values[:, 2] / POSE_LANDMARK_SIZE * region.size
    return Estimate(points, z, sigmoid(values[:, 3]), float(output[-1]))


def estimate(networks, image, region):
    return from_output(networks.landmark(landmark_input(image, region)).numpy(), region)
