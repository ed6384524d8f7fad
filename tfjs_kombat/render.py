"""Render the default dataset and fake-camera clips: people punching, kicking or doing something else.

So that `make train` works on a machine with no data, and so that browser tests have a fake
camera. The people are drawn by figure.py and placed in rooms by scene.py.
"""

import contextlib
import os
import re
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from tfjs_kombat import config
from tfjs_kombat.errors import UserError, say, shown
from tfjs_kombat.figure import POSES, figure_parts, parts_box, random_angles, random_person, relaxed_stance
from tfjs_kombat.files import replacing_dir
from tfjs_kombat.frames import ffmpeg_executable
from tfjs_kombat.scene import (
    camera,
    draw_figure,
    place_in_room,
    random_room,
    render_nobody,
    render_pose,
    room_background,
)

RENDERED_NAME = re.compile(r"\d{4,}\.jpg")  # what render_dataset writes, so it may replace it


# ---------------------------------------------------------------------------------------------
# The dataset and the clip


def _check_replaceable(out_dir):
    """Refuse to replace a folder holding anything render did not write (e.g. real photos)."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise UserError(f"{shown(out_dir)} is a file, not a folder")
    for path in out_dir.rglob("*"):
        ours_dir = path.is_dir() and path.parent == out_dir and path.name in config.CLASS_DIRS
        ours_file = path.parent.parent == out_dir and path.parent.name in config.CLASS_DIRS
        if not (ours_dir or (ours_file and RENDERED_NAME.fullmatch(path.name))):
            raise UserError(
                f"{shown(out_dir)} holds {shown(path.relative_to(out_dir))}, which render did not write; "
                "pick another folder or empty it first"
            )


def render_dataset(out_dir, per_class=config.DEFAULT_DATA_PER_CLASS, seed=config.SEED, size=(320, 240)):
    """Write out_dir/punches/0001.jpg ..., kicks/, others/; return {class_dir: count}. About one
    in five others shows nobody at all (config.NOBODY_SHARE).

    Image i of a class depends only on (seed, class, i), so a smaller set is a prefix of a
    larger one. The folder is replaced atomically.
    """
    out_dir = Path(out_dir)
    if per_class < 1:
        raise UserError(f"--per-class must be at least 1, not {per_class}")
    _check_replaceable(out_dir)
    total, done = per_class * len(POSES), 0
    with replacing_dir(out_dir) as tmp:
        for class_index, (pose, class_dir) in enumerate(zip(POSES, config.CLASS_DIRS, strict=True)):
            (tmp / class_dir).mkdir()
            for i in range(per_class):
                rng = np.random.default_rng([seed, class_index, i])
                nobody = pose == "other" and rng.uniform() < config.NOBODY_SHARE
                image = render_nobody(rng, size) if nobody else render_pose(pose, rng, size)
                image.save(tmp / class_dir / f"{i + 1:04d}.jpg", quality=int(rng.integers(60, 96)))
                done += 1
                if done % 50 == 0 or done == total:
                    say(f"rendered {done}/{total} images")
    return {class_dir: per_class for class_dir in config.CLASS_DIRS}


# The clip: (seconds, what the person does); punch and kick = extend 0.3 s, hold 1.2 s, retract 0.3 s.
CLIP_SCRIPT = (("other", 3.0), ("punch", 1.8), ("other", 3.0), ("kick", 1.8), ("other", 2.0))
STILL_SCRIPT = (("other", 8.0),)  # standing still: must trigger no punch or kick
MOVE_SECONDS = 0.3


def clip_timeline(script=CLIP_SCRIPT):
    """[(start_s, end_s, pose), ...] of a script of (pose, seconds)."""
    timeline, start = [], 0.0
    for pose, seconds in script:
        timeline.append((round(start, 3), round(start + seconds, 3), pose))
        start += seconds
    return timeline


def _blend(a, b, weight):
    """Angles between two poses; weight 0 gives a, 1 gives b."""
    return {key: np.add(np.multiply(a[key], 1 - weight), np.multiply(b[key], weight)) for key in a}


def _clip_angles(timeline, t, idle, actions):
    """The person's angles at time t: a swaying guard, or moving in and out of an action."""
    sway = np.sin(2 * np.pi * t / 2.7)
    angles = dict(idle, lean=idle["lean"] + 3 * sway, lead_arm=np.add(idle["lead_arm"], 4 * sway))
    for start, end, pose in timeline:
        if pose in actions and start <= t < end:
            ramp = min(t - start, end - t) / MOVE_SECONDS
            weight = np.clip(ramp, 0, 1) ** 2 * (3 - 2 * np.clip(ramp, 0, 1))  # smoothstep
            return _blend(angles, actions[pose], weight)
    return angles


