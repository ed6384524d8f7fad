"""Render the default dataset: one person in a room, punching, kicking or doing something else.

So that `make train` works on a machine with no data, and so that browser tests have a fake
camera. A person is a small skeleton (joint angles -> forward kinematics) dressed in solid,
rounded body parts; a scene adds a room behind them and a cheap webcam in front of them.
Everything is drawn with numpy and PIL from a seeded numpy Generator: no downloads.

Conventions: the figure is built facing right (+x) in units of its standing height, y down,
and mirrored when it faces left. An angle of 0 points down, 90 forward (toward the facing
side), 180 up, -90 backward. Arm angles are relative to the torso, leg angles to the vertical.
"""

import colorsys
import contextlib
import os
import re
import subprocess
import tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from tfjs_kombat import config
from tfjs_kombat.errors import UserError, say
from tfjs_kombat.files import replacing_dir
from tfjs_kombat.frames import ffmpeg_executable

POSES = config.CLASS_NAMES  # ("punch", "kick", "other"), stored in config.CLASS_DIRS
SUPERSAMPLE = 2  # draw at twice the size and shrink: smooth edges without an antialiasing library
RENDERED_NAME = re.compile(r"\d{4,}\.jpg")  # what render_dataset writes, so it may replace it

# ---------------------------------------------------------------------------------------------
# The person: proportions and clothes, fixed while they move


class Person(NamedTuple):
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


def _cloth(rng, value=(0.12, 0.95)):
    """A clothing colour: any hue, from grey to vivid, from dark to light."""
    r, g, b = colorsys.hsv_to_rgb(rng.uniform(), rng.uniform(0, 0.85) ** 1.5, rng.uniform(*value))
    return (int(r * 255), int(g * 255), int(b * 255))


