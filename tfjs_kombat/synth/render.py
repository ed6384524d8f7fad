"""Render the default dataset: people punching, kicking or doing something else; `tfjs-kombat render`.

So that `make train` works on a machine with no data. The people are made by person.py, posed
by pose.py, drawn by figure.py, moved by motion.py and placed in rooms by scene.py. The dataset
holds pictures (one person, one pose) and clips (one person moving: the sequence head's data,
including the roundhouse and the back kick, which only their motion tells apart). The command
also writes a fake-camera clip instead (--clip): webcam.py.
"""

import re
from pathlib import Path

import numpy as np

from tfjs_kombat import config
from tfjs_kombat.errors import UserError, say, shown
from tfjs_kombat.files import replacing_dir
from tfjs_kombat.synth.motion import CLIP_NAMES
from tfjs_kombat.synth.pose import POSES
from tfjs_kombat.synth.scene import render_empty_clip, render_moving, render_nobody, render_pose
from tfjs_kombat.synth.webcam import CLIP_POSES, CLIP_SCRIPT, STILL_SCRIPT, parse_script, render_clip

# What render_dataset writes, so it may replace it: pictures, clip folders and their frames.
RENDERED_NAME = re.compile(r"\d{4,}\.jpg")
CLIP_DIR_NAME = re.compile(r"c\d{4,}")
CLIP_FRAME_NAME = re.compile(r"\d{3,}\.jpg")
CLIP_STREAMS = 10  # clip i of class c draws from the stream [seed, CLIP_STREAMS + c, i]


def _rendered(names, is_file):
    """Would render_dataset write this path (names: its parts under the dataset folder)? A class
    folder, a picture in it (0001.jpg), a clip folder (c0001) or a clip's frame (c0001/000.jpg)."""
    if names[0] not in config.CLIP_CLASS_DIRS:
        return False
    if len(names) == 1:
        return not is_file
    if len(names) == 2:
        return bool((RENDERED_NAME if is_file else CLIP_DIR_NAME).fullmatch(names[1]))
    clip, frame = CLIP_DIR_NAME.fullmatch(names[1]), CLIP_FRAME_NAME.fullmatch(names[-1])
    return len(names) == 3 and is_file and bool(clip and frame)


