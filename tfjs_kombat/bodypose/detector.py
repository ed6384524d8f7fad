"""The person detector: the whole frame letterboxed into the detector's square, its anchors decoded,
and the best person as MediaPipe's pose graph finds it: the highest score of at least
POSE_DETECTION_SCORE, its box and keypoints averaged, weighted by score, with every box overlapping
it by more than POSE_OVERLAP (the first answer of MediaPipe's weighted non-max suppression; the
pose graph keeps one person). Its first two keypoints (the hips' centre, and a point whose distance
and direction give the body's size and rotation) make the landmark model's region."""

import numpy as np

from tfjs_kombat.bodypose import region as regions
from tfjs_kombat.config import POSE_DETECTION_SCORE, POSE_DETECTOR_SIZE, POSE_OVERLAP

BOX, KEYPOINTS, SCORE = (
    slice(0, 4),
    slice(4, 12),
    12,
)  # one anchor's output: centre and size, 4 x (x, y), logit
LOGIT_LIMIT = 100.0  # MediaPipe clips score logits before the sigmoid


def detector_input(image, width, height):
    """[1, 224, 224, 3] in [-1, 1]: the frame (float32 [1, height, width, 3], 0-255) letterboxed in
    black, as MediaPipe's detector reads it."""
    square = regions.crop(image, regions.whole_frame(width, height), POSE_DETECTOR_SIZE, "CONSTANT")
    return square / 127.5 - 1.0


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def corners(centres, sizes):
    return np.concatenate([centres - sizes / 2, centres + sizes / 2], axis=-1)


def overlaps(box, boxes):
    """Intersection over union of one box with each of boxes ([x0, y0, x1, y1])."""
    top_left, bottom_right = np.maximum(box[:2], boxes[:, :2]), np.minimum(box[2:], boxes[:, 2:])
    intersection = np.prod(np.clip(bottom_right - top_left, 0, None), axis=1)
    areas = np.prod(boxes[:, 2:] - boxes[:, :2], axis=1)
    union = np.prod(box[2:] - box[:2]) + areas - intersection
    return np.where(union > 0, intersection / np.where(union > 0, union, 1), 0.0)


def best_person(output, anchors):
    """The best person's 4 keypoints ([4, 2], fractions of the detector's input side) from the
    detector's output ([anchors, 13]), or None when no anchor reaches POSE_DETECTION_SCORE."""
    output = np.asarray(output, np.float64)
    scores = sigmoid(np.clip(output[:, SCORE], -LOGIT_LIMIT, LOGIT_LIMIT))
    found = scores >= POSE_DETECTION_SCORE
    if not found.any():
        return None
    raw = output[found] / POSE_DETECTOR_SIZE
    centres = raw[:, BOX][:, :2] + anchors[found]
    keypoints = raw[:, KEYPOINTS].reshape(-1, 4, 2) + anchors[found][:, None]
    boxes, scores = corners(centres, raw[:, BOX][:, 2:]), scores[found]
    best = int(np.argmax(scores))
    same = overlaps(boxes[best], boxes) > POSE_OVERLAP
    same[best] = True  # a degenerate (empty) box overlaps nothing, not even itself
    weights = scores[same] / scores[same].sum()
    return np.tensordot(weights, keypoints[same], axes=1)


def detect(networks, image, width, height, anchors):
    """The landmark model's region for the best person in the frame, or None."""
    output = networks.detector(detector_input(image, width, height)).numpy()
    keypoints = best_person(output, anchors)
    if keypoints is None:
        return None
    centre, far = regions.to_frame(regions.whole_frame(width, height), keypoints[:2])
    return regions.from_alignment(centre, far)
