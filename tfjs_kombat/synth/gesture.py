"""What people do in front of a webcam that is neither a punch nor a kick, in 3D.

motion.py's "other" clips sway in place, in profile. A real player also scratches their head,
touches their face, reaches for something, waves, steps aside, shifts their weight, turns away,
and walks into and out of the picture. Each gesture here moves from the stand it is given (a
pose3d angles dict), frame by frame at config.CLIP_FPS, and (unless it walks away) back to it.
Each gesture returns the clip's pose vectors [length, POSE_SIZE]; `weight_shift` is also the
small restlessness every clip gets.
"""

import numpy as np

from tfjs_kombat import config
from tfjs_kombat.synth.motion import Move, blend, smoothstep
from tfjs_kombat.synth.pose3d import POSE_SIZE, SLICES, pose_vectors

WALKING_SPEEDS = (0.5, 0.9)  # standing heights a second
LEG_LENGTH = 0.48  # hip to ankle, in standing heights: turns a sideways hip shift into leg angles


def _u(rng, low, high):
    return float(rng.uniform(low, high))


def _arm(stand, rng, elevation, out, forearm, forearm_out):
    """(the stand with one arm moved, "lead" or "rear"): ranges of the upper arm's and forearm's
    height (0 hanging, 90 forward, 180 overhead, whatever the lean) and angle out to the side."""
    side = "lead" if rng.uniform() < 0.5 else "rear"
    lean = stand["lean"]
    arm = (_u(rng, *elevation) - lean, _u(rng, *forearm) - lean)
    return dict(
        stand, **{f"{side}_arm": arm, f"{side}_arm_out": (_u(rng, *out), _u(rng, *forearm_out))}
    ), side


def _played(keys, times, stand, length, start):
    """Pose vectors of stand -> keys[0] (at times[0]) -> ... from `start` frames in; the last key
    stays once reached (a step ends where it stepped to)."""
    move = Move((stand, *keys), (0.0, *times))
    return pose_vectors(
        [move.at(k - start, stand) if k - start < move.duration else keys[-1] for k in range(length)]
    )


def _to_the_side(stand, key, side):
    """Between the stand and a key with an arm raised high: the arm halfway up, out to the side.
    A raised arm goes up and comes down that way, never through a punch's straight ahead."""
    arm, out = f"{side}_arm", f"{side}_arm_out"
    return dict(key, **{arm: tuple(np.add(stand[arm], key[arm]) / 2), out: (75.0, 60.0)})


def _there_and_back(rng, stand, key, length, into=(2, 4), hold=(2, 7), side=None):
    """stand -> key, held, -> stand, starting within the first third of the clip; with a side,
    that arm goes up and comes down out to the side."""
    t_in, t_hold, t_out = _u(rng, *into), _u(rng, *hold), _u(rng, *into)
    keys, times = [key, key, stand], [t_in, t_in + t_hold, t_in + t_hold + t_out]
    if side is not None:
        aside = _to_the_side(stand, key, side)
        keys, times = (
            [aside, key, key, aside, stand],
            [t_in / 2, t_in, times[1], times[1] + t_out / 2, times[2]],
        )
    return _played(keys, times, stand, length, _u(rng, -2, length / 3))


def hand_to_head(rng, stand, length):
    """A hand to the top or side of the head (scratching, hair), to the face, or to the neck."""
    kind = rng.integers(3)
    if kind == 0:
        key, side = _arm(stand, rng, (110, 135), (40, 60), (205, 230), (-65, -45))
    elif kind == 1:
        key, side = _arm(stand, rng, (25, 50), (0, 15), (150, 170), (-45, -30))
    else:
        key, side = _arm(stand, rng, (120, 150), (30, 50), (230, 260), (-40, -20))
    return _there_and_back(rng, stand, key, length, side=side if kind != 1 else None)


