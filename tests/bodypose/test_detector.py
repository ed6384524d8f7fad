"""Decoding the detector: the best person, averaged with the boxes that overlap it."""

import numpy as np

from tfjs_kombat.bodypose.detector import best_person

SIDE = 224
ANCHORS = np.array([[0.25, 0.25], [0.3, 0.25], [0.75, 0.75], [0.5, 0.5]])


def output(rows):
    """Detector outputs for the ANCHORS: per anchor (dx, dy, w, h, keypoint offsets, logit), in
    fractions of the input side (the model writes pixels of its 224 input)."""
    values = np.zeros((len(ANCHORS), 13))
    for i, (box, keypoint_offset, logit) in enumerate(rows):
        values[i, :4] = box
        values[i, 4:12] = keypoint_offset
        values[i, 12] = logit
    values[:, :12] *= SIDE
    return values


def test_nobody_when_no_score_reaches_the_threshold():
    low = (0, 0, 0.2, 0.2), 0.0, -0.1  # sigmoid(-0.1) < 0.5
    assert best_person(output([low] * 4), ANCHORS) is None


def test_the_best_box_averaged_with_its_overlapping_boxes_by_score():
    best = (0, 0, 0.3, 0.3), 0.0, 3.0  # at its anchor (0.25, 0.25)
    near = (-0.05, 0, 0.3, 0.3), 0.0, 1.0  # same place (anchor 0.3 moved back): overlaps wholly
    far = (0, 0, 0.3, 0.3), 0.0, 4.0  # the highest score, elsewhere: the best
    weak = (0, 0, 0.3, 0.3), 0.0, -5.0  # below the threshold: not a candidate
    keypoints = best_person(output([best, near, far, weak]), ANCHORS)
    np.testing.assert_allclose(keypoints, [[0.75, 0.75]] * 4)  # the far one: alone at (0.75, 0.75)

    shifted = (0.05, 0, 0.3, 0.3), 0.0, 1.0  # its box overlaps the best's by 0.5 IoU: averaged in
    apart = (-0.05, -0.25, 0.3, 0.3), 0.0, 2.0  # at (0.45, 0.25): overlaps it by 0.2, a person of its own
    keypoints = best_person(output([best, shifted, weak, apart]), ANCHORS)
    weights = 1 / (1 + np.exp(-np.array([3.0, 1.0])))
    expected_x = (weights[0] * 0.25 + weights[1] * 0.3) / weights.sum()  # keypoints: anchor + offset
    np.testing.assert_allclose(keypoints, [[expected_x, 0.25]] * 4)
