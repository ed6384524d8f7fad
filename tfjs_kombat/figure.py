"""Figures: a person (proportions, clothes), their pose (joint angles) and the body parts to draw.

A person is a small skeleton (joint angles -> forward kinematics) dressed in rounded body parts:
skin underneath, then clothes that cover as much of each limb as their sleeves and trouser legs
reach, plain or patterned (stripes, checks, a printed block). Everything is drawn with numpy and
PIL from a seeded numpy Generator: no downloads.

Conventions: the figure is built facing right (+x) in units of its standing height, y down,
and mirrored when it faces left. An angle of 0 points down, 90 forward (toward the facing
side), 180 up, -90 backward. Arm angles are relative to the torso, leg angles to the vertical.
"""

import colorsys
from itertools import pairwise
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw

from tfjs_kombat import config

POSES = config.CLASS_NAMES  # ("punch", "kick", "other"), stored in config.CLASS_DIRS

# ---------------------------------------------------------------------------------------------
# The person: proportions and clothes, fixed while they move


class Pattern(NamedTuple):
    """A second colour on a garment: "hstripes" (bands across the body or limb), "vstripes" (along
    it) or "checks"; period in standing heights; up: the body's or limb's long axis, set per part
    when the figure is built."""

    kind: str
    colour: tuple
    period: float
    up: tuple = (0.0, -1.0)


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
    build: float  # thickness of limbs
    girth: float  # width of the trunk: slim to heavy
    skin: tuple
    hair: tuple | None  # None: bald
    hair_style: str  # "short", "long", "ponytail" or "curly"
    beard: bool
    shirt: tuple
    shirt_pattern: Pattern | None  # None: plain
    chest_print: tuple | None  # colour of a printed block on the chest
    sleeves: tuple
    sleeve_length: float  # fraction of the arm, shoulder to hand, the sleeves cover: 0 sleeveless
    trousers: tuple
    trouser_pattern: Pattern | None
    trouser_length: float  # fraction of the leg, hip to ankle, the trousers cover: ~0.4 shorts
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


def _contrasting(rng, base):
    """A clothing colour far enough from base to show on it."""
    colour = cloth(rng)
    while np.abs(np.subtract(colour, base)).sum() < 150:
        colour = cloth(rng)
    return colour


def _pattern(rng, base, kind):
    """A pattern of this kind on a garment of colour base; None for "plain"."""
    return None if kind == "plain" else Pattern(kind, _contrasting(rng, base), rng.uniform(0.04, 0.075))


def random_person(rng):
    """Someone new: proportions, build, skin, hair and clothes."""
    legs, arms, size = rng.uniform(0.94, 1.06), rng.uniform(0.94, 1.06), rng.uniform(0.9, 1.1)
    build = rng.uniform(0.8, 1.3)
    shirt = cloth(rng)
    jeans = _between(rng, ((38, 52, 90), (70, 96, 140)))
    trousers = jeans if rng.uniform() < 0.35 else cloth(rng, (0.08, 0.8))
    shirt_kind = str(rng.choice(("plain", "plain", "hstripes", "vstripes", "checks", "print")))
    trouser_kind = str(rng.choice(("plain",) * 10 + ("vstripes", "checks")))
    sleeve_kind = rng.choice(4, p=(0.12, 0.38, 0.1, 0.4))  # none, short, three-quarter, long (to the wrist)
    sleeve_length = (0.0, rng.uniform(0.25, 0.45), rng.uniform(0.65, 0.8), 0.93)[sleeve_kind]
    shorts = rng.uniform() < 0.25
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
        build=build,
        girth=build * rng.uniform(0.85, 1.25),
        skin=_between(rng, SKIN_TONES),
        hair=None if rng.uniform() < 0.12 else _between(rng, HAIR_COLOURS),
        hair_style=str(rng.choice(("short", "short", "long", "ponytail", "curly"))),
        beard=bool(rng.uniform() < 0.15),
        shirt=shirt,
        shirt_pattern=None if shirt_kind == "print" else _pattern(rng, shirt, shirt_kind),
        chest_print=_contrasting(rng, shirt) if shirt_kind == "print" else None,
        sleeves=shirt if rng.uniform() < 0.7 else cloth(rng),
        sleeve_length=sleeve_length,
        trousers=trousers,
        trouser_pattern=_pattern(rng, trousers, trouser_kind),
        trouser_length=rng.uniform(0.32, 0.5) if shorts else 1.0,
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


def guard_stance(rng):
    """Fists up, feet apart, waiting: an "other" pose, and where a fighter's moves start and end."""
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
    angles = guard_stance(rng) if kind == 1 else relaxed_stance(rng)
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


