"""Figures: a person (person.py) in a pose (pose.py) as body parts to draw, and drawing them.

A person is a small skeleton (joint angles -> forward kinematics) dressed in rounded body parts:
skin underneath, then clothes that cover as much of each limb as their sleeves and trouser legs
reach, plain or patterned. Everything is drawn with numpy and PIL: no downloads.

Conventions: the figure is built facing right (+x) in units of its standing height, y down,
and mirrored when it faces left; angles as pose.py gives them.
"""

from itertools import pairwise
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw

from tfjs_kombat.synth.person import Pattern


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