def reach(rng, stand, length):
    """An arm held out slowly to the side, or forward and down with a lean and a step toward
    something (a key on the laptop), and back."""
    if rng.uniform() < 0.5:  # out to the side, and low: never a punch's arm straight ahead
        elevation, out = (20, 60), (40, 80)
        key, _ = _arm(stand, rng, elevation, out, (elevation[0] - 15, elevation[1]), (out[0] - 10, out[1]))
    else:
        key, _ = _arm(dict(stand, lean=_u(rng, 10, 28)), rng, (35, 60), (-5, 15), (20, 50), (-10, 10))
        key["place"] = (_u(rng, 0.0, 0.15), 0.0)
    return _there_and_back(rng, stand, key, length, into=(3, 6), hold=(1, 5))


def wave(rng, stand, length):
    """An arm raised out to the side, the forearm swinging from side to side, and down again."""
    raised, side = _arm(stand, rng, (100, 150), (35, 70), (160, 200), (-10, 10))
    aside = _to_the_side(stand, raised, side)
    swing, beat = _u(rng, 20, 35), _u(rng, 1.5, 2.5)
    upper, forearm = raised[f"{side}_arm_out"]
    t = _u(rng, 1, 1.5)
    keys, times = [aside], [t]
    for i in range(int(rng.integers(3, 7))):
        t += beat if i else _u(rng, 1, 1.5)
        keys.append(dict(raised, **{f"{side}_arm_out": (upper, forearm + swing * (-1) ** i)}))
        times.append(t)
    keys += [aside, stand]
    times += [t + _u(rng, 1, 1.5), t + _u(rng, 2, 3)]
    return _played(keys, times, stand, length, _u(rng, -3, length / 4))


def step(rng, stand, length):
    """A step (or two) to the side, forward or back: one foot lifts and the body moves."""
    direction, keys, times, t = _u(rng, 0, 2 * np.pi), [], [], 0.0
    place = np.array(stand["place"], dtype=float)
    for _ in range(int(rng.integers(1, 3))):
        stride = _u(rng, 0.1, 0.3) * np.array([np.cos(direction), np.sin(direction)])
        leg = "lead_leg" if rng.uniform() < 0.5 else "rear_leg"
        thigh = _u(rng, 15, 35)
        lifted = dict(stand, place=tuple(place + stride / 2), **{leg: (thigh, thigh - _u(rng, 25, 55))})
        place = place + stride
        t += _u(rng, 1.5, 3)
        keys.append(lifted)
        times.append(t)
        t += _u(rng, 1.5, 3)
        keys.append(dict(stand, place=tuple(place)))
        times.append(t)
        t += _u(rng, 0, 3)
    return _played(keys, times, stand, length, _u(rng, -1, length / 3))


def weight_shift(rng, amounts, length):
    """[len(amounts), length, POSE_SIZE] to add to clips' pose vectors: the hips swaying sideways
    over feet that stay put, the torso tilting, the head turning; an amount of 1 is a clear shift
    of weight from foot to foot, a few tenths the restlessness of someone standing still."""
    amounts = np.asarray(amounts, dtype=float)[:, None]
    count, k = len(amounts), np.arange(length)

    def draw(low, high):
        return rng.uniform(low, high, (count, 1))

    wave = np.sin(2 * np.pi * k / (draw(1.5, 3.5) * config.CLIP_FPS) + draw(0, 2 * np.pi))
    shift = amounts * draw(0.02, 0.07) * wave
    added = np.zeros((count, length, POSE_SIZE))
    added[..., SLICES["place"].start + 1] = shift  # toward the lead side
    added[..., SLICES["lead_leg_out"]] = -np.degrees(np.arcsin(shift / LEG_LENGTH))
    added[..., SLICES["rear_leg_out"]] = np.degrees(np.arcsin(shift / LEG_LENGTH))
    added[..., SLICES["side_lean"]] = -amounts * draw(0, 6) * wave
    added[..., SLICES["head"].start] = amounts * draw(-8, 8) * np.sin(2 * np.pi * k / 17 + draw(0, 6))
    return added


def shift_weight(rng, stand, length):
    """Standing, the weight going from one foot to the other (see weight_shift)."""
    return pose_vectors([stand] * length) + weight_shift(rng, [1.0], length)[0]


def turn_away(rng, stand, length):
    """Turning aside or round (to someone in the room, to the screen), and maybe back."""
    away = dict(stand, heading=_u(rng, 40, 150) * rng.choice((-1, 1)))
    if rng.uniform() < 0.5:
        return _there_and_back(rng, stand, away, length, into=(3, 6), hold=(2, 8))
    return _played([away], [_u(rng, 3, 6)], stand, length, _u(rng, -2, length / 2))