def spinning_kick_poses(rng):
    """The key poses a roundhouse and a back kick share, in the roundhouse's order: (chamber,
    extension, turned away). One leg kicks, the other stands, in all three.

    chamber: facing the camera, the knee raised to hip height, the shin folded back under it;
    extension: a kick (the kick class's angles, the foot from hip to chest height);
    turned away: the body sideways (turn ~0.3) and leaning forward over the standing leg, the
    kicking leg bent behind (the foot up), the front arm low, the back one swung back.
    """
    extension = _kick(rng)
    kicking = "lead_leg" if extension["lead_leg"][0] > extension["rear_leg"][0] else "rear_leg"
    standing = "rear_leg" if kicking == "lead_leg" else "lead_leg"
    pivot = extension[standing]

    chamber = relaxed_stance(rng, turn=(0.85, 1.0))
    knee = _u(rng, 75, 105)
    chamber[kicking], chamber[standing] = (knee, -_u(rng, 10, 45)), pivot  # the shin folded back
    chamber["lean"] = -_u(rng, 0, 8)
    chamber["lead_arm"], chamber["rear_arm"] = _guard_arm(rng), _guard_arm(rng)

    turned = relaxed_stance(rng, turn=(0.2, 0.4))
    thigh, upright = -_u(rng, 30, 55), _u(rng, 0, 10)
    turned[kicking] = (thigh, thigh - _u(rng, 35, 75))  # the foot up behind, the knee bent
    turned[standing] = (upright, upright - _u(rng, 0, 8))  # under the body, which leans forward
    turned["lean"] = _u(rng, 12, 26)
    turned["lead_arm"] = (_u(rng, 5, 35), _u(rng, 10, 45))  # forward and down: never a punch
    turned["rear_arm"] = (-_u(rng, 30, 70), -_u(rng, 20, 70))  # swung back
    return chamber, extension, turned


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
    pattern: Pattern | None = None  # drawn over the colour, inside the part's outline


def shade(colour, factor):
    return tuple(int(min(255, c * factor)) for c in colour)


def _shaded(pattern, factor):
    return None if pattern is None else pattern._replace(colour=shade(pattern.colour, factor))


def _capsule(colour, p, q, r1, r2, pattern=None):
    return Part("capsule", colour, np.array([p, q]), (r1, r2), pattern)


def _ellipse(colour, centre, rx, ry, pattern=None):
    return Part("ellipse", colour, np.array([centre]), (rx, ry), pattern)


def _polygon(colour, *corners, pattern=None):
    return Part("polygon", colour, np.array(corners), pattern=pattern)


def _garment(colour, pattern, joints, radii, fraction):
    """Capsules of a sleeve or trouser leg covering `fraction` of a limb's length (joints and
    radii: shoulder or hip, elbow or knee, hand or ankle), its pattern running along each piece."""
    lengths = [np.hypot(*(b - a)) for a, b in pairwise(joints)]
    pieces, left = [], fraction * sum(lengths)
    for (a, b), (ra, rb), length in zip(pairwise(joints), pairwise(radii), lengths, strict=True):
        if left <= 0 or length < 1e-6:
            break
        t = min(1.0, left / length)
        up = None if pattern is None else pattern._replace(up=tuple((b - a) / length))
        pieces.append(_capsule(colour, a, a + (b - a) * t, ra, ra + (rb - ra) * t, up))
        left -= length
    return pieces


def _limb_parts(person, joints, side, angles):
    """Leg then arm of one side: skin, then the clothes over it; the rear side is a little
    darker, as if further from the light."""
    b, darkness = person.build, 1.0 if side == "lead" else 0.86
    skin = shade(person.skin, darkness)
    leg = [joints[f"{side}_{j}"] for j in ("hip", "knee", "ankle")]
    leg_radii = (0.06 * b, 0.045 * b, 0.031 * b)
    toe = _direction(angles[f"{side}_leg"][1] + 90)  # the foot at a right angle to the shin
    sole = leg[2] + 0.015 * _direction(angles[f"{side}_leg"][1])
    legs = [
        _capsule(skin, leg[0], leg[1], *leg_radii[:2]),
        _capsule(skin, leg[1], leg[2], *leg_radii[1:]),
        *_garment(
            shade(person.trousers, darkness),
            _shaded(person.trouser_pattern, darkness),
            leg,
            [r * 1.1 for r in leg_radii],
            person.trouser_length,
        ),
        _capsule(shade(person.shoes, darkness), sole - 0.025 * toe, sole + 0.07 * toe, 0.026, 0.024),
    ]
    arm = [joints[f"{side}_{j}"] for j in ("shoulder", "elbow", "hand")]
    arm_radii = (0.038 * b, 0.031 * b, 0.025 * b)
    sleeve_pattern = person.shirt_pattern if person.sleeves == person.shirt else None
    arms = [
        _capsule(skin, arm[0], arm[1], *arm_radii[:2]),
        _capsule(skin, arm[1], arm[2], *arm_radii[1:]),
        *_garment(
            shade(person.sleeves, darkness),
            _shaded(sleeve_pattern, darkness),
            arm,
            [r * 1.08 for r in arm_radii],
            person.sleeve_length,
        ),
        _ellipse(skin, arm[2], 0.03 * b, 0.03 * b),
    ]
    return legs, arms