def _ffmpeg_output(path):
    """ffmpeg's output options for the clip's file extension."""
    suffix = path.suffix.lower()
    if suffix == ".y4m":  # what Chromium's --use-file-for-fake-video-capture reads
        return ["-f", "yuv4mpegpipe", "-pix_fmt", "yuv420p"]
    if suffix == ".mp4":
        return ["-f", "mp4", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-movflags", "+faststart"]
    raise UserError(f"cannot write a clip as {shown(path.name)}: use a .y4m or .mp4 file name")


def render_clip(path, size=(640, 480), fps=10, seed=config.SEED, script=CLIP_SCRIPT):
    """A fake webcam feed: one person, one room, by default idle -> punch -> idle -> kick -> idle.

    Returns the timeline [(start_s, end_s, pose), ...]; the idle parts are "other".
    """
    path = Path(path)
    output = _ffmpeg_output(path)  # before any work: a bad name fails at once
    rng = np.random.default_rng([seed, len(POSES)])  # apart from the dataset's streams
    person, facing, room = random_person(rng), rng.choice((-1, 1)), random_room(rng)
    # Idle is standing relaxed, so "standing still" is unambiguous; the feet stay put for a punch.
    idle = relaxed_stance(rng)
    punch = dict(random_angles("punch", rng), lead_leg=idle["lead_leg"], rear_leg=idle["rear_leg"])
    actions = {"punch": punch, "kick": random_angles("kick", rng)}

    timeline = clip_timeline(script)
    count = round(timeline[-1][1] * fps)
    frames = [
        figure_parts(person, _clip_angles(timeline, i / fps, idle, actions), facing) for i in range(count)
    ]
    box = parts_box([part for parts in frames for part in parts])
    placement = place_in_room(room, box, rng, size)  # the person keeps their spot through the clip
    background = room_background(room, size)

    def images():
        for parts in frames:
            image = background.copy()
            draw_figure(image, parts, placement)
            yield camera(image, room.look, rng)  # fresh sensor noise every frame

    _encode(images(), path, output, size, fps)
    say(f"wrote {shown(path)}: {count} frames of {size[0]}x{size[1]} at {fps} fps")
    return timeline


def _encode(images, path, output, size, fps):
    """Pipe raw RGB frames through ffmpeg into a temporary file, then move it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    command = [ffmpeg_executable(), "-v", "error", "-nostdin", "-y", "-f", "rawvideo", "-pix_fmt", "rgb24"]
    command += ["-s", f"{size[0]}x{size[1]}", "-r", str(fps), "-i", "-", *output, str(tmp)]
    with tempfile.TemporaryFile() as errors:
        ffmpeg = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors)
        try:
            with contextlib.suppress(BrokenPipeError):  # ffmpeg quit early; its message says why
                try:
                    for image in images:
                        ffmpeg.stdin.write(image.tobytes())
                finally:
                    ffmpeg.stdin.close()
            if ffmpeg.wait() != 0:
                errors.seek(0)
                lines = errors.read().decode(errors="replace").strip().splitlines()
                detail = lines[-1] if lines else f"exit status {ffmpeg.returncode}"
                raise UserError(f"ffmpeg could not write {shown(path)}: {shown(detail)}")
            os.replace(tmp, path)
        finally:
            if ffmpeg.poll() is None:  # interrupted while rendering
                ffmpeg.kill()
                ffmpeg.wait()
            tmp.unlink(missing_ok=True)


def add_arguments(parser):
    parser.add_argument("out_dir", nargs="?", help="dataset folder to (re)write: punches/, kicks/, others/")
    parser.add_argument(
        "--per-class",
        type=int,
        default=config.DEFAULT_DATA_PER_CLASS,
        help="images per class (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=config.SEED, help=f"random seed (default: {config.SEED})")
    parser.add_argument("--clip", help="write a fake-webcam clip (.y4m or .mp4) instead of a dataset")
    parser.add_argument("--still", action="store_true", help="with --clip: the person only stands still")


def run(args):
    if args.clip:
        if args.out_dir:
            raise UserError("give either OUT_DIR (a dataset) or --clip FILE, not both")
        script = STILL_SCRIPT if args.still else CLIP_SCRIPT
        for start, end, pose in render_clip(args.clip, seed=args.seed, script=script):
            say(f"  {start:5.1f}-{end:5.1f} s  {pose}")
        return
    if not args.out_dir:
        raise UserError("give OUT_DIR for a dataset, or --clip FILE for a clip")
    counts = render_dataset(args.out_dir, per_class=args.per_class, seed=args.seed)
    say(f"wrote {sum(counts.values())} images to {shown(args.out_dir)}: {counts}")
