"""Rendered people whose joints are known: synth's figure drawn large in a room, and where its
skeleton's joints land in the picture (scene.render_with_joints)."""

import numpy as np

from tfjs_kombat.synth import scene
from tfjs_kombat.synth.person import random_person
from tfjs_kombat.synth.pose import random_angles

SIZE = (640, 480)


def rendered_person(rng, pose, size=SIZE):
    """(RGB uint8 picture, {joint: (x, y) pixels}, standing height in pixels) of a random person in a
    random pose of the class and a random room."""
    person, room = random_person(rng), scene.random_room(rng)
    angles, facing = random_angles(pose, rng), rng.choice((-1, 1))
    image, joints, height = scene.render_with_joints(person, room, angles, rng, size, facing)
    return np.asarray(image), joints, height
