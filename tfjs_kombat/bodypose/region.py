"""Regions of interest: the square of the frame a network reads, turned upright, as MediaPipe's pose
graph makes them, and the crop that reads it.

A region is its centre and side in frame pixels and a rotation (radians, clockwise on the screen:
y points down). The detector's letterbox is a region too: the whole frame centred in a square of
its longer side. A point of a crop, as fractions of the crop's side, goes back into the frame
through to_frame(); the crop itself is one projective transform of the frame (TensorFlow's
ImageProjectiveTransformV3, whose twin in TensorFlow.js is tf.image.transform), bilinear.
"""

import math
from typing import NamedTuple

import numpy as np
import tensorflow as tf

from tfjs_kombat.config import POSE_REGION_SCALE


class Region(NamedTuple):
    x: float
    y: float
    size: float
    rotation: float


def whole_frame(width, height):
    """The detector's view: the frame letterboxed into a square of its longer side."""
    return Region(width / 2, height / 2, max(width, height), 0.0)


def from_alignment(centre, far):
    """The region two alignment points give (the detector's first two keypoints, or the landmark
    model's last two): centred on the first, its side POSE_REGION_SCALE times twice their distance,
    turned so that the second lies straight above the first."""
    dx, dy = float(far[0] - centre[0]), float(far[1] - centre[1])
    rotation = wrapped(math.pi / 2 - math.atan2(-dy, dx))
    return Region(float(centre[0]), float(centre[1]), 2 * math.hypot(dx, dy) * POSE_REGION_SCALE, rotation)


def wrapped(angle):
    """The same angle in [-pi, pi)."""
    return angle - 2 * math.pi * math.floor((angle + math.pi) / (2 * math.pi))


def to_frame(region, points):
    """Points of the region ([n, 2], fractions of its side from its upright top-left corner) ->
    frame pixels ([n, 2])."""
    u = np.asarray(points, np.float64) - 0.5
    cos, sin = math.cos(region.rotation), math.sin(region.rotation)
    x = region.x + (cos * u[:, 0] - sin * u[:, 1]) * region.size
    y = region.y + (sin * u[:, 0] + cos * u[:, 1]) * region.size
    return np.stack([x, y], axis=1)


def crop_transform(region, side):
    """The 8 numbers of the projective transform that takes each pixel (column, row) of a side x side
    crop to the frame position it samples: to_frame() of the crop pixel's centre, less half a pixel
    (the transform addresses pixels by index, whose centres are whole numbers)."""
    scale, offset = region.size / side, 0.5 / side - 0.5
    cos, sin = math.cos(region.rotation), math.sin(region.rotation)
    return [
        cos * scale,
        -sin * scale,
        region.x - 0.5 + (cos - sin) * offset * region.size,
        sin * scale,
        cos * scale,
        region.y - 0.5 + (sin + cos) * offset * region.size,
        0.0,
        0.0,
    ]


def crop(image, region, side, fill_mode):
    """A side x side crop of image ([1, height, width, 3] float32) over the region: bilinear,
    outside the frame black ("CONSTANT") or the nearest edge pixel ("NEAREST")."""
    return tf.raw_ops.ImageProjectiveTransformV3(
        images=image,
        transforms=tf.constant([crop_transform(region, side)], tf.float32),
        output_shape=tf.constant([side, side], tf.int32),
        fill_value=tf.constant(0.0),
        interpolation="BILINEAR",
        fill_mode=fill_mode,
    )
