"""The detector's SSD anchors, laid out as MediaPipe's pose detection graph lays them: for each run
of equal strides one grid of cells, row by row, each cell holding POSE_ANCHORS_PER_LAYER anchors per
layer of that stride, all at the cell's centre (the boxes are fixed-size: only centres matter)."""

import itertools
import math

import numpy as np

from tfjs_kombat.config import POSE_ANCHOR_STRIDES, POSE_ANCHORS_PER_LAYER, POSE_DETECTOR_SIZE


def anchor_centres(size=POSE_DETECTOR_SIZE, strides=POSE_ANCHOR_STRIDES, per_layer=POSE_ANCHORS_PER_LAYER):
    """[anchors, 2]: each anchor's centre (x, y) as fractions of the detector's input side."""
    grids = []
    for stride, layers in itertools.groupby(strides):
        cells = math.ceil(size / stride)
        centres = (np.arange(cells) + 0.5) / cells
        ys, xs = np.meshgrid(centres, centres, indexing="ij")
        per_cell = per_layer * len(list(layers))
        grids.append(np.repeat(np.stack([xs.ravel(), ys.ravel()], axis=1), per_cell, axis=0))
    return np.concatenate(grids)