def random_person(rng):
    """Someone new: proportions, build, skin, hair and clothes."""
    legs, arms, size = rng.uniform(0.94, 1.06), rng.uniform(0.94, 1.06), rng.uniform(0.9, 1.1)
    shirt = _cloth(rng)
    jeans = _between(rng, ((38, 52, 90), (70, 96, 140)))
    trousers = jeans if rng.uniform() < 0.35 else _cloth(rng, (0.08, 0.8))
    return Person(
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
        sleeves=shirt if rng.uniform() < 0.7 else _cloth(rng),
        long_sleeves=bool(rng.uniform() < 0.4),
        trousers=trousers,
        shorts=bool(rng.uniform() < 0.15),
        shoes=_cloth(rng, (0.05, 0.9)),
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


def _base(rng, turn=(0.8, 1.0)):
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
    angles = _base(rng)
    angles["lead_leg"], angles["rear_leg"] = _stance_legs(rng)
    angles["lead_arm"], angles["rear_arm"] = _guard_arm(rng), _guard_arm(rng)
    angles["lean"] = _u(rng, -3, 8)
    return angles


def _punch(rng):
    angles = _base(rng)
    angles["lead_leg"], angles["rear_leg"] = _stance_legs(rng)
    angles["lean"] = _u(rng, 0, 12)
    upper = 90 + _u(rng, -15, 15) - angles["lean"]  # horizontal in the image, whatever the lean
    angles["lead_arm"] = (upper, upper + _u(rng, -6, 6))
    angles["rear_arm"] = _guard_arm(rng)
    return angles


def _kick(rng):
    angles = _base(rng)
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
    angles = _guard_stance(rng) if kind == 1 else _base(rng)
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


def _shade(colour, factor):
    return tuple(int(min(255, c * factor)) for c in colour)


def _capsule(colour, p, q, r1, r2):
    return Part("capsule", colour, np.array([p, q]), (r1, r2))


def _ellipse(colour, centre, rx, ry):
    return Part("ellipse", colour, np.array([centre]), (rx, ry))


def _polygon(colour, *corners):
    return Part("polygon", colour, np.array(corners))


def _limb_parts(person, joints, side, angles):
    """Leg then arm of one side; the rear side is a little darker, as if further from the light."""
    b, shade = person.build, 1.0 if side == "lead" else 0.86
    hip, knee, ankle = (joints[f"{side}_{j}"] for j in ("hip", "knee", "ankle"))
    trousers, skin = _shade(person.trousers, shade), _shade(person.skin, shade)
    thigh_colour, shin_colour = trousers, skin if person.shorts else trousers
    toe = _direction(angles[f"{side}_leg"][1] + 90)  # the foot at a right angle to the shin
    sole = ankle + 0.015 * _direction(angles[f"{side}_leg"][1])
    legs = [
        _capsule(thigh_colour, hip, knee, 0.06 * b, 0.045 * b),
        _capsule(shin_colour, knee, ankle, 0.045 * b, 0.031 * b),
        _capsule(_shade(person.shoes, shade), sole - 0.025 * toe, sole + 0.07 * toe, 0.026, 0.024),
    ]
    shoulder, elbow, hand = (joints[f"{side}_{j}"] for j in ("shoulder", "elbow", "hand"))
    sleeves = _shade(person.sleeves, shade)
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
    """Body parts in drawing order, in standing heights, the pelvis at x=0 and the feet at y=0.

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
    return [part._replace(points=part.points - [0, ground]) for part in parts]


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


def band_height(size):
    """Rows of the top band the page crops (full width, aspect FRAME_WIDTH:FRAME_HEIGHT)."""
    return round(size[0] * config.FRAME_HEIGHT / config.FRAME_WIDTH)


def place(box, rng, size, standing=(0.65, 0.95)):
    """A random (scale, origin) that puts a figure with this box inside the top band.

    standing: the range of a standing person's height as a fraction of the band (the camera
    distance); a figure that would not fit (arms up, a wide kick) is made smaller.
    """
    width, band = size[0], band_height(size)
    margin = 0.03 * band
    left, top, right, bottom = box
    scale = rng.uniform(*standing) * band
    scale = min(scale, (band - 2 * margin) / (bottom - top), (width - 2 * margin) / (right - left))
    low = np.array([margin - left * scale, margin - top * scale])
    high = np.array([width - margin - right * scale, band - margin - bottom * scale])
    x, y = rng.uniform(low, np.maximum(low, high))  # maximum: a figure that just fits has no room to spare
    return scale, (x, y)


# ---------------------------------------------------------------------------------------------
# The room behind the person and the camera in front of them


def _muted(rng, low=70, high=235):
    grey = rng.uniform(low, high)
    return np.clip(grey + rng.normal(0, 22, 3), 0, 255)


def _furniture(draw, rng, size, floor):
    """A few rectangles that read as a door, window, picture, shelf, sofa or lamp."""
    w, h = size
    for _ in range(rng.integers(1, 5)):
        kind = rng.integers(6)
        x = rng.uniform(-0.1, 0.9) * w
        colour = tuple(int(c) for c in _muted(rng, 30, 220))
        if kind == 0:  # door
            dw = rng.uniform(0.16, 0.26) * w
            draw.rectangle((x, floor * rng.uniform(0.05, 0.3), x + dw, floor), fill=colour)
            draw.ellipse(
                (x + dw * 0.8, floor * 0.6, x + dw * 0.86, floor * 0.6 + dw * 0.06), fill=(200, 190, 150)
            )
        elif kind == 1:  # window with a bright outside and a cross bar
            ww, wh, y = (
                rng.uniform(0.15, 0.35) * w,
                rng.uniform(0.2, 0.4) * floor,
                rng.uniform(0.05, 0.3) * floor,
            )
            draw.rectangle((x, y, x + ww, y + wh), fill=colour)
            sky = tuple(int(c) for c in np.clip([200, 220, 240] + rng.normal(0, 20, 3), 0, 255))
            draw.rectangle((x + ww * 0.06, y + wh * 0.06, x + ww * 0.94, y + wh * 0.94), fill=sky)
            draw.rectangle((x + ww * 0.48, y, x + ww * 0.52, y + wh), fill=colour)
            draw.rectangle((x, y + wh * 0.48, x + ww, y + wh * 0.52), fill=colour)
        elif kind == 2:  # picture frame
            pw, ph, y = (
                rng.uniform(0.06, 0.16) * w,
                rng.uniform(0.08, 0.2) * floor,
                rng.uniform(0.1, 0.5) * floor,
            )
            draw.rectangle((x, y, x + pw, y + ph), fill=colour)
            draw.rectangle((x + pw * 0.12, y + ph * 0.12, x + pw * 0.88, y + ph * 0.88), fill=_cloth(rng))
        elif kind == 3:  # shelf with books
            sw, top = rng.uniform(0.12, 0.25) * w, floor * rng.uniform(0.2, 0.6)
            draw.rectangle((x, top, x + sw, floor), fill=colour)
            for board in np.linspace(top, floor, rng.integers(3, 6))[:-1]:
                bx = x + sw * 0.05
                while bx < x + sw * 0.9:
                    bw = sw * rng.uniform(0.04, 0.1)
                    draw.rectangle((bx, board + 3, bx + bw, board + (floor - top) / 5), fill=_cloth(rng))
                    bx += bw + 1
        elif kind == 4:  # sofa or table on the floor
            fw, fh = rng.uniform(0.25, 0.5) * w, rng.uniform(0.1, 0.25) * floor
            draw.rectangle((x, floor - fh, x + fw, floor + fh * 0.3), fill=colour)
            draw.rectangle((x, floor - fh * 1.6, x + fw, floor - fh), fill=_shade(colour, 0.85))
        else:  # floor lamp
            lw = rng.uniform(0.04, 0.08) * w
            top = floor * rng.uniform(0.15, 0.45)
            draw.rectangle((x + lw * 0.45, top, x + lw * 0.55, floor), fill=(60, 60, 60))
            draw.polygon(
                [(x + lw * 0.2, top), (x + lw * 0.8, top), (x + lw, top + lw), (x, top + lw)], fill=colour
            )


def room(rng, size, floor):
    """A blotchy wall with a gradient, a floor below row `floor`, and furniture."""
    w, h = size
    rows = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    wall_top, wall_bottom = _muted(rng), _muted(rng)
    floor_colour = _muted(rng, 40, 200) * rng.uniform(0.7, 1.0, 3)
    colours = wall_top * (1 - rows) + wall_bottom * rows
    colours[int(floor) :] = floor_colour * (0.85 + 0.3 * rows[int(floor) :])
    blotches = rng.normal(128, 40, (h // 12 + 2, w // 12 + 2)).clip(0, 255).astype(np.uint8)
    blotches = Image.fromarray(blotches).resize(size, Image.BILINEAR)
    texture = (np.asarray(blotches, dtype=np.float32) - 128) * rng.uniform(0.02, 0.12)
    image = Image.fromarray(
        np.clip(colours.astype(np.float32) + texture[:, :, None], 0, 255).astype(np.uint8)
    )
    draw = ImageDraw.Draw(image)
    _furniture(draw, rng, size, floor)
    draw.line((0, floor, w, floor), fill=tuple(int(c * 0.7) for c in floor_colour), width=max(1, h // 160))
    return image


def random_look(rng):
    """A camera and its lighting: fixed for a clip, new for every dataset image."""
    return dict(
        brightness=rng.uniform(0.65, 1.3),
        contrast=rng.uniform(0.7, 1.25),
        cast=rng.uniform(0.9, 1.1, 3).astype(np.float32),  # white balance
        side_light=rng.uniform(-0.15, 0.15),  # brighter on one side of the room
        blur=rng.uniform(0.2, 1.2) if rng.uniform() < 0.6 else 0.0,
        noise=rng.uniform(1, 7),
    )


def camera(image, look, rng):
    """Shrink the supersampled scene and pass it through the look's light, lens and sensor."""
    image = image.reduce(SUPERSAMPLE)
    pixels = np.asarray(image, dtype=np.float32)
    mean = pixels.mean()
    columns = np.linspace(-1, 1, pixels.shape[1], dtype=np.float32)[None, :, None]
    pixels = ((pixels - mean) * look["contrast"] + mean) * look["brightness"] * look["cast"]
    pixels = pixels * (1 + look["side_light"] * columns)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    if look["blur"]:
        image = image.filter(ImageFilter.GaussianBlur(look["blur"]))
    pixels = np.asarray(image, dtype=np.float32)
    pixels += rng.standard_normal(pixels.shape, dtype=np.float32) * look["noise"]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def _scene(rng, size, placement, box):
    """The supersampled room, its floor line a little above the feet, and the feet's shadow."""
    scale, (x, y) = placement[0] * SUPERSAMPLE, np.multiply(placement[1], SUPERSAMPLE)
    floor = max(y - (box[3] - box[1]) * scale * rng.uniform(0.05, 0.35), 0.25 * size[1] * SUPERSAMPLE)
    image = room(rng, (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), floor)
    shadow = tuple(int(c * 0.6) for c in image.getpixel((int(x), int(y))))
    ImageDraw.Draw(image).ellipse(
        (x - 0.22 * scale, y - 0.02 * scale, x + 0.22 * scale, y + 0.02 * scale), fill=shadow
    )
    return image


