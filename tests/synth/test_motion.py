"""Moves over time: the clip classes, the roundhouse and the back kick."""

import numpy as np
import pytest

from tfjs_kombat import config
from tfjs_kombat.synth import figure, motion
from tfjs_kombat.synth.person import random_person


def kick_order(clip):
    """(chamber, extension, turned away): the first frame of the knee up with the shin folded
    back, the frame of the leg straightest out (highest shin), the frame most sideways."""
    shins = [max(a["lead_leg"][1], a["rear_leg"][1]) for a in clip]
    extension = int(np.argmax(shins))
    leg = "lead_leg" if clip[extension]["lead_leg"][1] > clip[extension]["rear_leg"][1] else "rear_leg"
    folded = [k for k, a in enumerate(clip) if a[leg][0] > 60 and a[leg][1] < 0]
    return (folded[0] if folded else None), extension, int(np.argmin([a["turn"] for a in clip]))


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
