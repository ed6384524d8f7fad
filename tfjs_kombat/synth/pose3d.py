"""Poses in 3D: pose.py's angles plus what a body seen from any side needs, one vector per frame.

pose.py's angles draw a fighter in profile: every limb swings in the plane that holds the
direction the fighter faces (where their punches and kicks go) and the vertical. In 3D the same
angles keep that meaning: a punch reaches toward where the fighter faces, a kick lifts the leg
toward it. What a profile cannot show is added here, each in degrees unless said otherwise:

    lead_arm_out, rear_arm_out   (upper arm, forearm) out of that plane, + away from the body's
                                 middle: elbows out, a raised arm out to the side, a fist in
                                 front of the chin
    lead_leg_out, rear_leg_out   the whole leg out to the side: how wide the feet stand
    side_lean                    the torso tilted sideways, + toward the lead side
    head                         (turn toward the lead side, nod down) relative to the shoulders
    heading                      the whole body turned about the vertical, + toward the lead side
    place                        (forward, toward the lead side): where the body stands on the
                                 floor, in average standing heights

and pose.py's `turn` (1 facing the camera in a profile picture) becomes how square the shoulders
and hips are to where the fighter faces: turn = cos(twist), the lead side forward.

The lead side is the body's left (+y in skeleton3d.py); a right-handed lead is the mirror image.
Every extra has a natural value derived from the profile angles and a person's habits (in_3d), so
the renderer's poses and moves (pose.py, motion.py) work unchanged; gesture.py sets them itself.
"""

from typing import NamedTuple

import numpy as np

from tfjs_kombat.synth.motion import smoothstep

# The values of a pose vector, in order, and how many numbers each takes: pose.py's (the profile)
# first, then the 3D ones.
PROFILE_VALUES = (
    ("lean", 1),
    ("turn", 1),
    ("lead_arm", 2),
    ("rear_arm", 2),
    ("lead_leg", 2),
    ("rear_leg", 2),
)
POSE_VALUES = (
    *PROFILE_VALUES,
    ("lead_arm_out", 2),
    ("rear_arm_out", 2),
    ("lead_leg_out", 1),
    ("rear_leg_out", 1),
    ("side_lean", 1),
    ("head", 2),
    ("heading", 1),
    ("place", 2),
)
PROFILE_SIZE = sum(size for _, size in PROFILE_VALUES)
POSE_SIZE = sum(size for _, size in POSE_VALUES)


def _slices():
    slices, start = {}, 0
    for name, size in POSE_VALUES:
        slices[name] = slice(start, start + size) if size > 1 else start
        start += size
    return slices


SLICES = _slices()  # pose_vector[..., SLICES["lead_arm"]] is the lead arm's (upper, lower)


class Habits(NamedTuple):
    """How a person holds themselves, kept through a clip (degrees): one person's numbers, or
    arrays of many people's (random_habits with a count; head then [count, 2])."""

    elbows: float  # upper arms out from the body
    fold: float  # a fully bent arm brings the hand this much toward the body's middle
    stance: float  # legs out to the side
    head: tuple  # (turn, nod) of the head when nothing else moves it


PLAIN = Habits(elbows=0.0, fold=0.0, stance=0.0, head=(0.0, 0.0))


def random_habits(rng, count=None):
    """Someone's habits, or `count` people's as arrays."""
    size = None if count is None else (count, 2)
    return Habits(
        elbows=rng.uniform(0, 12, count),
        fold=rng.uniform(15, 40, count),
        stance=rng.uniform(0, 8, count),
        head=rng.uniform((-10, -8), (10, 15), size),
    )


def habits_of(habits, index):
    """One person's habits (or a subset's, for an index array) of many people's."""
    return Habits(*(np.asarray(value)[index] for value in habits))


# An arm's angle out of the profile plane by how high it is raised (upper + lean: 0 hanging,
# 90 forward, 180 overhead): hanging arms clear the hips, a straight punch aims a little inward
# at the middle of the target, raised arms open out to the side.
ARM_HEIGHTS = (0.0, 90.0, 180.0)
ARM_OUT = (4.0, -12.0, 20.0)


def _arms_out(arm, lean, habits):
    """[..., 2] (upper, forearm) out of the profile plane for arms [..., 2] (upper, lower)."""
    upper = habits.elbows + np.interp(arm[..., 0] + lean, ARM_HEIGHTS, ARM_OUT)
    bend = smoothstep((np.abs(arm[..., 1] - arm[..., 0]) - 30) / 90)
    return np.stack([upper, upper - habits.fold * bend], axis=-1)


def with_depth(profiles, habits):
    """Profile vectors [..., PROFILE_SIZE] (pose.py's values) as pose vectors [..., POSE_SIZE]:
    the 3D values as someone with these habits has them when nothing else sets them. The
    habits' numbers broadcast against profiles.shape[:-1] (the head's against [..., 2])."""
    profiles = np.asarray(profiles, dtype=float)
    poses = np.zeros(profiles.shape[:-1] + (POSE_SIZE,))
    poses[..., :PROFILE_SIZE] = profiles
    lean = profiles[..., SLICES["lean"]]
    for side in ("lead", "rear"):
        poses[..., SLICES[f"{side}_arm_out"]] = _arms_out(profiles[..., SLICES[f"{side}_arm"]], lean, habits)
        poses[..., SLICES[f"{side}_leg_out"]] = habits.stance
    poses[..., SLICES["head"]] = habits.head
    return poses


def _numbers(angles, values):
    numbers = []
    for name, size in values:
        if size > 1:
            numbers.extend(angles[name])
        else:
            numbers.append(angles[name])
    return numbers


def profile_vectors(frames):
    """A list of pose.py's angles dicts as profile vectors [len(frames), PROFILE_SIZE]."""
    return np.array([_numbers(angles, PROFILE_VALUES) for angles in frames], dtype=float)


def pose_vector(angles):
    """An angles dict with every POSE_VALUES key as one vector of POSE_SIZE numbers."""
    return np.array(_numbers(angles, POSE_VALUES), dtype=float)


def pose_vectors(frames):
    """A list of angles dicts as a [len(frames), POSE_SIZE] array."""
    return np.array([_numbers(angles, POSE_VALUES) for angles in frames], dtype=float)


def pose_dict(vector):
    """A pose vector as an angles dict: numbers for one-number values, tuples for pairs."""
    return {
        name: tuple(vector[SLICES[name]]) if size > 1 else float(vector[SLICES[name]])
        for name, size in POSE_VALUES
    }


def in_3d(angles, habits):
    """pose.py's angles dict with the 3D values it lacks (with_depth's); those it has are kept."""
    return {**pose_dict(with_depth(profile_vectors([angles])[0], habits)), **angles}