def _head_parts(person, joints, turn):
    head, h, hair = joints["head"], person.head, person.hair
    parts = []
    if hair is not None and person.hair_style == "long":
        parts.append(_capsule(hair, head - [0.02, 0], head + [-0.03, 0.09], 0.05, 0.045))
    if hair is not None and person.hair_style == "ponytail":
        parts.append(
            _capsule(hair, head + [-0.4 * h, -0.15 * h], head + [-0.62 * h, 0.45 * h], 0.12 * h, 0.08 * h)
        )
    parts.append(_capsule(person.skin, joints["neck"] - [0, 0.01], head, 0.03 * person.build, 0.03))
    if hair is not None:
        curly = person.hair_style == "curly"
        cap = 0.56 * h if curly else 0.45 * h
        parts.append(_ellipse(hair, head + [-0.006, -0.012 - 0.08 * h * curly], cap, cap))
    face = head + [0.004 + 0.012 * (1 - turn), 0.006]
    parts.append(_ellipse(person.skin, face, 0.4 * h * (0.75 + 0.25 * turn), 0.44 * h))
    if hair is not None and person.beard:
        parts.append(_ellipse(hair, face + [0.03 * h, 0.24 * h], 0.32 * h * (0.75 + 0.25 * turn), 0.22 * h))
    eye_gap = 0.13 * h * (0.3 + 0.7 * turn)
    for dx in (-eye_gap, eye_gap):
        parts.append(
            _ellipse((40, 30, 28), face + [dx + 0.1 * h * (1 - turn), -0.03 * h], 0.045 * h, 0.05 * h)
        )
    return parts


def _trunk_parts(person, joints, angles):
    """Trousers up to the belt, then the shirt (and any print on its chest), as wide as the girth."""
    g, turn = person.girth, angles["turn"]
    up, right = _direction(180 - angles["lean"]), _direction(90 - angles["lean"])
    shoulders = right * (person.shoulders * turn + 0.03 * g)  # half widths, as vectors
    waist = right * 0.075 * g * (0.7 + 0.3 * turn)
    hips = right * (person.hips * (0.6 + 0.4 * turn) + 0.055 * g)
    neck, belt = joints["neck"] - up * 0.02, up * 0.08
    shirt_pattern, trouser_pattern = (
        None if p is None else p._replace(up=tuple(up))
        for p in (person.shirt_pattern, person.trouser_pattern)
    )
    parts = [
        _polygon(person.trousers, belt + waist, hips, -hips, belt - waist, pattern=trouser_pattern),
        _ellipse(person.trousers, up * 0.01, np.hypot(*hips), 0.05, pattern=trouser_pattern),
        _polygon(
            person.shirt,
            neck + shoulders,
            belt * 0.6 + waist,
            belt * 0.6 - waist,
            neck - shoulders,
            pattern=shirt_pattern,
        ),
        _capsule(
            person.shirt, neck - shoulders * 0.8, neck + shoulders * 0.8, 0.035 * g, 0.035 * g, shirt_pattern
        ),
    ]
    if person.chest_print is not None:  # a block with a round logo in the shirt's colour
        chest, across, tall = joints["neck"] - up * 0.1, right * 0.05 * (0.4 + 0.6 * turn), up * 0.045
        parts.append(
            _polygon(
                person.chest_print,
                chest + across + tall,
                chest + across - tall,
                chest - across - tall,
                chest - across + tall,
            )
        )
        parts.append(_ellipse(person.shirt, chest, 0.025 * (0.4 + 0.6 * turn), 0.025))
    return parts


def _placed(part, flip, ground, height):
    """A part mirrored (flip -1) and moved so the feet stand at y=0, in average standing heights."""
    pattern = part.pattern
    if pattern is not None:
        pattern = pattern._replace(up=(pattern.up[0] * flip, pattern.up[1]), period=pattern.period * height)
    return part._replace(
        points=(part.points * [flip, 1] - [0, ground]) * height,
        radii=tuple(r * height for r in part.radii),
        pattern=pattern,
    )


