"""Webcams: where a camera stands and looks, and the keypoints it would see of a 3D body.

A shot places the camera relative to the person: from in front (yaw 0, where the fighter faces)
to side on (yaw +-90), at a height, as far away as it takes to frame them the way the shot says
(whole body, feet cut, upper body only), with the person left or right of the middle, a little
tilt and roll, a webcam's field of view and the frame's aspect (landscape 4:3 or 16:9, or a
phone's portrait 9:16). `aim` turns shots into cameras, `project` looks through them: BlazePose's
keypoints (x, y in frame widths and heights, z depth from the hips' middle in the scale of x,
smaller nearer; visibility 1 in the frame, 0 outside it) of skeleton3d.py's landmarks.

Coordinates are skeleton3d's: x where the person faces, y their lead side, z up, in average
standing heights, the pelvis above the origin when the body stands at its place (0, 0).
"""

from typing import NamedTuple

import numpy as np

from tfjs_kombat.synth.skeleton3d import LANDMARK, MIRROR

HIPS = [LANDMARK["left_hip"], LANDMARK["right_hip"]]


class Framing(NamedTuple):
    """A way to frame a person, by where the frame's edges cut them (in their standing heights)."""

    name: str
    share: float  # of the shots framed this way
    bottom: tuple  # range of the bottom edge's height above the floor (below 0: under the feet)
    top: tuple  # range of the room left above the head


FRAMINGS = (
    Framing("whole_body", 0.35, (-0.15, -0.02), (0.03, 0.25)),
    Framing("feet_cut", 0.25, (0.05, 0.3), (0.02, 0.2)),  # between the ankles and the knees
    Framing("upper_body", 0.4, (0.45, 0.7), (0.02, 0.15)),  # from the hips to the chest
)
# Frames (width, height) a webcam or a phone sends, and how often.
FRAME_SIZES = ((640, 480), (640, 360), (360, 640))
FRAME_SIZE_SHARES = (0.45, 0.4, 0.15)
FIELD_OF_VIEW = (60.0, 80.0)  # degrees across the frame's longer side
CAMERA_HEIGHTS = (0.45, 1.0)  # a laptop on a low table to a camera at eye level, in standing heights
ACROSS = (0.3, 0.7)  # where the pelvis shows, in frame widths
# People set a camera up to see themselves: the frame is at least this wide where they stand (in
# their standing heights), which takes a phone held upright further away than its framing says.
MIN_WIDTH = 0.7
TILT = 4.0  # degrees the camera looks above or below the framed middle, at most
ROLL = 3.0  # degrees the camera leans, at most
NEAREST = 0.25  # landmarks project as if at least this share of the hips' distance from the camera


class Shot(NamedTuple):
    """Where cameras stand relative to people: one number per shot (arrays [N])."""

    yaw: np.ndarray  # degrees around the person from where they face, + toward their lead side
    elevation: np.ndarray  # camera height above the floor, in the person's standing heights
    bottom: np.ndarray  # the frame's bottom edge cuts the person this high (standing heights)
    top: np.ndarray  # room above the head (standing heights)
    across: np.ndarray  # where the pelvis shows, in frame widths from the left
    tilt: np.ndarray  # degrees up from looking at the framed middle
    roll: np.ndarray  # degrees
    fov: np.ndarray  # degrees across the frame's longer side
    aspect: np.ndarray  # frame width / height


class View(NamedTuple):
    """Cameras (arrays [N, 3] or [N]): a pinhole with square pixels."""

    position: np.ndarray
    forward: np.ndarray  # unit vectors: where the camera looks,
    right: np.ndarray  # the frame's +x
    down: np.ndarray  # and +y
    focal: np.ndarray  # in frame widths: x = 0.5 + focal * right / forward
    aspect: np.ndarray  # frame width / height


def random_shots(rng, count, framing=None):
    """`count` shots, mostly from in front: the camera's angle off the person's front is 90
    degrees times u squared (u uniform), half the shots within 22.5 degrees. framing: a
    FRAMINGS name for all of them, or None for FRAMINGS's shares."""
    shares = [f.share for f in FRAMINGS] if framing is None else [f.name == framing for f in FRAMINGS]
    if not any(shares):
        raise ValueError(f"unknown framing {framing!r}; expected one of {[f.name for f in FRAMINGS]}")
    kinds = rng.choice(len(FRAMINGS), count, p=np.divide(shares, np.sum(shares)))
    bottom, top = (
        np.array([rng.uniform(*getattr(FRAMINGS[k], edge)) for k in kinds]) for edge in ("bottom", "top")
    )
    sizes = np.array(FRAME_SIZES)[rng.choice(len(FRAME_SIZES), count, p=FRAME_SIZE_SHARES)]
    return Shot(
        yaw=90 * rng.uniform(0, 1, count) ** 2 * rng.choice((-1, 1), count),
        elevation=rng.uniform(*CAMERA_HEIGHTS, count),
        bottom=bottom,
        top=top,
        across=rng.uniform(*ACROSS, count),
        tilt=rng.uniform(-TILT, TILT, count),
        roll=rng.uniform(-ROLL, ROLL, count),
        fov=rng.uniform(*FIELD_OF_VIEW, count),
        aspect=sizes[:, 0] / sizes[:, 1],
    )


