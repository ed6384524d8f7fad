"""Body-keypoint training data without photos: labelled BlazePose keypoints of 3D bodies on camera.

Frames (config.CLASS_NAMES: punch, kick, other) and clips of config.SEQUENCE_LENGTH frames
(config.CLIP_CLASS_NAMES: also roundhouse and back kick), as a pose model would report them of
people in front of a webcam:

- people of every proportion (person.random_proportions), left or right leading (the mirror image);
- poses and moves from pose.py and motion.py in 3D (pose3d.py, skeleton3d.py): a punch reaches
  toward where the fighter faces, which for a player facing the camera is toward the camera;
- "other" also holds what players do between moves (gesture.py): touching their head, reaching,
  waving, stepping, shifting weight, turning away, walking in and out of the picture, and about
  one in five others (config.NOBODY_SHARE) is nobody at all: every landmark zero;
- every clip at its own speed (its moves SPEEDS times as fast) and phase (a clip may start or end
  in the middle of its move, whose middle is always in it), everyone a little restless;
- seen by webcams from in front to side on, at many heights and distances, framing the whole
  body, the body with the feet cut or only the upper body (camera.py);
- with a pose model's errors on top (keypoint_noise.py).

Everything comes from one seed; the examples are in class order, per_class of each.
"""

from typing import NamedTuple

import numpy as np

from tfjs_kombat import config
from tfjs_kombat.synth.camera import aim, mirrored, project, random_shots
from tfjs_kombat.synth.gesture import GESTURES, WALKS, gesture, weight_shift
from tfjs_kombat.synth.keypoint_noise import DEFAULT_NOISE, add_noise
from tfjs_kombat.synth.motion import clip_angles, stand_pose
from tfjs_kombat.synth.person import Proportions, random_proportions
from tfjs_kombat.synth.pose import random_angles
from tfjs_kombat.synth.pose3d import (
    POSE_SIZE,
    PROFILE_SIZE,
    Habits,
    habits_of,
    in_3d,
    profile_vectors,
    random_habits,
    with_depth,
)
from tfjs_kombat.synth.skeleton3d import landmarks

SPEEDS = (0.7, 1.4)
MOVING = 12.0  # degrees: a frame whose profile angles are this far from the first's is in the move
GESTURE_SHARE = 0.6  # of the other clips and frames: a gesture rather than motion.py's swaying
RESTLESSNESS = (0.0, 0.35)  # gesture.weight_shift's amount in every clip
FRAME_STREAM, CLIP_STREAM = 1, 2  # frames draw from [seed, FRAME_STREAM], clips from [seed, CLIP_STREAM]


class KeypointSet(NamedTuple):
    keypoints: np.ndarray  # float32 [N, 33, 4] frames or [N, T, 33, 4] clips (config.KEYPOINT_VALUES)
    labels: np.ndarray  # int64 [N]: config.CLASS_NAMES or config.CLIP_CLASS_NAMES indices
    aspects: np.ndarray  # float32 [N]: the camera frame's width / height


def ways_out(views, shots, rng):
    """gesture.walk_in's way_out for each camera: toward the left or right edge of its picture, on
    the floor, and how far that edge is from the framed middle: ([N, 2], [N])."""
    right = views.right[:, :2] / np.linalg.norm(views.right[:, :2], axis=1, keepdims=True)
    distance = np.linalg.norm(views.position[:, :2], axis=1)
    to_right = rng.uniform(size=len(distance)) < 0.5
    edge = np.where(to_right, 1 - shots.across, shots.across) * distance / views.focal
    return np.where(to_right[:, None], right, -right), edge


def _sources(names, rng, habits, ways, frames, pick=False):
    """Pose vectors [N, frames, POSE_SIZE] of clips of these classes at their moves' own pace, a
    little restless; with pick, one frame of each [N, POSE_SIZE]: of a punch, a kick or an other
    its key pose (pose.py's), or of a gesture any frame.

    habits: random_habits(rng, N); ways: ways_out's ([N, 2], [N]).
    """
    count = len(names)
    poses = np.zeros((count, 1 if pick else frames, POSE_SIZE))
    plain, profiles = [], []
    for i, name in enumerate(names):
        if name == "other" and rng.uniform() < GESTURE_SHARE:
            kind = str(rng.choice([*GESTURES, *WALKS]))
            stand = in_3d(stand_pose(rng), habits_of(habits, i))
            clip = gesture(kind, rng, stand, frames, (ways[0][i], ways[1][i]))
            poses[i] = clip[rng.integers(frames), None] if pick else clip
        else:
            plain.append(i)
            profiles.append([random_angles(name, rng)] if pick else clip_angles(name, rng, frames))
    if plain:
        own = Habits(*(np.expand_dims(value, 1) for value in habits_of(habits, plain)))
        poses[plain] = with_depth(np.stack([profile_vectors(p) for p in profiles]), own)
    poses += weight_shift(rng, rng.uniform(*RESTLESSNESS, count), poses.shape[1])
    return poses[:, 0] if pick else poses