def _draw_figure(image, parts, placement):
    """Draw parts placed for the final size onto the supersampled scene."""
    scale, origin = placement
    draw_parts(image, parts, scale * SUPERSAMPLE, np.multiply(origin, SUPERSAMPLE))


def render_pose(pose, rng, size=(320, 240)):
    """One random person in one random pose of the class, in a random room: an RGB image."""
    parts = figure_parts(random_person(rng), random_angles(pose, rng), facing=rng.choice((-1, 1)))
    box = parts_box(parts)
    placement = place(box, rng, size)
    image = _scene(rng, size, placement, box)
    _draw_figure(image, parts, placement)
    return camera(image, random_look(rng), rng)


# ---------------------------------------------------------------------------------------------
# The dataset and the clip


def _check_replaceable(out_dir):
    """Refuse to replace a folder holding anything render did not write (e.g. real photos)."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise UserError(f"{out_dir} is a file, not a folder")
    for path in out_dir.rglob("*"):
        ours_dir = path.is_dir() and path.parent == out_dir and path.name in config.CLASS_DIRS
        ours_file = path.parent.parent == out_dir and path.parent.name in config.CLASS_DIRS
        if not (ours_dir or (ours_file and RENDERED_NAME.fullmatch(path.name))):
            raise UserError(
                f"{out_dir} holds {path.relative_to(out_dir)}, which render did not write; "
                "pick another folder or empty it first"
            )


def render_dataset(out_dir, per_class=config.DEFAULT_DATA_PER_CLASS, seed=config.SEED, size=(320, 240)):
    """Write out_dir/punches/0001.jpg ..., kicks/, others/; return {class_dir: count}.

    Image i of a class depends only on (seed, class, i), so a smaller set is a prefix of a
    larger one. The folder is replaced atomically.
    """
    out_dir = Path(out_dir)
    if per_class < 1:
        raise UserError(f"--per-class must be at least 1, not {per_class}")
    _check_replaceable(out_dir)
    total, done = per_class * len(POSES), 0
    with replacing_dir(out_dir) as tmp:
        for class_index, (pose, class_dir) in enumerate(zip(POSES, config.CLASS_DIRS, strict=True)):
            (tmp / class_dir).mkdir()
            for i in range(per_class):
                rng = np.random.default_rng([seed, class_index, i])
                image = render_pose(pose, rng, size)
                image.save(tmp / class_dir / f"{i + 1:04d}.jpg", quality=int(rng.integers(60, 96)))
                done += 1
                if done % 50 == 0 or done == total:
                    say(f"rendered {done}/{total} images")
    return {class_dir: per_class for class_dir in config.CLASS_DIRS}


# The clip: (seconds, what the person does); punch and kick = extend 0.3 s, hold 1.2 s, retract 0.3 s.
CLIP_SCRIPT = (("other", 3.0), ("punch", 1.8), ("other", 3.0), ("kick", 1.8), ("other", 2.0))
STILL_SCRIPT = (("other", 8.0),)  # standing still: must trigger no punch or kick
MOVE_SECONDS = 0.3


def clip_timeline(script=CLIP_SCRIPT):
    """[(start_s, end_s, pose), ...] of a script of (pose, seconds)."""
    timeline, start = [], 0.0
    for pose, seconds in script:
        timeline.append((round(start, 3), round(start + seconds, 3), pose))
        start += seconds
    return timeline


def _blend(a, b, weight):
    """Angles between two poses; weight 0 gives a, 1 gives b."""
    return {key: np.add(np.multiply(a[key], 1 - weight), np.multiply(b[key], weight)) for key in a}


def _clip_angles(timeline, t, idle, actions):
    """The person's angles at time t: a swaying guard, or moving in and out of an action."""
    sway = np.sin(2 * np.pi * t / 2.7)
    angles = dict(idle, lean=idle["lean"] + 3 * sway, lead_arm=np.add(idle["lead_arm"], 4 * sway))
    for start, end, pose in timeline:
        if pose in actions and start <= t < end:
            ramp = min(t - start, end - t) / MOVE_SECONDS
            weight = np.clip(ramp, 0, 1) ** 2 * (3 - 2 * np.clip(ramp, 0, 1))  # smoothstep
            return _blend(angles, actions[pose], weight)
    return angles


