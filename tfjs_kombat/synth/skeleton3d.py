"""3D skeletons: BlazePose's 33 landmarks of a person in a pose (pose3d.py), by forward kinematics.

The body is built like figure.skeleton's profile, in the same angles and proportions, with depth
added: x is where the fighter faces (their punches and kicks go +x), y their lead side, z up, in
average standing heights; the lowest landmark stands on the floor (z = 0) at the pose's place.
The lead side is the left one (landmarks "left_*"); `mirrored` makes a right-handed lead.

The face (nose, eyes, ears, mouth), the hands (pinky, index, thumb) and the feet (heel, foot
index) are placed from the head, the wrists and the ankles with an adult's proportions.
Vectorised: any number of poses at once.
"""

import numpy as np

from tfjs_kombat import config
from tfjs_kombat.synth.person import Proportions
from tfjs_kombat.synth.pose3d import PLAIN, SLICES, in_3d, pose_vector

LANDMARK = {name: i for i, name in enumerate(config.BODY_LANDMARKS)}


def _mirror_order():
    swapped = [name.replace("left", "#").replace("right", "left").replace("#", "right") for name in LANDMARK]
    return np.array([LANDMARK[name] for name in swapped])


MIRROR = _mirror_order()  # landmarks[..., MIRROR, :] swaps every left landmark with its right twin

# Face landmarks of the left side and the middle, from the head's centre: (forward, left, up) in
# head heights (crown to chin); the right side mirrors them.
FACE = {
    "nose": (0.5, 0.0, -0.12),
    "left_eye_inner": (0.4, 0.07, 0.03),
    "left_eye": (0.38, 0.13, 0.03),
    "left_eye_outer": (0.33, 0.19, 0.03),
    "left_ear": (-0.02, 0.36, -0.02),
    "mouth_left": (0.4, 0.1, -0.3),
}
# Hands from the wrist, along the forearm and toward the thumb's side, in standing heights.
HAND = {"index": (0.075, 0.01), "pinky": (0.065, -0.03), "thumb": (0.035, 0.04)}
# Feet from the ankle, down the shin and along the foot, in standing heights.
FOOT = {"heel": (0.035, -0.045), "foot_index": (0.045, 0.11)}
NECK_TO_SHOULDERS = 0.025  # the shoulder joints sit a little below the base of the neck (figure.py)
TOE_OUT = 8.0  # degrees the feet point outward
HEAD_FOLLOWS = 0.5  # share of the shoulders' twist the head turns with


def _unit(v):
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-12)


def _vector(x, y, z):
    return np.stack(np.broadcast_arrays(x, y, z), axis=-1)


def _limb(angle, out, side):
    """Unit vector of a limb at `angle` in the profile plane (0 down, 90 forward, degrees) turned
    `out` degrees toward the outside of `side` (+1 lead, -1 rear)."""
    a, o = np.radians(angle), np.radians(out)
    return _vector(np.cos(o) * np.sin(a), side * np.sin(o), -np.cos(o) * np.cos(a))


def _turned(v, degrees):
    """v [..., 3] turned about the vertical by degrees [...], + from x toward y."""
    t = np.radians(degrees)[..., None]
    x, y = v[..., 0:1], v[..., 1:2]
    return np.concatenate([x * np.cos(t) - y * np.sin(t), x * np.sin(t) + y * np.cos(t), v[..., 2:]], axis=-1)


def _dot(a, b):
    return np.sum(a * b, axis=-1, keepdims=True)


def _across_from(direction, up):
    """direction with its part along up removed, as a unit vector."""
    return _unit(direction - _dot(direction, up) * up)