def _walking(stand, rng, start, direction, frames):
    """Walking frames from place `start` along `direction` (a 2D unit vector), facing it, legs and
    arms swinging."""
    speed = _u(rng, *WALKING_SPEEDS) / config.CLIP_FPS
    stride, swing = _u(rng, 18, 30), _u(rng, 8, 20)
    cadence = 2 * np.pi / _u(rng, 9, 12)  # a stride (two steps) in about a second
    phase = _u(rng, 0, 2 * np.pi)
    heading = float(np.degrees(np.arctan2(direction[1], direction[0])))
    poses = []
    for k in range(frames):
        s, c = np.sin(cadence * k + phase), np.cos(cadence * k + phase)
        lead, rear = stride * s, -stride * s
        poses.append(
            dict(
                stand,
                heading=heading,
                place=tuple(np.add(start, np.multiply(direction, speed * k))),
                lead_leg=(lead, lead - 20 * max(0.0, c)),  # the knee bends as the leg swings forward
                rear_leg=(rear, rear - 20 * max(0.0, -c)),
                lead_arm=(-swing * s, -swing * s + 15),
                rear_arm=(swing * s, swing * s + 15),
            )
        )
    return poses


def _turning(a, b, rng):
    """The frames of turning from pose a to pose b, b included."""
    frames = _u(rng, 2, 5)
    return [blend(a, b, smoothstep((k + 1) / frames)) for k in range(int(np.ceil(frames)))]


def walk_in(rng, stand, length, way_out):
    """Walking into the picture from one side to near its middle, arriving in the second half of
    the clip (which may start with them already in), then turning to face where the stand faces.
    way_out = (unit 2D vector on the floor from the framed middle toward that side, distance from
    the middle to the frame's edge)."""
    sideways, edge = np.asarray(way_out[0], dtype=float), way_out[1]
    outside, inside = sideways * (edge + _u(rng, 0.15, 0.4)), sideways * _u(rng, -0.2, 0.5) * edge
    frames = int(np.ceil(np.linalg.norm(outside - inside) / (WALKING_SPEEDS[0] / config.CLIP_FPS)))
    walking = _walking(stand, rng, outside, -sideways, frames)
    walking = [
        pose for pose in walking if np.dot(pose["place"], sideways) > np.dot(inside, sideways)
    ] or walking[:1]
    arrived = dict(stand, place=walking[-1]["place"])
    clip = walking + _turning(walking[-1], arrived, rng)
    arrival = int(rng.integers(length // 2, length - 1))  # in the picture, halfway in or later
    first = max(0, len(walking) - arrival)
    clip = clip[first : first + length]
    return pose_vectors(clip + [arrived] * (length - len(clip)))


def walk_out(rng, stand, length, way_out):
    """Standing a moment somewhere between the middle and that side, turning to it and walking
    out of the picture (way_out: walk_in's)."""
    sideways, edge = np.asarray(way_out[0], dtype=float), way_out[1]
    here = dict(stand, place=tuple(sideways * _u(rng, 0.0, 0.6) * edge))
    walking = _walking(here, rng, here["place"], sideways, length)
    clip = [here] * int(rng.integers(0, length // 4)) + _turning(here, walking[0], rng) + walking
    return pose_vectors(clip[:length])


GESTURES = {
    "hand_to_head": hand_to_head,
    "reach": reach,
    "wave": wave,
    "step": step,
    "shift_weight": shift_weight,
    "turn_away": turn_away,
}
WALKS = {"walk_in": walk_in, "walk_out": walk_out}  # these also take way_out


def gesture(name, rng, stand, length, way_out):
    """Pose vectors [length, POSE_SIZE] of the gesture (GESTURES or WALKS) from the stand."""
    if name in WALKS:
        return WALKS[name](rng, stand, length, way_out)
    if name not in GESTURES:
        raise ValueError(f"unknown gesture {name!r}; expected one of {[*GESTURES, *WALKS]}")
    return GESTURES[name](rng, stand, length)
