"""Regions of interest: the crop reads the frame where to_frame() says its pixels are."""

import math

import numpy as np
import pytest
import tensorflow as tf

from tfjs_kombat.bodypose.region import Region, crop, from_alignment, to_frame, whole_frame


def test_alignment_points_give_an_upright_region_around_the_first():
    straight_up = from_alignment((100.0, 200.0), (100.0, 120.0))
    assert straight_up == pytest.approx(Region(100, 200, 2 * 80 * 1.25, 0.0))
    # The second point to the right: the body lies on its side, turned a quarter clockwise.
    assert from_alignment((100.0, 200.0), (180.0, 200.0)).rotation == pytest.approx(math.pi / 2)
    assert from_alignment((100.0, 200.0), (20.0, 200.0)).rotation == pytest.approx(-math.pi / 2)
    assert abs(from_alignment((100.0, 200.0), (100.0, 280.0)).rotation) == pytest.approx(math.pi)


def test_the_letterbox_is_the_frame_centred_in_a_square():
    assert whole_frame(640, 480) == Region(320, 240, 640, 0.0)
    corners = to_frame(whole_frame(640, 480), [[0, 0], [1, 1]])
    np.testing.assert_allclose(corners, [[0, -80], [640, 560]])


@pytest.mark.parametrize("rotation", [0.0, 0.6, -2.0])
def test_a_crop_shows_each_point_where_to_frame_puts_it(rotation):
    frame = np.zeros((1, 120, 160, 3), np.float32)
    frame[0, 40:44, 90:94] = 255  # a bright square centred on (92, 42) in pixel centres: x 91.5+0.5
    region = Region(80.0, 60.0, 100.0, rotation)
    side = 50
    cropped = crop(tf.constant(frame), region, side, "CONSTANT").numpy()[0, ..., 0]
    row, column = np.unravel_index(np.argmax(cropped), cropped.shape)
    spot = (np.array([column, row]) + 0.5) / side  # the brightest crop pixel's centre
    ((x, y),) = to_frame(region, [spot])
    assert abs(x - 92) <= 2.5 and abs(y - 42) <= 2.5  # within a crop pixel (2 frame pixels)


def test_outside_the_frame_is_black_or_the_nearest_edge():
    frame = tf.fill([1, 10, 10, 3], 200.0)
    region = Region(5.0, 5.0, 30.0, 0.0)  # three times the frame
    black = crop(frame, region, 30, "CONSTANT").numpy()[0, ..., 0]
    edge = crop(frame, region, 30, "NEAREST").numpy()[0, ..., 0]
    assert black[0, 0] == 0 and black[15, 15] == 200
    assert (edge == 200).all()
