"""Keypoint gap: what the pose model reports of rendered people whose joints are known, beside
what the generator (synth/keypoint_data.py) makes of people. Prints, per class:

- lost: share of pictures in which the pose model finds nobody;
- the pose model's errors as keypoint_noise.estimate_noise measures them (2D only: the renderer
  has no depth), per-joint errors in torso lengths and how often it names the sides the other way;
- visibilities of the joints it found, and what the heads read after body.BodyNormalisation:
  |z| per joint, the wrists' reach and the ankles' height, for the rendered pictures and for
  generated people (all cameras, and front-facing whole-body ones).

With --pictures FOLDER it writes a few pictures with the truth (red) and the pose model's
skeleton (green, faint where its visibility is under 0.5) drawn on them.

    KERAS_HOME=../shared/keras-home .venv/bin/python benchmarks/keypoint_gap.py --per-class 100
"""

import argparse
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from PIL import ImageDraw  # noqa: E402

from tfjs_kombat import config  # noqa: E402
from tfjs_kombat.body import in_width_units  # noqa: E402
from tfjs_kombat.keypoint_features import in_widths  # noqa: E402
from tfjs_kombat.synth import scene  # noqa: E402
from tfjs_kombat.synth.keypoint_data import keypoint_frames  # noqa: E402
from tfjs_kombat.synth.keypoint_noise import estimate_noise  # noqa: E402
from tfjs_kombat.synth.person import random_person  # noqa: E402
from tfjs_kombat.synth.pose import POSES, random_angles  # noqa: E402

INDEX = {name: i for i, name in enumerate(config.BODY_LANDMARKS)}
BONES = [
    (a, b)
    for side in ("left", "right")
    for a, b in (
        ("shoulder", "elbow"),
        ("elbow", "wrist"),
        ("shoulder", "hip"),
        ("hip", "knee"),
        ("knee", "ankle"),
    )
    for a, b in [(f"{side}_{a}", f"{side}_{b}")]
] + [("left_shoulder", "right_shoulder"), ("left_hip", "right_hip")]
SIZE = (320, 240)  # the default dataset's pictures


def truth_keypoints(joints, detected, size):
    """[33, 4] true keypoints (x, y as fractions of the frame, z NaN, visibility 1 in the frame)
    of the figure's joints, its lead side named as the pose model named the nearer side; NaN for
    landmarks the figure has no joint for. Returns (truth, lead named left)."""
    best = None
    for lead in ("left", "right"):
        rear = "right" if lead == "left" else "left"
        truth = np.full((len(INDEX), 4), np.nan)
        for joint, name in scene.BLAZEPOSE_JOINTS.items():
            for side, named in (("lead", lead), ("rear", rear)):
                truth[INDEX[f"{named}_{name}"], :2] = joints[f"{side}_{joint}"] / size
        truth[INDEX["nose"], :2] = joints["head"] / size
        known = np.isfinite(truth[:, 0])
        inside = ((truth[:, :2] >= 0) & (truth[:, :2] <= 1)).all(axis=1)
        truth[known, 3] = inside[known]
        error = 0.0 if detected is None else np.nansum((truth[known, :2] - detected[known, :2]) ** 2)
        if best is None or error < best[0]:
            best = (error, truth, lead == "left")
    return best[1], best[2]


def rendered(per_class, seed):
    """Pictures as render.render_dataset draws a person (320x240, a room, a person, a pose)
    through the pose model as PoseReader.picture reads them: (pictures, truths, detected
    [N, 33, 4] in frame fractions, zeros for nobody, labels, lead named left)."""
    from tfjs_kombat.bodypose import networks
    from tfjs_kombat.bodypose.tracker import Tracker

    models = networks.load("lite")
    rng = np.random.default_rng(seed)
    pictures, truths, detected, labels, lead_left = [], [], [], [], []
    for label, pose in enumerate(POSES):
        for _ in range(per_class):
            person, room = random_person(rng), scene.random_room(rng)
            image, joints, _ = scene.render_with_joints(person, room, random_angles(pose, rng), rng, SIZE)
            found = Tracker(models).track(np.asarray(image))
            truth, left = truth_keypoints(joints, found, np.array(SIZE))
            pictures.append(image)
            truths.append(truth)
            detected.append(np.zeros((len(INDEX), 4), np.float32) if found is None else found)
            labels.append(label)
            lead_left.append(left)
    return pictures, np.array(truths), np.array(detected), np.array(labels), np.array(lead_left)


def normalised(keypoints):
    """body.BodyNormalisation of keypoints in width units: [N, 33, 4] (x, y, z, visibility)."""
    from keras import ops

    from tfjs_kombat.body import BodyNormalisation

    return ops.convert_to_numpy(BodyNormalisation()(keypoints.astype(np.float32))).reshape(-1, 33, 4)


