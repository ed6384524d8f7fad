"""Figures: a person (proportions, clothes), their pose (joint angles) and the body parts to draw.

A person is a small skeleton (joint angles -> forward kinematics) dressed in solid, rounded body
parts. Everything is drawn with numpy and PIL from a seeded numpy Generator: no downloads.

Conventions: the figure is built facing right (+x) in units of its standing height, y down,
and mirrored when it faces left. An angle of 0 points down, 90 forward (toward the facing
side), 180 up, -90 backward. Arm angles are relative to the torso, leg angles to the vertical.
"""

import colorsys
from typing import NamedTuple

import numpy as np
from PIL import ImageDraw

from tfjs_kombat import config

POSES = config.CLASS_NAMES  # ("punch", "kick", "other"), stored in config.CLASS_DIRS

# ---------------------------------------------------------------------------------------------
# The person: proportions and clothes, fixed while they move


class Person(NamedTuple):
    height: float  # standing height relative to an average person
    head: float  # head height, in standing heights
    neck: float
    torso: float  # pelvis to the base of the neck
    upper_arm: float
    forearm: float
    thigh: float
    shin: float
    shoulders: float  # half the distance between the shoulder joints
    hips: float  # half the distance between the hip joints
    build: float  # thickness of limbs and torso
    skin: tuple
    hair: tuple | None  # None: bald
    long_hair: bool
    shirt: tuple
    sleeves: tuple
    long_sleeves: bool
    trousers: tuple
    shorts: bool
    shoes: tuple


SKIN_TONES = ((255, 224, 196), (236, 192, 158), (200, 148, 108), (160, 110, 74), (112, 74, 48), (74, 50, 34))
HAIR_COLOURS = ((22, 18, 16), (62, 42, 28), (112, 76, 42), (196, 164, 104), (150, 148, 144), (142, 62, 30))


def _between(rng, palette):
    """A colour somewhere between two neighbours of a palette, jittered a little."""
    i = rng.uniform(0, len(palette) - 1)
    low, high = np.array(palette[int(i)]), np.array(palette[min(int(i) + 1, len(palette) - 1)])
    colour = low + (high - low) * (i - int(i)) + rng.normal(0, 6, 3)
    return tuple(int(c) for c in np.clip(colour, 0, 255))


def cloth(rng, value=(0.12, 0.95)):
    """A clothing colour: any hue, from grey to vivid, from dark to light."""
    r, g, b = colorsys.hsv_to_rgb(rng.uniform(), rng.uniform(0, 0.85) ** 1.5, rng.uniform(*value))
    return (int(r * 255), int(g * 255), int(b * 255))


def random_person(rng):
    """Someone new: proportions, build, skin, hair and clothes."""
    legs, arms, size = rng.uniform(0.94, 1.06), rng.uniform(0.94, 1.06), rng.uniform(0.9, 1.1)
    shirt = cloth(rng)
    jeans = _between(rng, ((38, 52, 90), (70, 96, 140)))
    trousers = jeans if rng.uniform() < 0.35 else cloth(rng, (0.08, 0.8))
    return Person(
        height=rng.uniform(0.88, 1.1),
        head=0.125 * size,
        neck=0.035,
        torso=0.3 * rng.uniform(0.94, 1.06),
        upper_arm=0.165 * arms,
        forearm=0.145 * arms,
        thigh=0.245 * legs,
        shin=0.235 * legs,
        shoulders=0.105 * rng.uniform(0.85, 1.15),
        hips=0.055 * rng.uniform(0.85, 1.2),
        build=rng.uniform(0.8, 1.3),
        skin=_between(rng, SKIN_TONES),
        hair=None if rng.uniform() < 0.12 else _between(rng, HAIR_COLOURS),
        long_hair=bool(rng.uniform() < 0.3),
        shirt=shirt,
        sleeves=shirt if rng.uniform() < 0.7 else cloth(rng),
        long_sleeves=bool(rng.uniform() < 0.4),
        trousers=trousers,
        shorts=bool(rng.uniform() < 0.15),
        shoes=cloth(rng, (0.05, 0.9)),
    )


# ---------------------------------------------------------------------------------------------
# Poses: joint angles per class. An angles dict has lean (torso, + = forward), turn (1 = facing
# the camera, smaller = sideways), and (upper, lower) pairs for lead_arm, rear_arm, lead_leg,
# rear_leg; "lead" is the limb on the facing side.


def _u(rng, low, high):
    return float(rng.uniform(low, high))


