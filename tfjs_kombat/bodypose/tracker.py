"""Tracking a person across frames as BlazePose's authors do: the detector finds the person once;
from then on each frame's region comes from the last frame's landmarks (their two alignment
landmarks), and only when the landmark model's presence drops below POSE_PRESENCE is the person
lost, that frame answered with nobody and the next one searched by the detector again.

web/js/bodypose.js is the browser's twin (tests/web/test_bodypose_parity.py holds them together).
"""

import numpy as np
import tensorflow as tf

from tfjs_kombat.bodypose import detector, landmarks, networks
from tfjs_kombat.bodypose.anchors import anchor_centres
from tfjs_kombat.bodypose.region import from_alignment
from tfjs_kombat.config import BODY_LANDMARKS, POSE_ALIGNMENT, POSE_PRESENCE


class Tracker:
    """track(frame) -> [33, 4] (x, y, z, visibility) per config.BODY_LANDMARKS, or None."""

    def __init__(self, models=None):
        self.networks = models or networks.load()
        self.anchors = anchor_centres()
        self.region = None  # where to look in the next frame; None: run the detector
        self.detector_runs = 0

    def track(self, frame):
        """The person's landmarks in this frame (RGB, uint8 [height, width, 3]): x and y as fractions
        of the frame's width and height, z in units of its width; None when nobody is found."""
        height, width = frame.shape[:2]
        image = tf.cast(tf.convert_to_tensor(frame)[None], tf.float32)
        if self.region is None:
            self.detector_runs += 1
            self.region = detector.detect(self.networks, image, width, height, self.anchors)
            if self.region is None:
                return None
        found = landmarks.estimate(self.networks, image, self.region)
        if found.presence < POSE_PRESENCE:
            self.region = None
            return None
        self.region = from_alignment(*found.points[list(POSE_ALIGNMENT)])
        return body_landmarks(found, width, height)


def body_landmarks(found, width, height):
    """The BODY_LANDMARKS of an estimate, normalised to the frame: [33, 4]."""
    count = len(BODY_LANDMARKS)
    xy = found.points[:count] / [width, height]
    return np.column_stack([xy, found.z[:count] / width, found.visibility[:count]]).astype(np.float32)
