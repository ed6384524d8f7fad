"""Moves over time: the joint angles of every frame of a clip, for the five clip classes.

A move leaves a stand, passes through key poses (pose.py's angles dicts), holding some of
them, and comes back to the stand; between key poses the angles ease in and out (smoothstep).
Times are in frames at config.CLIP_FPS, the page's classification rate.

The roundhouse and the back kick share their key poses (pose.spinning_kick_poses: chamber,
extension, turned away) and every pose between them: a back kick is a roundhouse played
backwards (stand -> turned away -> extension -> chamber -> stand), with the same timing
distribution (the four transitions are drawn alike, and so are the two holds at either end), so a
single frame is as likely in one class as in the other; only the order tells them apart.
"""

from typing import NamedTuple

import numpy as np

from tfjs_kombat import config
from tfjs_kombat.synth.pose import guard_stance, random_angles, relaxed_stance, spinning_kick_poses

CLIP_NAMES = config.CLIP_CLASS_NAMES  # ("punch", "kick", "other", "roundhouse", "back_kick")
MAX_START = 3.0  # frames of standing, at most, before the move starts


def smoothstep(x):
    """0 to 1 with zero slope at both ends; x is clipped to [0, 1]."""
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def blend(a, b, weight):
    """Angles between two poses; weight 0 gives a, 1 gives b. Pairs come out as tuples."""
    keep = 1 - weight
    # Plain arithmetic, number by number: numpy's on a pair costs more than the sums themselves.
    return {key: _between(x, b[key], keep, weight) for key, x in a.items()}


def _between(x, y, keep, weight):
    if isinstance(x, tuple | list | np.ndarray):
        return tuple(p * keep + q * weight for p, q in zip(x, y, strict=True))
    return x * keep + y * weight


class Move(NamedTuple):
    """A path through key poses: poses[i] is reached at times[i] (frames from the move's start);
    None stands for the stand the move leaves from and returns to (given when it is played, so a
    swaying idle pose works too). Two equal poses in a row are a hold."""

    poses: tuple
    times: tuple

    @property
    def duration(self):
        return self.times[-1]

    def at(self, s, stand):
        """The angles s frames into the move (the stand before and after it)."""
        if s <= 0 or s >= self.duration:
            return stand
        i = int(np.searchsorted(self.times, s, side="right"))  # times[i - 1] <= s < times[i]
        a, b = (stand if pose is None else pose for pose in self.poses[i - 1 : i + 1])
        return blend(a, b, smoothstep((s - self.times[i - 1]) / (self.times[i] - self.times[i - 1])))

    def reversed(self):
        """The same path played backwards: at(s) of the reversed move is at(duration - s) of this."""
        return Move(self.poses[::-1], tuple(self.duration - t for t in self.times[::-1]))


def _move(keys, transitions, holds):
    """stand -> keys[0] (held holds[0] frames) -> keys[1] ... -> stand; transitions: len(keys) + 1
    durations in frames."""
    poses, times, t = [None], [0.0], 0.0
    for key, into, hold in zip(keys, transitions[:-1], holds, strict=True):
        t += float(into)
        poses.append(key)
        times.append(t)
        if hold > 0:
            t += float(hold)
            poses.append(key)
            times.append(t)
    poses.append(None)
    times.append(t + float(transitions[-1]))
    return Move(tuple(poses), tuple(times))


def punch_move(rng, stand):
    """Arm out (the feet stay where the stand has them), held, and back: 0.3 to 0.85 s."""
    punch = dict(random_angles("punch", rng), lead_leg=stand["lead_leg"], rear_leg=stand["rear_leg"])
    return _move([punch], rng.uniform(1.0, 2.5, 2), [rng.uniform(1.0, 3.5)])


def kick_move(rng, stand):
    """The leg swung up straight, held, and down: 0.4 to 0.9 s."""
    return _move([random_angles("kick", rng)], rng.uniform(1.5, 3.0, 2), [rng.uniform(1.0, 3.0)])


