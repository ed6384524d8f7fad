"""People: poses apart by the body (not the colours), both facings, varied identities."""

import itertools

import numpy as np
import pytest
from PIL import Image

from tfjs_kombat.synth import figure
from tfjs_kombat.synth.person import Pattern, random_person
from tfjs_kombat.synth.pose import POSES, random_angles, relaxed_stance, spinning_kick_poses


def pose_measures(pose, count=300):
    """(reach, foot lift) per sample: how far a hand at shoulder height is in front of the neck,
    and how much higher one ankle is than the other, in standing heights."""
    measures = []
    for seed in range(count):
        rng = np.random.default_rng([99, seed])
        joints = figure.skeleton(random_person(rng), random_angles(pose, rng))
        hands = [joints[f"{side}_hand"] - joints["neck"] for side in ("lead", "rear")]
        shoulder_height = joints["lead_shoulder"][1] - joints["neck"][1]
        reach = max([x for x, y in hands if abs(y - shoulder_height) < 0.1], default=0.0)
        lift = abs(joints["lead_ankle"][1] - joints["rear_ankle"][1])
        measures.append((reach, lift))
    return np.array(measures)


def test_poses_are_apart_by_the_body_not_the_colours():
    punch, kick, other = (pose_measures(pose) for pose in POSES)
    assert punch[:, 0].min() > 0.33  # a fist held out at shoulder height, toward the facing side
    assert max(kick[:, 0].max(), other[:, 0].max()) < 0.31
    assert kick[:, 1].min() > 0.24  # a foot raised from hip height up
    assert max(punch[:, 1].max(), other[:, 1].max()) < 0.1


def test_figures_face_both_ways():
    rng = np.random.default_rng(3)
    person, angles = random_person(rng), random_angles("punch", rng)
    right = figure.parts_box(figure.figure_parts(person, angles, facing=1))
    left = figure.parts_box(figure.figure_parts(person, angles, facing=-1))
    assert right[2] > 0.3 and right[2] > -right[0] + 0.1  # the fist is out on the facing side
    assert np.allclose(left, (-right[2], right[1], -right[0], right[3]))


def plain_person(**changes):
    """A bald person whose skin, shirt, trousers and shoes are colours no other part has."""
    rng = np.random.default_rng(4)
    person = random_person(rng)._replace(
        skin=(200, 150, 100),
        hair=None,
        shirt=(30, 60, 200),
        sleeves=(30, 60, 200),
        shirt_pattern=None,
        chest_print=None,
        trousers=(20, 140, 40),
        trouser_pattern=None,
        shoes=(10, 10, 10),
    )
    return person._replace(**changes)


def drawn(person, scale=300, angles=None):
    """The person standing relaxed (always the same stance) on white; also their parts as drawn."""
    angles = angles or relaxed_stance(np.random.default_rng(0))
    parts = figure.figure_parts(person, angles)
    image = Image.new("RGB", (scale, int(scale * 1.15)), (255, 255, 255))
    figure.draw_parts(image, parts, scale, (scale / 2, scale * 1.1))
    return np.asarray(image, dtype=np.int16), [
        part._replace(points=part.points * scale + (scale / 2, scale * 1.1)) for part in parts
    ]


def skin_pixels(image, person):
    """Per row, how many pixels have the person's skin colour (lit or in the shade)."""
    skin = (image == person.skin).all(axis=2) | (image == figure.shade(person.skin, 0.86)).all(axis=2)
    return skin.sum(axis=1)