def _guard_arm(rng):
    return (_u(rng, 10, 40), _u(rng, 150, 178))  # elbow down, fist up by the chin


def _relaxed_arm(rng):
    upper = _u(rng, -12, 12)
    return (upper, upper + _u(rng, 0, 25))


def _relaxed_legs(rng):
    lead, rear = _u(rng, 0, 8), _u(rng, -8, 0)
    return (lead, lead - _u(rng, 0, 4)), (rear, rear - _u(rng, 0, 4))


def _stance_legs(rng):
    lead, rear = _u(rng, 8, 22), _u(rng, -22, -8)
    return (lead, lead - _u(rng, 0, 12)), (rear, rear - _u(rng, 0, 10))


def relaxed_stance(rng, turn=(0.8, 1.0)):
    lead_leg, rear_leg = _relaxed_legs(rng)
    return dict(
        lean=_u(rng, -4, 4),
        turn=_u(rng, *turn),
        lead_arm=_relaxed_arm(rng),
        rear_arm=_relaxed_arm(rng),
        lead_leg=lead_leg,
        rear_leg=rear_leg,
    )


def _guard_stance(rng):
    """Fists up, feet apart, waiting: an "other" pose."""
    angles = relaxed_stance(rng)
    angles["lead_leg"], angles["rear_leg"] = _stance_legs(rng)
    angles["lead_arm"], angles["rear_arm"] = _guard_arm(rng), _guard_arm(rng)
    angles["lean"] = _u(rng, -3, 8)
    return angles


def _punch(rng):
    angles = relaxed_stance(rng)
    angles["lead_leg"], angles["rear_leg"] = _stance_legs(rng)
    angles["lean"] = _u(rng, 0, 12)
    upper = 90 + _u(rng, -15, 15) - angles["lean"]  # horizontal in the image, whatever the lean
    angles["lead_arm"] = (upper, upper + _u(rng, -6, 6))
    angles["rear_arm"] = _guard_arm(rng)
    return angles


def _kick(rng):
    angles = relaxed_stance(rng)
    height = _u(rng, 72, 115)  # thigh angle: foot from hip to chest height
    kicking = (height, height - _u(rng, 0, 15))  # knee at most a little bent, never backwards
    standing = _u(rng, -15, -3)
    legs = [kicking, (standing, standing - _u(rng, 0, 4))]
    if rng.uniform() < 0.5:
        legs.reverse()  # kick with the rear leg instead
    angles["lead_leg"], angles["rear_leg"] = legs
    angles["lean"] = -_u(rng, 5, 12) - (height - 72) * 0.35  # higher kick, more lean back
    arms = rng.integers(3)
    angles["lead_arm"] = _guard_arm(rng) if arms < 2 else (_u(rng, 25, 55), _u(rng, 25, 70))
    angles["rear_arm"] = _guard_arm(rng) if arms == 0 else (_u(rng, -80, -35), _u(rng, -80, -20))
    return angles


def _other(rng):
    """Anything but a punch or a kick: no arm held out forward, no leg raised high."""
    kind = rng.integers(9)
    angles = _guard_stance(rng) if kind == 1 else relaxed_stance(rng)
    if kind == 2:  # walking stride
        stride, swing = _u(rng, 12, 30), _u(rng, 8, 30)
        step = [(stride, stride - _u(rng, 0, 15)), (-stride, -stride - _u(rng, 0, 20))]
        if rng.uniform() < 0.5:
            step.reverse()
        angles["lead_leg"], angles["rear_leg"] = step
        angles["lead_arm"] = (-swing, -swing + _u(rng, 5, 40))
        angles["rear_arm"] = (swing, swing + _u(rng, 5, 40))
    elif kind == 3:  # squat
        thigh = _u(rng, 45, 75)
        angles["lead_leg"] = (thigh, -_u(rng, 10, 30))
        angles["rear_leg"] = (thigh - _u(rng, 0, 20), -_u(rng, 10, 35))
        angles["lean"] = _u(rng, 12, 32)
        arm = _guard_arm if rng.uniform() < 0.5 else _relaxed_arm
        angles["lead_arm"], angles["rear_arm"] = arm(rng), arm(rng)
    elif kind == 4:  # stretching, both arms up
        angles["lead_arm"] = (_u(rng, 150, 185), _u(rng, 165, 195))
        angles["rear_arm"] = (_u(rng, 175, 210), _u(rng, 165, 195))
    elif kind == 5:  # waving
        arm = (_u(rng, 125, 165), _u(rng, 165, 205))
        angles["lead_arm" if rng.uniform() < 0.5 else "rear_arm"] = arm
    elif kind == 6:  # turned sideways
        angles["turn"] = _u(rng, 0.3, 0.6)
    elif kind == 7:  # leaning one way or the other
        angles["lean"] = _u(rng, 10, 25) * rng.choice((-1, 1))
    elif kind == 8:  # hands on hips
        angles["lead_arm"] = (_u(rng, 30, 50), _u(rng, -60, -30))
        angles["rear_arm"] = (-_u(rng, 30, 50), _u(rng, 30, 60))
    return angles  # kind 0: standing relaxed