def landmarks(body, poses):
    """The 33 landmarks (config.BODY_LANDMARKS) of bodies in poses: [..., 33, 3] (x, y, z).

    poses: [..., POSE_SIZE] pose vectors (pose3d.py); body: person.Proportions (or a Person)
    whose fields broadcast against poses.shape[:-1].
    """
    poses = np.asarray(poses, dtype=float)
    shape = poses.shape[:-1]
    length = {name: np.broadcast_to(getattr(body, name), shape)[..., None] for name in Proportions._fields}

    def value(name):
        return poses[..., SLICES[name]]

    def pair(name):
        return poses[..., SLICES[name]][..., 0], poses[..., SLICES[name]][..., 1]

    lean, roll = np.radians(value("lean")), np.radians(value("side_lean"))
    up = _vector(np.sin(lean), np.cos(lean) * np.sin(roll), np.cos(lean) * np.cos(roll))
    twist = np.arccos(np.clip(value("turn"), 0.0, 1.0))  # radians: the lead shoulder forward
    across = _across_from(_vector(np.sin(twist), np.cos(twist), 0.0), up)
    twist = np.degrees(twist)
    neck = up * length["torso"]
    points = {"head": neck + up * (length["neck"] + length["head"] / 2)}
    for side, sign, name in (("lead", 1.0, "left"), ("rear", -1.0, "right")):
        (upper, lower), (upper_out, lower_out) = pair(f"{side}_arm"), pair(f"{side}_arm_out")
        shoulder = neck - up * NECK_TO_SHOULDERS + sign * across * length["shoulders"]
        elbow = shoulder + length["upper_arm"] * _limb(upper + value("lean"), upper_out, sign)
        forearm = _limb(lower + value("lean"), lower_out, sign)
        wrist = elbow + length["forearm"] * forearm
        thumb_side = _across_from(np.broadcast_to([1.0, -sign, 0.3], forearm.shape), forearm)
        thigh, shin = pair(f"{side}_leg")
        hip = sign * across * length["hips"]
        knee = hip + length["thigh"] * _limb(thigh, value(f"{side}_leg_out"), sign)
        down = _limb(shin, value(f"{side}_leg_out"), sign)
        ankle = knee + length["shin"] * down
        foot = _turned(_limb(shin + 90, 0.0, sign), sign * TOE_OUT - twist / 2)
        for joint, point in (("shoulder", shoulder), ("elbow", elbow), ("wrist", wrist)):
            points[f"{name}_{joint}"] = point
        for joint, point in (("hip", hip), ("knee", knee), ("ankle", ankle)):
            points[f"{name}_{joint}"] = point
        for part, (along, toward_thumb) in HAND.items():
            points[f"{name}_{part}"] = wrist + along * forearm + toward_thumb * thumb_side
        for part, (down_shin, along_foot) in FOOT.items():
            points[f"{name}_{part}"] = ankle + down_shin * down + along_foot * foot
    points.update(_face(points.pop("head"), up, value("head"), twist, length["head"]))
    joints = np.stack([points[name] for name in config.BODY_LANDMARKS], axis=-2) * length["height"][..., None]
    joints = _turned(joints, np.broadcast_to(value("heading")[..., None], joints.shape[:-1]))
    joints[..., :2] += value("place")[..., None, :]
    joints[..., 2] -= joints[..., 2].min(axis=-1, keepdims=True)  # feet on the floor
    return joints


def _face(centre, up, head, twist, size):
    """The face's landmarks around the head's centre, the head turned and nodded."""
    turn = np.radians(head[..., 0] - HEAD_FOLLOWS * twist)
    nod = np.radians(head[..., 1:2])
    forward = _across_from(_vector(np.cos(turn), np.sin(turn), 0.0), up)
    left = np.cross(up, forward)
    forward, up = np.cos(nod) * forward - np.sin(nod) * up, np.cos(nod) * up + np.sin(nod) * forward
    points = {}
    for name, (a, c, d) in FACE.items():
        twin = name.replace("left", "right")
        points[name] = centre + size * (a * forward + c * left + d * up)
        points[twin] = centre + size * (a * forward - c * left + d * up)
    return points


def mirrored(points):
    """Landmarks [..., 33, 3] of the mirror image (y -> -y): the other side leads."""
    return points[..., MIRROR, :] * np.array([1.0, -1.0, 1.0])


def skeleton3d(person, angles, lead="left"):
    """The 33 landmarks [33, 3] of one person (a Person or Proportions) in one pose: pose.py's
    angles, with pose3d's 3D values or those of someone with no habits of their own."""
    if lead not in ("left", "right"):
        raise ValueError(f"lead must be 'left' or 'right', not {lead!r}")
    points = landmarks(person, pose_vector(in_3d(angles, PLAIN)))
    return points if lead == "left" else mirrored(points)