def _ffmpeg_output(path):
    """ffmpeg's output options for the clip's file extension."""
    suffix = path.suffix.lower()
    if suffix == ".y4m":  # what Chromium's --use-file-for-fake-video-capture reads
        return ["-f", "yuv4mpegpipe", "-pix_fmt", "yuv420p"]
    if suffix == ".mp4":
        return ["-f", "mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart"]
    raise UserError(f"cannot write a clip as {path.name}: use a .y4m or .mp4 file name")


def render_clip(path, size=(640, 480), fps=10, seed=config.SEED, script=CLIP_SCRIPT):
    """A fake webcam feed: one person, one room, by default idle -> punch -> idle -> kick -> idle.

    Returns the timeline [(start_s, end_s, pose), ...]; the idle parts are "other".
    """
    path = Path(path)
    output = _ffmpeg_output(path)  # before any work: a bad name fails at once
    rng = np.random.default_rng([seed, len(POSES)])  # apart from the dataset's streams
    person, facing, look = random_person(rng), rng.choice((-1, 1)), random_look(rng)
    # Idle is standing relaxed, so "standing still" is unambiguous; the feet stay put for a punch.
    idle = _base(rng)
    punch = dict(_punch(rng), lead_leg=idle["lead_leg"], rear_leg=idle["rear_leg"])
    kick = _kick(rng)
    actions = {"punch": punch, "kick": kick}

    timeline = clip_timeline(script)
    count = round(timeline[-1][1] * fps)
    frames = [
        figure_parts(person, _clip_angles(timeline, i / fps, idle, actions), facing) for i in range(count)
    ]
    box = parts_box([part for parts in frames for part in parts])
    placement = place(box, rng, size, standing=(0.75, 0.85))  # one size that fits every frame
    background = _scene(rng, size, placement, box)

    def images():
        for parts in frames:
            image = background.copy()
            _draw_figure(image, parts, placement)
            yield camera(image, look, rng)  # fresh sensor noise every frame

    _encode(images(), path, output, size, fps)
    say(f"wrote {path}: {count} frames of {size[0]}x{size[1]} at {fps} fps")
    return timeline