POSE_MAKERS = {"punch": _punch, "kick": _kick, "other": _other}


def random_angles(pose, rng):
    """Joint angles of a random pose of the class (see the section's comment)."""
    if pose not in POSE_MAKERS:
        raise ValueError(f"unknown pose {pose!r}; expected one of {POSES}")
    return POSE_MAKERS[pose](rng)


# ---------------------------------------------------------------------------------------------
# Forward kinematics and the body parts to draw


def _direction(angle):
    radians = np.radians(angle)
    return np.array([np.sin(radians), np.cos(radians)])


def skeleton(person, angles):
    """Joint positions (x toward the facing side, y down, standing heights), pelvis at 0."""
    lean = angles["lean"]
    up, right = _direction(180 - lean), _direction(90 - lean)
    joints = {"pelvis": np.zeros(2)}
    joints["neck"] = up * person.torso
    joints["head"] = joints["neck"] + up * (person.neck + person.head / 2)
    shoulder = right * person.shoulders * angles["turn"]
    hip = right * person.hips * (0.6 + 0.4 * angles["turn"])
    for side, sign in (("lead", 1), ("rear", -1)):
        upper, lower = angles[f"{side}_arm"]
        joints[f"{side}_shoulder"] = joints["neck"] - up * 0.025 + sign * shoulder
        joints[f"{side}_elbow"] = joints[f"{side}_shoulder"] + person.upper_arm * _direction(upper + lean)
        joints[f"{side}_hand"] = joints[f"{side}_elbow"] + person.forearm * _direction(lower + lean)
        thigh, shin = angles[f"{side}_leg"]
        joints[f"{side}_hip"] = sign * hip
        joints[f"{side}_knee"] = joints[f"{side}_hip"] + person.thigh * _direction(thigh)
        joints[f"{side}_ankle"] = joints[f"{side}_knee"] + person.shin * _direction(shin)
    return joints


class Part(NamedTuple):
    kind: str  # "capsule" (2 points, 2 radii), "ellipse" (centre, rx, ry) or "polygon"
    colour: tuple
    points: np.ndarray  # k x 2
    radii: tuple = ()


def shade(colour, factor):
    return tuple(int(min(255, c * factor)) for c in colour)


def _capsule(colour, p, q, r1, r2):
    return Part("capsule", colour, np.array([p, q]), (r1, r2))


def _ellipse(colour, centre, rx, ry):
    return Part("ellipse", colour, np.array([centre]), (rx, ry))


def _polygon(colour, *corners):
    return Part("polygon", colour, np.array(corners))


def _limb_parts(person, joints, side, angles):
    """Leg then arm of one side; the rear side is a little darker, as if further from the light."""
    b, darkness = person.build, 1.0 if side == "lead" else 0.86
    hip, knee, ankle = (joints[f"{side}_{j}"] for j in ("hip", "knee", "ankle"))
    trousers, skin = shade(person.trousers, darkness), shade(person.skin, darkness)
    thigh_colour, shin_colour = trousers, skin if person.shorts else trousers
    toe = _direction(angles[f"{side}_leg"][1] + 90)  # the foot at a right angle to the shin
    sole = ankle + 0.015 * _direction(angles[f"{side}_leg"][1])
    legs = [
        _capsule(thigh_colour, hip, knee, 0.06 * b, 0.045 * b),
        _capsule(shin_colour, knee, ankle, 0.045 * b, 0.031 * b),
        _capsule(shade(person.shoes, darkness), sole - 0.025 * toe, sole + 0.07 * toe, 0.026, 0.024),
    ]
    shoulder, elbow, hand = (joints[f"{side}_{j}"] for j in ("shoulder", "elbow", "hand"))
    sleeves = shade(person.sleeves, darkness)
    forearm_colour = sleeves if person.long_sleeves else skin
    arms = [
        _capsule(sleeves, shoulder, elbow, 0.04 * b, 0.032 * b),
        _capsule(forearm_colour, elbow, hand, 0.031 * b, 0.025 * b),
        _ellipse(skin, hand, 0.03 * b, 0.03 * b),
    ]
    return legs, arms