def _focal(fov, aspect):
    """Focal length in frame widths for a field of view across the longer side."""
    half = np.tan(np.radians(fov) / 2)
    return np.where(aspect >= 1, 0.5 / half, 0.5 / (half * aspect))


def aim(shots, heights):
    """Cameras taking the shots of people this tall (standing heights, [N]) standing at (0, 0),
    facing +x: as far away as it takes to fit the framed part into the frame's height, and the
    frame MIN_WIDTH of their heights wide."""
    shots = Shot(*(np.asarray(value, dtype=float) for value in shots))
    heights = np.asarray(heights, dtype=float)
    focal = _focal(shots.fov, shots.aspect)
    framed = (1 + shots.top - shots.bottom) * heights
    distance = np.maximum(framed * shots.aspect, MIN_WIDTH * heights) * focal  # height / (2 tan(fov / 2))
    middle = (1 + shots.top + shots.bottom) / 2 * heights
    camera_height = shots.elevation * heights
    yaw = np.radians(shots.yaw)
    position = np.stack([distance * np.cos(yaw), distance * np.sin(yaw), camera_height], axis=-1)
    heading = yaw + np.pi + np.arctan((shots.across - 0.5) / focal)  # back at the person, panned
    pitch = np.arctan2(middle - camera_height, distance) + np.radians(shots.tilt)
    forward = np.stack(
        [np.cos(pitch) * np.cos(heading), np.cos(pitch) * np.sin(heading), np.sin(pitch)], axis=-1
    )
    level = np.stack([np.sin(heading), -np.cos(heading), np.zeros_like(heading)], axis=-1)
    below = np.cross(forward, level)
    roll = np.radians(shots.roll)[:, None]
    right = np.cos(roll) * level + np.sin(roll) * below
    down = np.cos(roll) * below - np.sin(roll) * level
    return View(position, forward, right, down, focal, shots.aspect)


def _per_example(values, ndim):
    """Per-camera values [N, ...] shaped to broadcast against points [N, ..., 33, 3]."""
    values = np.asarray(values)
    return values.reshape(values.shape[:1] + (1,) * (ndim - values.ndim) + values.shape[1:])


def project(points, view):
    """Keypoints [N, ..., 33, 4] (x, y, z, visibility) of landmarks [N, ..., 33, 3] seen by the
    cameras [N]: x, y in frame widths and heights (outside [0, 1]: out of the frame), z the depth
    from the hips' middle in frame widths at the hips' depth (smaller = nearer), visibility 1 in
    the frame and 0 outside it. Landmarks nearer than NEAREST times the hips' distance (only ever
    out of the frame: feet below a close camera) are placed as if that far."""
    points = np.asarray(points, dtype=float)
    ndim = points.ndim

    def along(axis):
        return np.sum((points - _per_example(view.position, ndim)) * _per_example(axis, ndim), axis=-1)

    depth = along(view.forward)
    hips = depth[..., HIPS].mean(axis=-1, keepdims=True)
    # A landmark far below or beside a close camera may be level with it or behind it, where a
    # pinhole sends it to infinity or flips it; a pose model guesses such landmarks near the body.
    near = np.maximum(depth, NEAREST * hips)
    focal, aspect = _per_example(view.focal, ndim - 1), _per_example(view.aspect, ndim - 1)
    x = 0.5 + focal * along(view.right) / near
    y = 0.5 + focal * aspect * along(view.down) / near
    z = focal * (depth - hips) / hips
    inside = (depth > 0) & (x >= 0) & (x <= 1) & (y >= 0) & (y <= 1)
    return np.stack([x, y, z, inside.astype(float)], axis=-1)


def mirrored(keypoints):
    """Keypoints [..., 33, 4] of the mirror image: the frame flipped left to right, every left
    landmark its right twin's. A right-handed lead is the mirror of a left-handed one."""
    flipped = keypoints[..., MIRROR, :].copy()
    flipped[..., 0] = 1 - flipped[..., 0]
    return flipped
