"""People: poses apart by the body (not the colours), both facings, varied identities."""

import itertools

import numpy as np
import pytest
from PIL import Image

from tfjs_kombat import config
from tfjs_kombat.synth import figure, motion
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
# Moves over time (motion.py): the clip classes, the roundhouse and the back kick


def kicking_leg(angles):
    return "lead_leg" if angles["lead_leg"][0] > angles["rear_leg"][0] else "rear_leg"


def kick_order(clip):
    """(chamber, extension, turned away): the first frame of the knee up with the shin folded
    back, the frame of the leg straightest out (highest shin), the frame most sideways."""
    shins = [max(a["lead_leg"][1], a["rear_leg"][1]) for a in clip]
    extension = int(np.argmax(shins))
    leg = "lead_leg" if clip[extension]["lead_leg"][1] > clip[extension]["rear_leg"][1] else "rear_leg"
    folded = [k for k, a in enumerate(clip) if a[leg][0] > 60 and a[leg][1] < 0]
    return (folded[0] if folded else None), extension, int(np.argmin([a["turn"] for a in clip]))


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


def test_a_move_played_backwards_is_the_same_path():
    rng = np.random.default_rng(5)
    stand = motion.stand_pose(rng)
    for make in (motion.punch_move, motion.kick_move, motion.roundhouse_move):
        move = make(rng, stand)
        back = move.reversed()
        assert back.duration == move.duration and back.poses[::-1] == move.poses
        assert np.allclose(back.reversed().times, move.times)
        for s in np.linspace(-1, move.duration + 1, 57):
            forward, backward = move.at(s, stand), back.at(move.duration - s, stand)
            assert all(np.allclose(forward[key], backward[key]) for key in stand)
        assert motion.kick_move(np.random.default_rng(1), stand).at(0.0, stand) is stand


def flat(angles):
    return np.hstack([np.ravel(angles[key]) for key in sorted(angles)])


def test_back_kick_clip_is_the_roundhouse_backwards():
    """Same draw, same frames (as a multiset: a single frame cannot tell them apart), other order:
    the roundhouse chambers before it kicks and turns away after, the back kick the reverse."""
    for seed in range(40):
        roundhouse = motion.clip_angles("roundhouse", np.random.default_rng([7, seed]))
        back_kick = motion.clip_angles("back_kick", np.random.default_rng([7, seed]))
        assert len(roundhouse) == len(back_kick) == config.SEQUENCE_LENGTH
        a, b = np.stack([flat(x) for x in roundhouse]), np.stack([flat(x) for x in back_kick])
        assert np.allclose(np.sort(a, axis=0), np.sort(b, axis=0))
        assert np.allclose(a[np.lexsort(a.T)], b[np.lexsort(b.T)])  # equal as multisets of frames
        differ = np.flatnonzero(np.abs(a - b).max(axis=1) > 1e-9)  # the same outside the move
        first, last = differ[0], differ[-1]
        assert np.allclose(a[first : last + 1], b[first : last + 1][::-1])  # the move, reversed
        assert first <= 1 + motion.MAX_START and last >= first + 4
        chamber, extension, turned = kick_order(roundhouse)
        assert chamber is not None and chamber < extension < turned
        assert roundhouse[turned]["turn"] < 0.45
        chamber, extension, turned = kick_order(back_kick)
        assert turned < extension < chamber


def test_a_single_frame_cannot_tell_the_spinning_kicks_apart_but_the_order_can():
    """Frames of independent roundhouse and back-kick clips: a nearest-neighbour classifier of
    single frames scores about chance; when the foot goes up behind (before or after the kick)
    tells every clip apart."""

    def clips(name, offset):
        return [motion.clip_angles(name, np.random.default_rng([11, offset, i])) for i in range(150)]

    train = [clips("roundhouse", 0), clips("back_kick", 1)]
    test = [clips("roundhouse", 2), clips("back_kick", 3)]
    known = np.vstack([np.stack([flat(f) for c in group for f in c]) for group in train])
    labels = np.repeat([0, 1], [sum(map(len, group)) for group in train])
    right = total = 0
    for label, group in enumerate(test):
        for clip in group:
            frames = np.stack([flat(f) for f in clip])
            nearest = np.argmin(((frames[:, None] - known[None]) ** 2).sum(-1), axis=1)
            right += (labels[nearest] == label).sum()
            total += len(frames)
            _, extension, turned = kick_order(clip)
            assert (turned < extension) == (label == 1)
    assert 0.42 < right / total < 0.58, right / total


def test_clips_of_every_class_move_as_named():
    """Punch: a straight arm out at shoulder height in the middle, not at the ends; kick: a foot
    up; other: neither, ever. (A bent arm on its way out of a guard may bring the fist forward.)"""
    for seed in range(30):
        for name in motion.CLIP_NAMES:
            rng = np.random.default_rng([12, seed])
            person = random_person(rng)
            measures = []
            for angles in motion.clip_angles(name, rng):
                joints = figure.skeleton(person, angles)
                shoulder = joints["lead_shoulder"][1] - joints["neck"][1]
                straight = [s for s in ("lead", "rear") if abs(np.subtract(*angles[f"{s}_arm"])) <= 30]
                hands = [joints[f"{s}_hand"] - joints["neck"] for s in straight]
                reach = max([x for x, y in hands if abs(y - shoulder) < 0.1], default=0.0)
                measures.append((reach, abs(joints["lead_ankle"][1] - joints["rear_ankle"][1])))
            reach, lift = np.array(measures).T
            if name == "other":
                assert reach.max() < 0.31 and lift.max() < 0.2, (seed, reach.max(), lift.max())
                continue
            assert reach[0] < 0.31 and reach[-1] < 0.31 and lift[0] < 0.1 and lift[-1] < 0.1
            if name == "punch":
                assert reach.max() > 0.33 and lift.max() < 0.1
            else:
                assert lift.max() > 0.2 and reach.max() < 0.31
    with pytest.raises(ValueError):
        motion.clip_angles("jump", np.random.default_rng(0))