def upper_and_lower(counts, image):
    """Totals over the figure's upper half (head, arms and hands) and its lowest 40% (legs)."""
    rows = np.flatnonzero((image != 255).any(axis=(1, 2)))
    top, bottom = rows[0], rows[-1] + 1
    return counts[top : (top + bottom) // 2].sum(), counts[bottom - (bottom - top) * 2 // 5 : bottom].sum()


def bare(person):
    """Skin pixels of the person drawn standing: (upper half, legs)."""
    image = drawn(person)[0]
    return upper_and_lower(skin_pixels(image, person), image)


def test_sleeves_and_trouser_legs_decide_where_skin_shows():
    arms = [bare(plain_person(sleeve_length=length)) for length in (0.0, 0.35, 0.7, 0.93)]
    upper, lower = zip(*arms, strict=True)
    assert all(a > b for a, b in itertools.pairwise(upper)), upper  # shorter sleeves, more bare arm
    assert len(set(lower)) == 1  # the legs do not change
    shorts, trousers = (bare(plain_person(trouser_length=length)) for length in (0.4, 1.0))
    assert shorts[0] == trousers[0]
    assert trousers[1] == 0 < shorts[1]


def torso_window(image, parts, person, half=12):
    """The pixels around the middle of the shirt's body."""
    torso = next(part for part in parts if part.kind == "polygon" and part.colour == person.shirt)
    x, y = torso.points.mean(axis=0).astype(int)
    return image[y - half : y + half, x - half : x + half]


def colour_share(window, colour):
    return (window == colour).all(axis=2).mean()


@pytest.mark.parametrize("kind", ["hstripes", "vstripes", "checks"])
def test_patterns_put_two_colours_on_the_shirt_and_grow_with_the_figure(kind):
    stripes = Pattern(kind, (240, 230, 40), 0.05)
    person = plain_person(shirt_pattern=stripes, sleeve_length=0.93)
    image, parts = drawn(person)
    window = torso_window(image, parts, person)
    shares = colour_share(window, person.shirt), colour_share(window, stripes.colour)
    assert min(shares) > 0.3 and sum(shares) > 0.98  # two colours, half and half
    # Stripe edges met per period (2 when the line crosses the stripes, 0 along them), up the
    # torso and across it, are the same whatever the figure's size.
    upright = relaxed_stance(np.random.default_rng(0)) | {"lean": 0.0}
    for scale in (200, 400):
        image, parts = drawn(person, scale, upright)
        is_stripe = (torso_window(image, parts, person, half=scale // 20) == stripes.colour).all(axis=2)
        period = stripes.period * person.height * scale  # in pixels
        up, across = (np.abs(np.diff(is_stripe, axis=axis)).mean() * period for axis in (0, 1))
        crossing = {"hstripes": (True, False), "vstripes": (False, True), "checks": (True, True)}[kind]
        for edges, crosses in zip((up, across), crossing, strict=True):
            assert 1.4 < edges < 2.6 if crosses else edges < 0.1, (scale, up, across)
    plain_image, plain_parts = drawn(plain_person())
    assert colour_share(torso_window(plain_image, plain_parts, plain_person()), plain_person().shirt) == 1


def test_people_are_distinct():
    """Two dozen people in one stance: different shapes and clothes, some patterned, some in short
    sleeves or shorts (measured against the same person fully covered), not all."""
    people = [random_person(np.random.default_rng([21, i])) for i in range(24)]
    drawings = [drawn(person) for person in people]
    figures = [(image != 255).any(axis=2) for image, _ in drawings]
    for i, j in itertools.combinations(range(len(people)), 2):
        union = figures[i] | figures[j]
        differs = np.abs(drawings[i][0] - drawings[j][0]).sum(axis=2) > 30
        assert (differs & union).sum() > 0.4 * union.sum(), (i, j)
    patterned = bare_arms = bare_legs = 0
    for person, (image, parts) in zip(people, drawings, strict=True):
        patterned += colour_share(torso_window(image, parts, person), person.shirt) < 0.8
        upper, lower = bare(person)
        covered_upper, covered_lower = bare(person._replace(sleeve_length=0.93, trouser_length=1.0))
        bare_arms += upper > covered_upper * 1.2
        bare_legs += lower > covered_lower
    counts = patterned, bare_arms, bare_legs
    assert 6 <= patterned <= 20 and 6 <= bare_arms <= 20 and 1 <= bare_legs <= 12, counts


# ---------------------------------------------------------------------------------------------
# The spinning kicks' key poses (pose.spinning_kick_poses); their moves: test_motion.py


def kicking_leg(angles):
    return "lead_leg" if angles["lead_leg"][0] > angles["rear_leg"][0] else "rear_leg"


def test_spinning_kicks_share_the_kick_and_two_poses_unlike_it():
    """Extension: a kick (as the kick class measures it). Chamber: facing the camera, the knee up,
    the foot folded back under it. Turned away: sideways, the foot up behind the body. None of
    them holds a fist out like a punch."""
    kick = pose_measures("kick")
    for seed in range(200):
        rng = np.random.default_rng([98, seed])
        person = random_person(rng)
        chamber, extension, turned = spinning_kick_poses(rng)
        leg = kicking_leg(extension)
        side = leg.split("_")[0]
        assert leg == kicking_leg(chamber) and chamber[leg][0] > 70 and chamber[leg][1] < -10
        assert extension[leg][0] >= 72 and chamber["turn"] > 0.8
        assert turned["turn"] < 0.45 and turned[leg][0] < -25 and turned["lean"] > 10
        joints = [figure.skeleton(person, pose) for pose in (chamber, extension, turned)]
        feet = [j[f"{side}_ankle"] - j["pelvis"] for j in joints]
        knee = joints[0][f"{side}_knee"] - joints[0]["pelvis"]
        assert feet[0][0] < knee[0] + 0.01 and abs(knee[1]) < 0.08  # folded under a knee at hip height
        assert feet[1][0] > 0.3 and feet[2][0] < -0.25  # then out in front, and up behind
        lift = [abs(j["lead_ankle"][1] - j["rear_ankle"][1]) for j in joints]
        assert min(lift) > 0.12 and lift[1] >= kick[:, 1].min() - 0.05
        for j in joints:  # no hand out at shoulder height, in front
            reach = [(j[f"{s}_hand"] - j["neck"]) for s in ("lead", "rear")]
            shoulder = j["lead_shoulder"][1] - j["neck"][1]
            assert max([x for x, y in reach if abs(y - shoulder) < 0.1], default=0.0) < 0.31