def _check_replaceable(out_dir):
    """Refuse to replace a folder holding anything render did not write (e.g. real photos)."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise UserError(f"{shown(out_dir)} is a file, not a folder")
    for path in out_dir.rglob("*"):
        if not _rendered(path.relative_to(out_dir).parts, path.is_file()):
            raise UserError(
                f"{shown(out_dir)} holds {shown(path.relative_to(out_dir))}, which render did not write; "
                "pick another folder or empty it first"
            )


def render_dataset(
    out_dir,
    per_class=config.DEFAULT_DATA_PER_CLASS,
    seed=config.SEED,
    size=(320, 240),
    clips_per_class=config.DEFAULT_CLIPS_PER_CLASS,
):
    """Write out_dir/punches/0001.jpg ..., kicks/, others/; return {class_dir: count of pictures}.
    About one in five others shows nobody at all (config.NOBODY_SHARE).

    With clips_per_class (0: none), also (with per_class 0: only) clips of SEQUENCE_LENGTH frames
    for every clip class: out_dir/<class_dir>/c0001/000.jpg ... for config.CLIP_CLASS_DIRS (roundhouses/ and
    back_kicks/ hold clips only); see render_clip_frames.

    Image i (clip i) of a class depends only on (seed, class, i), so a smaller set is a prefix of
    a larger one. The folder is replaced atomically.
    """
    out_dir = Path(out_dir)
    if per_class < 0 or clips_per_class < 0:
        raise UserError(
            f"--per-class and --clips-per-class must be 0 or more, not {per_class}, {clips_per_class}"
        )
    if per_class == clips_per_class == 0:
        raise UserError("nothing to render: --per-class and --clips-per-class are both 0")
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
        if clips_per_class:
            _render_clips(tmp, clips_per_class, seed, size)
    return {class_dir: per_class for class_dir in config.CLASS_DIRS}


def render_clip_frames(clip_class, index, seed=config.SEED, size=(320, 240), length=config.SEQUENCE_LENGTH):
    """Clip `index` of a clip class (config.CLIP_CLASS_NAMES) as the dataset holds it: `length`
    RGB images of one person in one room (about one in five others: nobody, an empty room) and
    the JPEG quality of its camera. Depends only on (seed, clip_class, index)."""
    class_index = CLIP_NAMES.index(clip_class)
    rng = np.random.default_rng([seed, CLIP_STREAMS + class_index, index])
    quality = int(rng.integers(60, 96))
    if clip_class == "other" and rng.uniform() < config.NOBODY_SHARE:
        return render_empty_clip(rng, size, length), quality
    return render_moving(clip_class, rng, size, length), quality


def _render_clips(out_dir, clips_per_class, seed, size):
    """out_dir/<class_dir>/c0001/000.jpg ... for every clip class."""
    total, done = clips_per_class * len(CLIP_NAMES), 0
    for clip_class, class_dir in zip(CLIP_NAMES, config.CLIP_CLASS_DIRS, strict=True):
        (out_dir / class_dir).mkdir(exist_ok=True)
        for i in range(clips_per_class):
            images, quality = render_clip_frames(clip_class, i, seed, size)
            clip_dir = out_dir / class_dir / f"c{i + 1:04d}"
            clip_dir.mkdir()
            for k, image in enumerate(images):
                image.save(clip_dir / f"{k:03d}.jpg", quality=quality)
            done += 1
            if done % 20 == 0 or done == total:
                say(f"rendered {done}/{total} clips of {len(images)} frames")


def add_arguments(parser):
    parser.add_argument("out_dir", nargs="?", help="dataset folder to (re)write: punches/, kicks/, others/")
    parser.add_argument(
        "--per-class",
        type=int,
        default=config.DEFAULT_DATA_PER_CLASS,
        help="images per class (default: %(default)s)",
    )
    parser.add_argument(
        "--clips-per-class",
        type=int,
        default=config.DEFAULT_CLIPS_PER_CLASS,
        help=f"clips of {config.SEQUENCE_LENGTH} frames per clip class, also roundhouses/ and back_kicks/ "
        "(0: none; default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=config.SEED, help=f"random seed (default: {config.SEED})")
    parser.add_argument("--clip", help="write a fake-webcam clip (.y4m or .mp4) instead of a dataset")
    parser.add_argument("--still", action="store_true", help="with --clip: the person only stands still")
    parser.add_argument(
        "--script",
        help="with --clip: what the person does, as pose:seconds,... (poses: "
        f"{', '.join(CLIP_POSES)}), e.g. other:2,roundhouse:1.5,other:2",
    )


def run(args):
    if args.clip:
        if args.out_dir:
            raise UserError("give either OUT_DIR (a dataset) or --clip FILE, not both")
        if args.still and args.script:
            raise UserError("give either --still or --script, not both")
        script = STILL_SCRIPT if args.still else parse_script(args.script) if args.script else CLIP_SCRIPT
        for start, end, pose in render_clip(args.clip, seed=args.seed, script=script):
            say(f"  {start:5.1f}-{end:5.1f} s  {pose}")
        return
    if not args.out_dir:
        raise UserError("give OUT_DIR for a dataset, or --clip FILE for a clip")
    counts = render_dataset(
        args.out_dir, per_class=args.per_class, seed=args.seed, clips_per_class=args.clips_per_class
    )
    clips = len(config.CLIP_CLASS_DIRS) * args.clips_per_class
    also = f" and {clips} clips of {config.SEQUENCE_LENGTH} frames" if clips else ""
    say(f"wrote {sum(counts.values())} images{also} to {shown(args.out_dir)}: {counts}")
