"""Poses: joint angles per class, and the key poses the spinning kicks share.

An angles dict has lean (torso, + = forward), turn (1 = facing the camera, smaller = sideways),
and (upper, lower) pairs for lead_arm, rear_arm, lead_leg, rear_leg; "lead" is the limb on the
facing side. An angle of 0 points down, 90 forward (toward the facing side), 180 up, -90
backward. Arm angles are relative to the torso, leg angles to the vertical. figure.py turns
angles into joints and body parts; motion.py moves from pose to pose.
"""

from tfjs_kombat import config

POSES = config.CLASS_NAMES  # ("punch", "kick", "other"), stored in config.CLASS_DIRS


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
    """Joint angles of a random pose of the class (see the module's docstring)."""
    if pose not in POSE_MAKERS:
        raise ValueError(f"unknown pose {pose!r}; expected one of {POSES}")
    return POSE_MAKERS[pose](rng)