def _head_parts(person, joints, turn):
    head, h = joints["head"], person.head
    parts = []
    if person.hair is not None and person.long_hair:
        parts.append(_capsule(person.hair, head - [0.02, 0], head + [-0.03, 0.09], 0.05, 0.045))
    parts.append(_capsule(person.skin, joints["neck"] - [0, 0.01], head, 0.03 * person.build, 0.03))
    if person.hair is not None:
        parts.append(_ellipse(person.hair, head + [-0.006, -0.012], 0.43 * h, 0.46 * h))
    face = head + [0.004 + 0.012 * (1 - turn), 0.006]
    parts.append(_ellipse(person.skin, face, 0.4 * h * (0.75 + 0.25 * turn), 0.44 * h))
    eye_gap = 0.13 * h * (0.3 + 0.7 * turn)
    for dx in (-eye_gap, eye_gap):
        parts.append(
            _ellipse((40, 30, 28), face + [dx + 0.1 * h * (1 - turn), -0.03 * h], 0.045 * h, 0.05 * h)
        )
    return parts


def figure_parts(person, angles, facing=1):
    """Body parts in drawing order, in average standing heights, the pelvis at x=0, the feet at y=0.

    facing=1 looks toward +x (right), facing=-1 toward -x (left).
    """
    joints = skeleton(person, angles)
    b, turn = person.build, angles["turn"]
    lead_legs, lead_arms = _limb_parts(person, joints, "lead", angles)
    rear_legs, rear_arms = _limb_parts(person, joints, "rear", angles)
    up, right = _direction(180 - angles["lean"]), _direction(90 - angles["lean"])
    shoulders = right * (person.shoulders * turn + 0.03 * b)  # half widths, as vectors
    waist = right * 0.075 * b * (0.7 + 0.3 * turn)
    hips = right * (person.hips * (0.6 + 0.4 * turn) + 0.055 * b)
    neck, belt = joints["neck"] - up * 0.02, up * 0.08
    trunk = [
        _polygon(person.trousers, belt + waist, hips, -hips, belt - waist),
        _ellipse(person.trousers, up * 0.01, np.hypot(*hips), 0.05),
        _polygon(person.shirt, neck + shoulders, belt * 0.6 + waist, belt * 0.6 - waist, neck - shoulders),
        _capsule(person.shirt, neck - shoulders * 0.8, neck + shoulders * 0.8, 0.035 * b, 0.035 * b),
    ]
    parts = rear_legs + lead_legs + trunk + _head_parts(person, joints, turn) + rear_arms + lead_arms
    if facing < 0:
        parts = [part._replace(points=part.points * [-1, 1]) for part in parts]
    ground = parts_box(parts)[3]
    return [
        part._replace(
            points=(part.points - [0, ground]) * person.height,
            radii=tuple(r * person.height for r in part.radii),
        )
        for part in parts
    ]


def parts_box(parts):
    """(left, top, right, bottom) around all parts, in the parts' units."""
    low = np.min([p.points.min(axis=0) - (max(p.radii) if p.radii else 0) for p in parts], axis=0)
    high = np.max([p.points.max(axis=0) + (max(p.radii) if p.radii else 0) for p in parts], axis=0)
    return (*low, *high)


def draw_parts(image, parts, scale, origin):
    """Draw the parts on a PIL image: a point p lands on pixel origin + p * scale."""
    draw = ImageDraw.Draw(image)
    origin = np.asarray(origin, dtype=float)
    for part in parts:
        points = origin + part.points * scale
        radii = [r * scale for r in part.radii]
        if part.kind == "polygon":
            draw.polygon([tuple(p) for p in points], fill=part.colour)
        elif part.kind == "ellipse":
            (x, y), (rx, ry) = points[0], radii
            draw.ellipse((x - rx, y - ry, x + rx, y + ry), fill=part.colour)
        else:  # a tapered limb with round ends
            (p, q), (r1, r2) = points, radii
            along = q - p
            length = np.hypot(*along)
            if length > 1e-6:
                normal = np.array([-along[1], along[0]]) / length
                outline = [p + normal * r1, q + normal * r2, q - normal * r2, p - normal * r1]
                draw.polygon([tuple(v) for v in outline], fill=part.colour)
            for (x, y), r in ((p, r1), (q, r2)):
                draw.ellipse((x - r, y - r, x + r, y + r), fill=part.colour)
