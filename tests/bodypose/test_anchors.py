"""The detector's anchors: MediaPipe's layout for BlazePose's detector."""

import numpy as np

from tfjs_kombat.bodypose.anchors import anchor_centres


def test_one_anchor_per_detector_output_laid_out_grid_by_grid():
    centres = anchor_centres()
    assert centres.shape == (2254, 2)  # 28x28 cells x 2 + 14x14 x 2 + 7x7 x 6 (three layers of stride 32)
    np.testing.assert_allclose(centres[:2], [[0.5 / 28, 0.5 / 28]] * 2)
    np.testing.assert_allclose(centres[2], [1.5 / 28, 0.5 / 28])  # row by row: x moves first
    np.testing.assert_allclose(centres[1568], [0.5 / 14, 0.5 / 14])  # the stride-16 grid
    np.testing.assert_allclose(centres[1960:1966], [[0.5 / 7, 0.5 / 7]] * 6)
    np.testing.assert_allclose(centres[-1], [6.5 / 7, 6.5 / 7])
