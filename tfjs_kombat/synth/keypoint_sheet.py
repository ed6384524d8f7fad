"""A picture to check the keypoint data by eye: skeletons of every class from several sides.

    .venv/bin/python -m tfjs_kombat.synth.keypoint_sheet [build/keypoint_sheet.png] [--seed N]

Rows of frames (punch, kick, other; from in front, three-quarter, side on; the upper body only,
the feet cut, a portrait phone) and strips of clips (the five clip classes, the gestures, a punch
with the pose model's noise). Each cell is the camera's frame: the lead (left) side's bones
orange, the right side's blue; a joint's dot is red when nearer the camera than the hips, blue
when further (z); landmarks out of the frame or reported unseen are hollow.
"""

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from tfjs_kombat import config
from tfjs_kombat.synth.camera import Shot, aim
from tfjs_kombat.synth.gesture import GESTURES, WALKS, gesture
from tfjs_kombat.synth.keypoint_data import clip_poses, seen, ways_out
from tfjs_kombat.synth.keypoint_noise import DEFAULT_NOISE, add_noise
from tfjs_kombat.synth.motion import stand_pose
from tfjs_kombat.synth.person import random_proportions
from tfjs_kombat.synth.pose import random_angles
from tfjs_kombat.synth.pose3d import in_3d, pose_vector, random_habits
from tfjs_kombat.synth.skeleton3d import LANDMARK

COLOURS = {"left": (230, 130, 20), "right": (40, 110, 220), "middle": (120, 120, 120)}
FRAME_VIEWS = (  # (title, yaw, framing bottom, top, frame width, height)
    ("front", 0, -0.05, 0.1, 640, 480),
    ("3/4", 45, -0.05, 0.1, 640, 480),
    ("side", 90, -0.05, 0.1, 640, 480),
    ("upper body", 10, 0.5, 0.08, 640, 480),
    ("feet cut", 20, 0.2, 0.08, 640, 360),
    ("portrait", -25, -0.05, 0.1, 360, 640),
)
FRAME_CELL, CLIP_CELL = (220, 220), (140, 230)  # (width, height), pixels


def _shot(yaw, bottom, top, width, height):
    """One shot: a camera at 0.7 standing heights, 70 degrees wide, the person in the middle."""
    return Shot(
        *(np.array([value], dtype=float) for value in (yaw, 0.7, bottom, top, 0.5, 0, 0, 70, width / height))
    )


def _side(name):
    return "left" if "left" in name else "right" if "right" in name else "middle"


def _cell(keypoints, aspect, size, title):
    """A picture (width, height) of one frame's keypoints [33, 4], the camera's frame inside."""
    image = Image.new("RGB", size, (255, 255, 255))
    draw = ImageDraw.Draw(image)
    scale = 0.85 * min(size[0], (size[1] - 14) * aspect)
    width, height = scale, scale / aspect
    x0, y0 = (size[0] - width) / 2, 14 + (size[1] - 14 - height) / 2
    draw.rectangle((x0, y0, x0 + width, y0 + height), outline=(180, 180, 180))
    draw.text((3, 1), title, fill=(0, 0, 0))
    if not keypoints.any():
        draw.text((x0 + 4, y0 + 4), "nobody", fill=(150, 0, 0))
        return image
    xy = np.stack([x0 + keypoints[:, 0] * width, y0 + keypoints[:, 1] * height], axis=-1)
    for a, b in config.BODY_CONNECTIONS:
        i, j = LANDMARK[a], LANDMARK[b]
        shown = min(keypoints[i, 3], keypoints[j, 3]) >= 0.5
        colour = COLOURS[_side(a) if _side(a) == _side(b) else "middle"]
        draw.line(
            [tuple(xy[i]), tuple(xy[j])], fill=colour if shown else (215, 215, 215), width=2 if shown else 1
        )
    for (x, y), (_, _, z, visibility) in zip(xy, keypoints, strict=True):
        near = float(np.clip(-z / 0.25, -1, 1))
        colour = (int(128 + 127 * near), 60, int(128 - 127 * near))
        r = 2.5
        draw.ellipse((x - r, y - r, x + r, y + r), outline=colour, fill=colour if visibility >= 0.5 else None)
    return image


def _punch_depth(keypoints):
    """How much nearer the camera the lead wrist is than the lead shoulder, in frame widths."""
    return keypoints[LANDMARK["left_shoulder"], 2] - keypoints[LANDMARK["left_wrist"], 2]


def draw_sheet(path, seed=config.SEED):
    """Write the sheet (a PNG) to path; return its size."""
    rng = np.random.default_rng(seed)
    rows = []  # ([(keypoints [33, 4], frame aspect, title), ...], cell size)
    for name in config.CLASS_NAMES:
        body = random_proportions(rng, 1)
        pose = pose_vector(in_3d(random_angles(name, rng), random_habits(rng)))
        cells = []
        for title, *view in FRAME_VIEWS:
            shot = _shot(*view)
            keypoints = seen(body, pose[None], shot)[0]
            if name == "punch" and title in ("front", "side"):
                title += f" reach z {_punch_depth(keypoints):+.2f}"
            cells.append((keypoints, shot.aspect[0], f"{name} {title}"))
        rows.append((cells, FRAME_CELL))
    length = config.SEQUENCE_LENGTH
    strips = [(name, None) for name in config.CLIP_CLASS_NAMES] + [
        (name, name) for name in [*GESTURES, *WALKS]
    ]
    for name, kind in [*strips, ("punch + noise", None)]:
        body, habits = random_proportions(rng, 1), random_habits(rng)
        shot = _shot(15, -0.05, 0.1, *((640, 480) if kind in WALKS else (360, 640)))
        sideways, edges = ways_out(aim(shot, body.height), shot, rng)
        way_out = (sideways[0], edges[0])
        if kind is None:
            poses = clip_poses(name.split(" ")[0], rng, habits, way_out, length)
        else:
            poses = gesture(kind, rng, in_3d(stand_pose(rng), habits), length, way_out)
        keypoints = seen(body, poses[None], shot)
        if name.endswith("noise"):
            keypoints = add_noise(keypoints, shot.aspect, DEFAULT_NOISE, rng)
        rows.append(([(k, shot.aspect[0], f"{name} {t}") for t, k in enumerate(keypoints[0])], CLIP_CELL))
    width = max(len(cells) * size[0] for cells, size in rows)
    image = Image.new("RGB", (width, sum(size[1] for _, size in rows)), (255, 255, 255))
    top = 0
    for cells, size in rows:
        for i, (keypoints, aspect, title) in enumerate(cells):
            image.paste(_cell(keypoints, aspect, size, title), (i * size[0], top))
        top += size[1]
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    return image.size


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "out", nargs="?", default="build/keypoint_sheet.png", help="PNG to write (default: %(default)s)"
    )
    parser.add_argument("--seed", type=int, default=config.SEED)
    args = parser.parse_args(argv)
    size = draw_sheet(args.out, args.seed)
    print(f"wrote {args.out} ({size[0]}x{size[1]})")


if __name__ == "__main__":
    main()