def signature(features, labels):
    """Per class: found share of wrists and ankles, median |z| of the visible joints, the wrists'
    furthest reach across (|x|) and the ankles' highest point (smallest y), in torso lengths."""
    rows = {}
    someone = np.abs(features).sum(axis=(1, 2)) > 0
    wrists = [INDEX["left_wrist"], INDEX["right_wrist"]]
    ankles = [INDEX["left_ankle"], INDEX["right_ankle"]]
    for label, name in enumerate(config.CLASS_NAMES):
        f = features[(labels == label) & someone]
        visible = f[..., 3] >= 0.5
        rows[name] = {
            "wrists found": visible[:, wrists].mean(),
            "ankles found": visible[:, ankles].mean(),
            "|z| median": np.median(np.abs(f[..., 2][visible])),
            "|z| wrists": np.median(np.abs(f[:, wrists, 2][visible[:, wrists]])),
            "reach |x|": np.median(np.abs(f[:, wrists, 0]).max(axis=1)),
            "reach |z|": np.median(np.abs(f[:, wrists, 2]).max(axis=1)),
            "ankle top y": np.median(np.where(visible[:, ankles], f[:, ankles, 1], 9).min(axis=1)),
        }
    return rows


def print_table(title, tables):
    print(f"\n{title}")
    names = list(tables)
    keys = list(next(iter(tables[names[0]].values())))
    print(f"{'':22}" + "".join(f"{name + ' ' + c:>22}" for name in names for c in config.CLASS_NAMES))
    for key in keys:
        cells = [tables[name][c][key] for name in names for c in config.CLASS_NAMES]
        print(f"{key:22}" + "".join(f"{v:22.2f}" for v in cells))


def draw(picture, truth, found, path):
    image = picture.resize((picture.width * 2, picture.height * 2))
    pen = ImageDraw.Draw(image)
    scale = np.array(image.size)
    for points, colour, faint in ((truth, (255, 40, 40), None), (found, (40, 255, 40), (20, 110, 20))):
        for a, b in BONES:
            p, q = points[INDEX[a]], points[INDEX[b]]
            if np.isfinite(p[:2]).all() and np.isfinite(q[:2]).all() and np.nansum(np.abs(p)) > 0:
                weak = faint is not None and min(p[3], q[3]) < 0.5
                line = [tuple(p[:2] * scale), tuple(q[:2] * scale)]
                pen.line(line, fill=faint if weak else colour, width=3)
    image.save(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-class", type=int, default=100)
    parser.add_argument("--seed", type=int, default=31)
    parser.add_argument("--pictures", help="write a few annotated pictures into this folder")
    args = parser.parse_args()

    pictures, truth, detected, labels, lead_left = rendered(args.per_class, args.seed)
    aspect = SIZE[0] / SIZE[1]
    someone = np.abs(detected).sum(axis=(1, 2)) > 0
    print(f"{len(labels)} rendered pictures at {SIZE[0]}x{SIZE[1]} through the pose model (lite)")
    for label, name in enumerate(config.CLASS_NAMES):
        print(f"  {name}: lost {1 - someone[labels == label].mean():.3f}")
    print(f"  the figure's lead side named left in {lead_left[someone].mean():.2f} of the found")

    noise = estimate_noise(truth[someone], detected[someone], np.full(someone.sum(), aspect))
    print(f"\nestimate_noise (frames: offset holds the jitter too): {noise}")
    torso = np.linalg.norm(
        (truth[:, [11, 12], :2].mean(1) - truth[:, [23, 24], :2].mean(1)) * [1, 1 / aspect], axis=1
    )
    error = np.linalg.norm((detected[..., :2] - truth[..., :2]) * [1, 1 / aspect], axis=-1) / torso[:, None]
    print("per joint error (torso lengths) median / 90th percentile, visibility median, share < 0.5:")
    for name in ("nose", "shoulder", "elbow", "wrist", "hip", "knee", "ankle"):
        joints = [INDEX[name]] if name == "nose" else [INDEX[f"left_{name}"], INDEX[f"right_{name}"]]
        e = error[someone][:, joints].ravel()
        v = detected[someone][:, joints, 3].ravel()
        print(
            f"  {name:9} {np.nanmedian(e):.3f} / {np.nanpercentile(e, 90):.3f}"
            f"   vis {np.median(v):.2f}, {np.mean(v < 0.5):.2f}"
        )
    ends = ("pinky", "index", "thumb", "heel")
    unpaired = [i for i, n in enumerate(config.BODY_LANDMARKS) if n.split("_")[-1] in ends]
    print(f"  hands and feet: visibility median {np.median(detected[someone][:, unpaired, 3]):.2f}")

    tables = {"rendered": signature(normalised(in_width_units(detected, *SIZE)), labels)}
    for title, front in (("generated", False), ("gen. front", True)):
        shots = None
        if front:
            from new_player import front_shots

            shots = front_shots
        frames = keypoint_frames(args.per_class * 4, seed=args.seed, **({"shots": shots} if shots else {}))
        tables[title] = signature(normalised(in_widths(frames.keypoints, frames.aspects)), frames.labels)
    print_table("what the heads read (torso lengths, after body normalisation)", tables)

    if args.pictures:
        folder = Path(args.pictures)
        folder.mkdir(parents=True, exist_ok=True)
        for label in range(len(config.CLASS_NAMES)):
            for k in np.flatnonzero(labels == label)[:4]:
                draw(pictures[k], truth[k], detected[k], folder / f"{config.CLASS_NAMES[label]}-{k}.png")


if __name__ == "__main__":
    main()