def _windows(poses, rng, length):
    """`length` frames of each clip's source poses [N, S, POSE_SIZE] at a random speed and phase,
    interpolated: [N, length, POSE_SIZE]. The middle of a clip's move (its frames away from the
    first pose) stays in the middle half of its window."""
    count, frames = poses.shape[:2]
    speed = rng.uniform(*SPEEDS, count)
    span = (length - 1) * speed
    last = frames - 1 - span
    profile = poses[..., :PROFILE_SIZE]
    moving = np.abs(profile - profile[:, :1]).max(axis=-1) > MOVING
    middle = (np.argmax(moving, axis=1) + frames - 1 - np.argmax(moving[:, ::-1], axis=1)) / 2
    low = np.where(moving.any(axis=1), np.clip(middle - 0.75 * span, 0, last), 0)
    high = np.where(moving.any(axis=1), np.clip(middle - 0.25 * span, 0, last), last)
    times = rng.uniform(low, high)[:, None] + speed[:, None] * np.arange(length)
    before = np.minimum(times.astype(int), frames - 2)
    after = (times - before)[..., None]
    clips = np.arange(count)[:, None]
    return poses[clips, before] * (1 - after) + poses[clips, before + 1] * after


def _source_frames(length):
    return int(np.ceil(length * SPEEDS[1])) + 1  # enough for a window at the top speed


def clip_poses(name, rng, habits, way_out, length=config.SEQUENCE_LENGTH):
    """Pose vectors [length, POSE_SIZE] of one clip of the class (config.CLIP_CLASS_NAMES): its
    move at its own pace, a little restless, then seen at a random speed and phase. habits: one
    person's (pose3d.random_habits); way_out: gesture.walk_in's."""
    many = Habits(*(np.asarray(value)[None] for value in habits))
    ways = (np.asarray(way_out[0])[None], np.asarray([way_out[1]]))
    return _windows(_sources([name], rng, many, ways, _source_frames(length)), rng, length)[0]


def seen(bodies, poses, shots):
    """True keypoints [N, (T,) 33, 4] of bodies (Proportions of arrays [N]) in poses [N, (T,)
    POSE_SIZE], the lead side left, taken as the shots [N] say."""
    views = aim(shots, bodies.height)
    if np.ndim(poses) == 3:
        bodies = Proportions(*(np.asarray(value)[:, None] for value in bodies))
    return project(landmarks(bodies, poses), views)


def _generate(names, per_class, seed, noise, length, shots=random_shots):
    """KeypointSet of per_class examples of each class: clips of `length` frames, or frames when
    length is None; shots(rng, count) places the cameras."""
    rng = np.random.default_rng([seed, FRAME_STREAM if length is None else CLIP_STREAM])
    labels = np.repeat(np.arange(len(names)), per_class)
    count = labels.size
    bodies, shots = random_proportions(rng, count), shots(rng, count)
    ways, habits = ways_out(aim(shots, bodies.height), shots, rng), random_habits(rng, count)
    classes = [names[label] for label in labels]
    if length is None:
        poses = _sources(classes, rng, habits, ways, config.SEQUENCE_LENGTH, pick=True)
    else:
        poses = _windows(_sources(classes, rng, habits, ways, _source_frames(length)), rng, length)
    truth = seen(bodies, poses, shots)
    right_handed = rng.uniform(size=count) < 0.5
    truth[right_handed] = mirrored(truth[right_handed])
    truth[(labels == config.OTHER) & (rng.uniform(size=count) < config.NOBODY_SHARE)] = 0.0
    keypoints = add_noise(truth, shots.aspect, noise, rng)
    return KeypointSet(keypoints, labels.astype(np.int64), shots.aspect.astype(np.float32))


def keypoint_frames(per_class, seed=config.SEED, noise=DEFAULT_NOISE, shots=random_shots):
    """per_class labelled frames of each of config.CLASS_NAMES: KeypointSet with keypoints
    [N, 33, 4]. noise=keypoint_noise.CLEAN gives the true keypoints (visibility 1 in the frame);
    shots: camera.random_shots or another (rng, count) -> Shot, to leave some views out."""
    return _generate(config.CLASS_NAMES, per_class, seed, noise, None, shots)


def keypoint_clips(
    per_class, seed=config.SEED, noise=DEFAULT_NOISE, length=config.SEQUENCE_LENGTH, shots=random_shots
):
    """per_class labelled clips of each of config.CLIP_CLASS_NAMES: KeypointSet with keypoints
    [N, length, 33, 4] at config.CLIP_FPS."""
    return _generate(config.CLIP_CLASS_NAMES, per_class, seed, noise, length, shots)