def roundhouse_move(rng, stand):
    """stand -> chamber -> extension -> turned away -> stand: 0.6 to 1.05 s."""
    transitions = rng.uniform(1.2, 1.8, 4)  # drawn alike, so the reversed timing is drawn alike too
    holds = [rng.uniform(0.5, 1.0), rng.uniform(0.4, 1.2), rng.uniform(0.5, 1.0)]  # first like last
    return _move(spinning_kick_poses(rng), transitions, holds)


def back_kick_move(rng, stand):
    """stand -> turned away -> extension -> chamber -> stand: a roundhouse backwards."""
    return roundhouse_move(rng, stand).reversed()


MOVES = {"punch": punch_move, "kick": kick_move, "roundhouse": roundhouse_move, "back_kick": back_kick_move}


def stand_pose(rng):
    """Where a move starts and ends: a fighter's guard, or (less often) standing relaxed."""
    return guard_stance(rng) if rng.uniform() < 0.6 else relaxed_stance(rng)


def _sway(rng):
    """A slow idle sway: fn(angles, frame, amount) -> angles, leaning and moving the front arm."""
    period = rng.uniform(2.0, 3.5) * config.CLIP_FPS  # frames
    phase, lean, arm = rng.uniform(0, 2 * np.pi), rng.uniform(1.5, 4.0), rng.uniform(2.0, 5.0)

    def swayed(angles, k, amount=1.0):
        wave = amount * np.sin(2 * np.pi * k / period + phase)
        swayed_arm = np.add(angles["lead_arm"], arm * wave)
        return dict(angles, lean=angles["lean"] + lean * wave, lead_arm=swayed_arm)

    return swayed


def _crosses_a_punch(a, b):
    """Would blending a into b swing an arm through the height of a punch (upper arm 60-120)?"""
    for arm in ("lead_arm", "rear_arm"):
        low, high = sorted((a[arm][0] + a["lean"], b[arm][0] + b["lean"]))
        if high >= 60 and low <= 120:
            return True
    return False


def other_angles(rng, length=config.SEQUENCE_LENGTH):
    """An "other" clip: swaying in one "other" pose (standing, guard, walking stride, waving, ...)
    and drifting slowly into another; never through a punch or a kick on the way."""
    a = random_angles("other", rng)
    for _ in range(20):
        b = random_angles("other", rng)
        if not _crosses_a_punch(a, b):
            break
    else:
        b = a
    start, span = rng.uniform(-3, length / 2), rng.uniform(4, 10)
    sway = _sway(rng)
    return [sway(blend(a, b, smoothstep((k - start) / span)), k) for k in range(length)]


def clip_angles(name, rng, length=config.SEQUENCE_LENGTH):
    """The angles of every frame of a clip of this class (motion.CLIP_NAMES): `length` dicts.

    A move starts after 0 to MAX_START frames of standing (a random sub-frame start) and ends
    inside the clip when it fits; the standing frames around it sway a little, fading out toward
    the move. A back kick is the roundhouse the same draw makes, its moving frames in reverse
    order: the same frames (as a multiset), in the other order.
    """
    if name not in CLIP_NAMES:
        raise ValueError(f"unknown clip class {name!r}; expected one of {CLIP_NAMES}")
    if name == "other":
        return other_angles(rng, length)
    stand = stand_pose(rng)
    move = MOVES["roundhouse" if name == "back_kick" else name](rng, stand)
    start = rng.uniform(0, max(0.0, min(MAX_START, length - 1 - move.duration)))
    sway = _sway(rng)
    frames, moving = [], []
    for k in range(length):
        s = k - start
        if 0 < s < move.duration:
            moving.append(k)
            frames.append(move.at(s, stand))
        else:
            away = -s if s <= 0 else s - move.duration  # frames from the move
            frames.append(sway(stand, k, min(1.0, away / 2)))
    if name == "back_kick" and moving:
        frames[moving[0] : moving[-1] + 1] = frames[moving[0] : moving[-1] + 1][::-1]
    return frames
