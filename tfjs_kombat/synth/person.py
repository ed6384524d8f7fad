"""People: proportions and clothes, fixed while they move.

Someone new (random_person) has their own height, limb lengths, build, skin and hair, and
clothes that cover as much of each limb as their sleeves and trouser legs reach, plain or
patterned (stripes, checks, a printed block); all drawn from a seeded numpy Generator.
figure.py dresses a skeleton in them. random_proportions draws many people's proportions at once,
from the same ranges, for the 3D skeletons of the keypoint data (skeleton3d.py).
"""

import colorsys
from typing import NamedTuple

import numpy as np


class Pattern(NamedTuple):
    """A second colour on a garment: "hstripes" (bands across the body or limb), "vstripes" (along
    it) or "checks"; period in standing heights; up: the body's or limb's long axis, set per part
    when the figure is built."""

    kind: str
    colour: tuple
    period: float
    up: tuple = (0.0, -1.0)


class Proportions(NamedTuple):
    """What a skeleton needs of a person (Person's first fields, the same names): one person's
    numbers, or arrays of many people's (random_proportions)."""

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


# An average person, and the ranges a person's own factors are drawn from (uniformly).
AVERAGE = Proportions(
    height=1.0,
    head=0.125,
    neck=0.035,
    torso=0.3,
    upper_arm=0.165,
    forearm=0.145,
    thigh=0.245,
    shin=0.235,
    shoulders=0.105,
    hips=0.055,
)
LIMB_FACTORS = (0.94, 1.06)  # legs, arms (each pair alike) and the torso
HEAD_FACTORS = (0.9, 1.1)
HEIGHTS = (0.88, 1.1)
SHOULDER_FACTORS = (0.85, 1.15)
HIP_FACTORS = (0.85, 1.2)


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
    legs, arms, size = rng.uniform(*LIMB_FACTORS), rng.uniform(*LIMB_FACTORS), rng.uniform(*HEAD_FACTORS)
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
        height=rng.uniform(*HEIGHTS),
        head=AVERAGE.head * size,
        neck=AVERAGE.neck,
        torso=AVERAGE.torso * rng.uniform(*LIMB_FACTORS),
        upper_arm=AVERAGE.upper_arm * arms,
        forearm=AVERAGE.forearm * arms,
        thigh=AVERAGE.thigh * legs,
        shin=AVERAGE.shin * legs,
        shoulders=AVERAGE.shoulders * rng.uniform(*SHOULDER_FACTORS),
        hips=AVERAGE.hips * rng.uniform(*HIP_FACTORS),
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


def random_proportions(rng, count):
    """The proportions of `count` new people as arrays (random_person's, without the clothes, which
    take far longer to draw): for skeletons by the thousand."""
    legs, arms = rng.uniform(*LIMB_FACTORS, count), rng.uniform(*LIMB_FACTORS, count)
    return Proportions(
        height=rng.uniform(*HEIGHTS, count),
        head=AVERAGE.head * rng.uniform(*HEAD_FACTORS, count),
        neck=np.full(count, AVERAGE.neck),
        torso=AVERAGE.torso * rng.uniform(*LIMB_FACTORS, count),
        upper_arm=AVERAGE.upper_arm * arms,
        forearm=AVERAGE.forearm * arms,
        thigh=AVERAGE.thigh * legs,
        shin=AVERAGE.shin * legs,
        shoulders=AVERAGE.shoulders * rng.uniform(*SHOULDER_FACTORS, count),
        hips=AVERAGE.hips * rng.uniform(*HIP_FACTORS, count),
    )