def figure_parts(person, angles, facing=1):
    """Body parts in drawing order, in average standing heights, the pelvis at x=0, the feet at y=0.

    facing=1 looks toward +x (right), facing=-1 toward -x (left).
    """
    joints = skeleton(person, angles)
    lead_legs, lead_arms = _limb_parts(person, joints, "lead", angles)
    rear_legs, rear_arms = _limb_parts(person, joints, "rear", angles)
    trunk = _trunk_parts(person, joints, angles)
    parts = (
        rear_legs + lead_legs + trunk + _head_parts(person, joints, angles["turn"]) + rear_arms + lead_arms
    )
    ground = parts_box(parts)[3]
    return [_placed(part, 1 if facing > 0 else -1, ground, person.height) for part in parts]


def parts_box(parts):
    """(left, top, right, bottom) around all parts, in the parts' units."""
    low = np.min([p.points.min(axis=0) - (max(p.radii) if p.radii else 0) for p in parts], axis=0)
    high = np.max([p.points.max(axis=0) + (max(p.radii) if p.radii else 0) for p in parts], axis=0)
    return (*low, *high)


def _draw_shape(draw, kind, points, radii, fill):
    if kind == "polygon":
        draw.polygon([tuple(p) for p in points], fill=fill)
    elif kind == "ellipse":
        (x, y), (rx, ry) = points[0], radii
        draw.ellipse((x - rx, y - ry, x + rx, y + ry), fill=fill)
    else:  # a tapered limb with round ends
        (p, q), (r1, r2) = points, radii
        along = q - p
        length = np.hypot(*along)
        if length > 1e-6:
            normal = np.array([-along[1], along[0]]) / length
            outline = [p + normal * r1, q + normal * r2, q - normal * r2, p - normal * r1]
            draw.polygon([tuple(v) for v in outline], fill=fill)
        for (x, y), r in ((p, r1), (q, r2)):
            draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)


def _pattern_cells(pattern, start, period, size):
    """Quadrilaterals of the pattern's colour covering a box of this size, counted from start."""
    up = np.array(pattern.up) / np.hypot(*pattern.up)
    across = np.array([-up[1], up[0]])
    corners = np.array([(0, 0), (size[0], 0), (0, size[1]), size]) - start
    t, s = corners @ up, corners @ across  # the box in the pattern's own axes
    half = period / 2
    width = max(half - 1, 0.5)  # PIL fills a polygon's far edge too: one pixel less is half and half
    rows = np.arange(np.floor(t.min() / half), np.ceil(t.max() / half))  # half-period steps
    columns = np.arange(np.floor(s.min() / half), np.ceil(s.max() / half))
    if pattern.kind == "hstripes":  # every other row, across the whole box
        t0, s0, s1 = rows[rows % 2 == 0] * half, s.min(), s.max()
        t1 = t0 + width
    elif pattern.kind == "vstripes":
        s0, t0, t1 = columns[columns % 2 == 0] * half, t.min(), t.max()
        s1 = s0 + width
    else:  # checks: every other cell of the rows x columns grid
        i, j = (grid.ravel() for grid in np.meshgrid(rows, columns))
        t0, s0 = i[(i + j) % 2 == 1] * half, j[(i + j) % 2 == 1] * half
        t1, s1 = t0 + width, s0 + width
    t0, t1, s0, s1 = np.broadcast_arrays(t0, t1, s0, s1)
    ts = np.stack([np.stack([t0, t1, t1, t0], -1), np.stack([s0, s0, s1, s1], -1)], -1)  # cells x 4 x 2
    return (start + ts @ np.array([up, across])).tolist()


def _draw_patterned(image, part, points, radii, pattern_period):
    """The part in its colour with its pattern on top, clipped to its outline by a mask."""
    reach = max(radii) if radii else 0
    left, top = np.floor(points.min(axis=0) - reach).astype(int)
    right, bottom = np.ceil(points.max(axis=0) + reach).astype(int) + 1
    size, offset = (right - left, bottom - top), np.array([left, top])
    mask = Image.new("L", size)
    _draw_shape(ImageDraw.Draw(mask), part.kind, points - offset, radii, 255)
    fabric = Image.new("RGB", size, part.colour)
    draw = ImageDraw.Draw(fabric)
    for cell in _pattern_cells(part.pattern, points[0] - offset, pattern_period, size):
        draw.polygon([tuple(corner) for corner in cell], fill=part.pattern.colour)
    image.paste(fabric, (int(left), int(top)), mask)


def draw_parts(image, parts, scale, origin):
    """Draw the parts on a PIL image: a point p lands on pixel origin + p * scale."""
    draw = ImageDraw.Draw(image)
    origin = np.asarray(origin, dtype=float)
    for part in parts:
        points = origin + part.points * scale
        radii = [r * scale for r in part.radii]
        if part.pattern is None:
            _draw_shape(draw, part.kind, points, radii, part.colour)
        else:
            _draw_patterned(image, part, points, radii, part.pattern.period * scale)
