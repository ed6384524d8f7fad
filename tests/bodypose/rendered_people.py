"""Rendered people whose joints are known: synth's figure drawn large in a room, and where its
skeleton's joints land in the picture."""

import numpy as np

from tfjs_kombat.synth import scene
from tfjs_kombat.synth.figure import figure_parts, parts_box, skeleton
from tfjs_kombat.synth.person import random_person
from tfjs_kombat.synth.pose import random_angles

SIZE = (640, 480)
# The figure's joints that BlazePose names too (the hand's centre is about its wrist), per side.
PAIRED_JOINTS = {
    "shoulder": "shoulder",
    "elbow": "elbow",
    "hand": "wrist",
    "hip": "hip",
    "knee": "knee",
    "ankle": "ankle",
}


def rendered_person(rng, pose, size=SIZE):
    """(RGB uint8 picture, {joint: (x, y) pixels}, standing height in pixels) of a random person in a
    random pose of the class and a random room."""
    person, room = random_person(rng), scene.random_room(rng)
    angles, facing = random_angles(pose, rng), rng.choice((-1, 1))
    parts = figure_parts(person, angles, facing)
    scale, origin = scene.place_in_room(room, parts_box(parts), rng, size)
    image = scene.room_background(room, size).copy()
    scene.draw_figure(image, parts, (scale, origin))
    picture = np.asarray(scene.camera(image, room.look, rng))
    return picture, joint_pixels(person, angles, facing, parts, scale, origin), person.height * scale


def joint_pixels(person, angles, facing, parts, scale, origin):
    """The skeleton's joints placed as figure_parts places its parts (mirrored to face the figure's
    way, feet on the ground line, in standing heights), then as the picture draws them. The
    placement's vertical offset is read off the last part, the lead hand, drawn at its joint."""
    joints, flip = skeleton(person, angles), np.array([1 if facing > 0 else -1, 1])
    hand = parts[-1]
    assert hand.kind == "ellipse", "figure_parts no longer ends with the lead hand"
    offset = hand.points[0] - joints["lead_hand"] * flip * person.height
    return {name: origin + (point * flip * person.height + offset) * scale for name, point in joints.items()}