def _encode(images, path, output, size, fps):
    """Pipe raw RGB frames through ffmpeg into a temporary file, then move it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    command = [ffmpeg_executable(), "-v", "error", "-nostdin", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24"]
    command += ["-s", f"{size[0]}x{size[1]}", "-r", str(fps), "-i", "-", *output, str(tmp)]
    with tempfile.TemporaryFile() as errors:
        ffmpeg = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors)
        try:
            with contextlib.suppress(BrokenPipeError):  # ffmpeg quit early; its message says why
                try:
                    for image in images:
                        ffmpeg.stdin.write(image.tobytes())
                finally:
                    ffmpeg.stdin.close()
            if ffmpeg.wait() != 0:
                errors.seek(0)
                lines = errors.read().decode(errors="replace").strip().splitlines()
                detail = lines[-1] if lines else f"exit status {ffmpeg.returncode}"
                raise UserError(f"ffmpeg could not write {path}: {detail}")
            os.replace(tmp, path)
        finally:
            if ffmpeg.poll() is None:  # interrupted while rendering
                ffmpeg.kill()
                ffmpeg.wait()
            tmp.unlink(missing_ok=True)


def add_arguments(parser):
    parser.add_argument("out_dir", nargs="?", help="dataset folder to (re)write: punches/, kicks/, others/")
    parser.add_argument(
        "--per-class",
        type=int,
        default=config.DEFAULT_DATA_PER_CLASS,
        help="images per class (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=config.SEED, help=f"random seed (default: {config.SEED})")
    parser.add_argument("--clip", help="write a fake-webcam clip (.y4m or .mp4) instead of a dataset")
    parser.add_argument("--still", action="store_true", help="with --clip: the person only stands still")


def run(args):
    if args.clip:
        if args.out_dir:
            raise UserError("give either OUT_DIR (a dataset) or --clip FILE, not both")
        script = STILL_SCRIPT if args.still else CLIP_SCRIPT
        for start, end, pose in render_clip(args.clip, seed=args.seed, script=script):
            say(f"  {start:5.1f}-{end:5.1f} s  {pose}")
        return
    if not args.out_dir:
        raise UserError("give OUT_DIR for a dataset, or --clip FILE for a clip")
    counts = render_dataset(args.out_dir, per_class=args.per_class, seed=args.seed)
    say(f"wrote {sum(counts.values())} images to {args.out_dir}: {counts}")
