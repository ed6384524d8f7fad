"""Dataset: class folders in, a checked, balanced, leak-free train/test split out.

The user's data is a folder with `punches/`, `kicks/` and `others/`. Every image is opened and
fully decoded once, so a broken file is reported here (and skipped) instead of crashing a later
stage. The article balanced the classes by deleting surplus "others" by hand; `balance` does it
with a seed. The split is made here, before augmentation, so no augmented copy of a test image is
ever trained on; files with identical bytes always land on the same side.

Clips (docs/design.md, "Moves over time"): in any of config.CLIP_CLASS_DIRS, a subfolder of frame images
(001.jpg, 002.jpg, ...) or a video file is one clip of that class. Images directly in punches/,
kicks/ and others/ stay the frame heads' images; roundhouses/ and back_kicks/ hold clips only.
Clips are checked (every frame decoded, a video decoded by ffmpeg at config.CLIP_FPS), balanced
by clips and split by clip, so no frame of a test clip is trained on; identical clips (the same
frames in the same order, or the same video bytes) land on the same side. They go to the
manifest's "clips" section, which exists only when the dataset holds clips.
"""

import random
from dataclasses import dataclass, field
from pathlib import Path

from tfjs_kombat import config, files
from tfjs_kombat.datafolder import (
    IMAGE_EXTENSIONS,
    VIDEO_EXTENSIONS,
    clip_digest,
    clip_folder_list,
    clip_frame_files,
    clip_only_folder_list,
    content_hash,
    folder_list,
    is_hidden,
    is_image,
    is_video,
    listing,
    print_table,
)
from tfjs_kombat.errors import UserError, say, shown, warn
from tfjs_kombat.frames import BadImage, BadVideo, load_image, video_frame_count

PROGRESS_EVERY = 500
CLIP_PROGRESS_EVERY = 50


@dataclass(frozen=True, order=True)
class Clip:
    path: Path  # a folder of frame images or a video file
    frames: int  # its frames (a video's as decoded at config.CLIP_FPS)
    digest: str  # its content: identical clips have the same digest


@dataclass
class Scan:
    root: Path
    images: dict[str, list[Path]]  # valid images per class folder, sorted
    skipped: list[tuple[Path, str]]  # unreadable files and why
    warnings: list[str]
    decoded: dict[Path, object] = field(default_factory=dict)  # what scan's `decode` returned
    clips: dict[str, list[Clip]] = field(default_factory=dict)  # valid clips per clip class folder
    clip_skipped: list[tuple[Path, str]] = field(default_factory=list)  # unusable clips and why


def clip_folder_contents(folder, relative, warnings_):
    """A clip folder's frame files, warning about what else it holds."""
    frames = clip_frame_files(folder)
    frame_names = {path.name for path in frames}
    others = sorted(
        entry.name + ("/" if entry.is_dir() else "")
        for entry in folder.iterdir()
        if not is_hidden(entry.name) and entry.name not in frame_names
    )
    if frames and others:
        warnings_.append(f"{relative}: ignoring what is not a frame image in a clip: {listing(others)}")
    return frames


def check_clip(path):
    """A clip path -> Clip, or raise BadImage / BadVideo with the reason it cannot be used."""
    if path.is_dir():
        frames = clip_frame_files(path)
        for frame in frames:
            try:
                load_image(frame)
            except BadImage as error:
                raise BadImage(f"frame {shown(frame.name)}: {error}") from None
        return Clip(path, len(frames), clip_digest(frames))
    return Clip(path, video_frame_count(path, config.CLIP_FPS), content_hash(path))


def scan(root, decode=None, training=True):
    """Find and verify every image and clip in root's class folders (see Scan); UserError if root
    is missing. With `training`, training's rules too: UserError unless two classes have usable
    images or two have usable clips, and a lone class of images (or clips) is left out.

    Each image is decoded once: by `decode` (path -> anything, or raise BadImage) when given,
    keeping what it returns in Scan.decoded; else by load_image, only to check it. Clips are only
    checked (every frame decoded, a video decoded by ffmpeg).
    """
    root = Path(root).expanduser()
    if not root.exists():
        raise UserError(f"no such folder: {shown(root)}")
    if not root.is_dir():
        raise UserError(f"{shown(root)} is not a folder; give the folder that holds {folder_list()}")
    root = root.resolve()

    warnings_ = []
    entries = sorted(entry for entry in root.iterdir() if not is_hidden(entry.name))
    extra_dirs = [
        entry.name for entry in entries if entry.is_dir() and entry.name not in config.CLIP_CLASS_DIRS
    ]
    for name in extra_dirs:
        warnings_.append(
            f"ignoring folder {shown(name + '/')} (class folders are {folder_list()}; "
            f"clips may also be in {clip_only_folder_list()})"
        )
    loose = [entry.name for entry in entries if entry.is_file()]
    if loose:
        warnings_.append(
            f"ignoring files directly in {shown(root)}: {listing(loose)} (put them in a class folder)"
        )

    candidates = {name: [] for name in config.CLASS_DIRS}
    clip_candidates = {name: [] for name in config.CLIP_CLASS_DIRS}
    for name in config.CLIP_CLASS_DIRS:
        folder = root / name
        frame_class = name in config.CLASS_DIRS
        if not folder.is_dir():
            if frame_class:
                warnings_.append(f"missing class folder {name}/ in {shown(root)}")
            continue
        others, images, empty = [], [], []
        for entry in sorted(folder.iterdir()):
            if is_hidden(entry.name):
                continue
            if entry.is_dir():
                if clip_folder_contents(entry, shown(f"{name}/{entry.name}/"), warnings_):
                    clip_candidates[name].append(entry)
                else:
                    empty.append(entry.name + "/")
            elif is_image(entry):
                (candidates[name] if frame_class else images).append(entry)
            elif is_video(entry):
                clip_candidates[name].append(entry)
            else:
                others.append(entry.name)
        if others:
            extensions = "/".join(IMAGE_EXTENSIONS + VIDEO_EXTENSIONS)
            warnings_.append(f"{name}/: ignoring files that are not {extensions}: {listing(others)}")
        if empty:
            warnings_.append(
                f"{name}/: ignoring subfolders with no frame images {listing(empty)} "
                f"(images sit directly in {name}/, a clip's frames in a subfolder)"
            )
        if images:
            warnings_.append(
                f"{name}/: ignoring images directly in it: {listing([p.name for p in images])} "
                f"({name}/ holds clips only: a folder of frames or a video per clip)"
            )

    total = sum(len(paths) for paths in candidates.values())
    images = {name: [] for name in config.CLASS_DIRS}
    skipped, decoded = [], {}
    checked = 0
    for name, paths in candidates.items():
        for path in paths:
            try:
                if decode:
                    decoded[path] = decode(path)
                else:
                    load_image(path)
                images[name].append(path)
            except BadImage as error:
                skipped.append((path, str(error)))
            checked += 1
            if checked % PROGRESS_EVERY == 0:
                say(f"checked {checked}/{total} images")

    clips = {name: [] for name in config.CLIP_CLASS_DIRS}
    clip_skipped = []
    total_clips, checked = sum(len(paths) for paths in clip_candidates.values()), 0
    for name, paths in clip_candidates.items():
        for path in paths:
            try:
                clips[name].append(check_clip(path))
            except (BadImage, BadVideo) as error:
                clip_skipped.append((path, str(error)))
            checked += 1
            if checked % CLIP_PROGRESS_EVERY == 0:
                say(f"checked {checked}/{total_clips} clips")

    for name in config.CLASS_DIRS:
        if (root / name).is_dir() and not images[name] and not clip_candidates[name]:
            if candidates[name]:
                warnings_.append(
                    f"class folder {name}/ has no readable images ({len(candidates[name])} skipped)"
                )
            else:
                warnings_.append(f"class folder {name}/ is empty")
    for name in config.CLIP_CLASS_DIRS:
        if clip_candidates[name] and not clips[name]:
            warnings_.append(
                f"class folder {name}/ has no usable clips ({len(clip_candidates[name])} skipped)"
            )

    result = Scan(root, images, skipped, warnings_, decoded, clips, clip_skipped)
    if not training:
        return result
    image_classes = [name for name in config.CLASS_DIRS if images[name]]
    clip_classes = [name for name in config.CLIP_CLASS_DIRS if clips[name]]
    if len(image_classes) < 2 and len(clip_classes) < 2:
        found = ", ".join(
            describe(root, name, len(images[name]), len(candidates[name])) for name in config.CLASS_DIRS
        )
        if total_clips:
            found += "; clips: " + ", ".join(
                f"{name}/ {len(clips[name])}" for name in config.CLIP_CLASS_DIRS if clip_candidates[name]
            )
        extra = f"; other folders there: {listing([d + '/' for d in extra_dirs])}" if extra_dirs else ""
        raise UserError(
            f"training needs usable images in at least two of {folder_list()} (or clips in at least "
            f"two of {clip_folder_list()}) in {shown(root)}; found {found}{extra}"
        )
    if len(image_classes) == 1:
        warnings_.append(
            f"only {image_classes[0]}/ has images, and the frame heads need two classes: "
            f"its {len(images[image_classes[0]])} images are left out"
        )
        result.images[image_classes[0]] = []
    if len(clip_classes) == 1:
        warnings_.append(
            f"only {clip_classes[0]}/ has clips, and the sequence head needs two classes: "
            f"its {len(clips[clip_classes[0]])} clips are left out"
        )
        result.clips[clip_classes[0]] = []
    return result


def describe(root, name, usable, found):
    """What a class folder held: "kicks/ 3 images", "kicks/ 2 usable of 3 images", "kicks/ missing"."""
    if not (root / name).is_dir():
        return f"{name}/ missing"
    if usable < found:
        return f"{name}/ {usable} usable of {found} images"
    return f"{name}/ {usable} images"


def balance(images, seed):
    """Cap every class at the size of the smallest non-empty class, keeping a seeded random pick."""
    smallest = min((len(paths) for paths in images.values() if paths), default=0)
    balanced = {}
    for name, paths in images.items():
        rng = random.Random(f"{seed}:{name}")  # per class, so one class's pick never shifts another's
        balanced[name] = sorted(rng.sample(sorted(paths), smallest)) if paths else []
    return balanced


balance_classes = balance  # make_split's `balance` flag shadows the function's name


def split(images, test_fraction, seed, key=content_hash):
    """Stratified train/test split -> (train, test), each {class: sorted paths}.

    Files with identical bytes form one group that goes to one side only, across classes too.
    Every class with at least two distinct images gets at least one test and one train image.
    `key` tells what is identical: a file's bytes by default; for clips, Clip.digest.
    """
    side_of = {}  # content hash -> "train" or "test", shared by all classes
    train, test = {}, {}
    for name, paths in images.items():
        groups = {}
        for path in sorted(paths):
            groups.setdefault(key(path), []).append(path)
        target = min(max(round(len(paths) * test_fraction), 1), len(paths) - 1)
        free = [digest for digest in groups if digest not in side_of]
        random.Random(f"{seed}:{name}").shuffle(free)
        test_count = sum(len(groups[d]) for d in groups if side_of.get(d) == "test")
        chosen = []
        for digest in free:  # fill the test side up to the target, never past it
            if test_count + len(groups[digest]) <= target:
                chosen.append(digest)
                test_count += len(groups[digest])
        if test_count == 0 and len(free) >= 2:  # only big duplicate groups: hold out the smallest
            chosen.append(min(free, key=lambda digest: len(groups[digest])))
        for digest in free:
            side_of[digest] = "test" if digest in chosen else "train"
        train[name] = sorted(p for d, group in groups.items() if side_of[d] == "train" for p in group)
        test[name] = sorted(p for d, group in groups.items() if side_of[d] == "test" for p in group)
    return train, test


# The tables' column titles that differ from the counts' keys (datafolder.print_table).
COLUMN_TITLES = {"clips": "used", "train_frames": "train_f", "test_frames": "test_f"}


def split_clips(result, test_fraction, seed, balance):
    """(used, train, test, counts, warnings) of the scan's clips: balanced by clips, split by clip."""
    used = balance_classes(result.clips, seed) if balance else result.clips
    train, test = split(used, test_fraction, seed, key=lambda clip: clip.digest)
    counts, warnings_ = {}, []
    for name in config.CLIP_CLASS_DIRS:
        skipped = sum(1 for path, _ in result.clip_skipped if path.relative_to(result.root).parts[0] == name)
        counts[name] = {
            "found": len(result.clips[name]) + skipped,
            "skipped": skipped,
            "clips": len(used[name]),  # used: balanced
            "train": len(train[name]),
            "test": len(test[name]),
            "frames": sum(clip.frames for clip in used[name]),
            "train_frames": sum(clip.frames for clip in train[name]),
            "test_frames": sum(clip.frames for clip in test[name]),
        }
        if used[name] and not (train[name] and test[name]):
            side = "test" if train[name] else "train"
            warnings_.append(
                f"{name}/ has no {side} clips ({len(used[name])} usable; a split needs 2 different clips)"
            )
    return used, train, test, counts, warnings_


def make_split(root, out_path, test_fraction=config.TEST_FRACTION, seed=config.SEED, balance=True):
    """Scan, (balance), split; print a per-class table; write the manifest atomically and return it.

    With clips, the manifest also has a "clips" section (docs/pipeline.md, "The dataset folder"):
    {"classes": CLIP_CLASS_DIRS, "fps": CLIP_FPS, "train"/"test": {class: [clip paths]},
    "frames": {clip path: frames}, "counts": {class: {"found", "skipped", "clips" (used), "train",
    "test", "frames", "train_frames", "test_frames"}}, "skipped": [{"path", "reason"}]}; a clip
    path is a folder of frames or a video file, relative to "root".
    """
    result = scan(root)
    used = balance_classes(result.images, seed) if balance else result.images
    train, test = split(used, test_fraction, seed)

    def relative(path):
        return path.relative_to(result.root).as_posix()

    found_warnings = list(result.warnings)
    counts = {}
    for name in config.CLASS_DIRS:
        skipped = sum(1 for path, _ in result.skipped if path.relative_to(result.root).parts[0] == name)
        counts[name] = {
            "found": len(result.images[name]) + skipped,
            "skipped": skipped,
            "used": len(used[name]),
            "train": len(train[name]),
            "test": len(test[name]),
        }
        if used[name] and not (train[name] and test[name]):
            side = "test" if train[name] else "train"
            found_warnings.append(
                f"{name}/ has no {side} images ({len(used[name])} usable; a split needs 2 different images)"
            )
    has_clips = any(result.clips.values())
    if has_clips:
        clips_used, clips_train, clips_test, clip_counts, clip_warnings = split_clips(
            result, test_fraction, seed, balance
        )
        found_warnings += clip_warnings

    if any(row["found"] for row in counts.values()) or not has_clips:
        print_table("class", counts, COLUMN_TITLES)
    dropped = sum(len(paths) for paths in result.images.values()) - sum(len(paths) for paths in used.values())
    if dropped:
        say(f"balanced the classes: left out {dropped} images at random (seed {seed})")
    if has_clips:
        print_table("clips", clip_counts, COLUMN_TITLES)
        dropped = sum(map(len, result.clips.values())) - sum(map(len, clips_used.values()))
        if dropped:
            say(f"balanced the clip classes: left out {dropped} clips at random (seed {seed})")
    for path, reason in result.skipped:
        warn(f"skipped {shown(relative(path))}: {reason}")
    for path, reason in result.clip_skipped:
        warn(f"skipped clip {shown(relative(path))}: {reason}")
    for message in found_warnings:
        warn(message)

    manifest = {
        "root": str(result.root),
        "classes": list(config.CLASS_DIRS),
        "seed": seed,
        "test_fraction": test_fraction,
        "balanced": balance,
        "train": {name: [relative(path) for path in train[name]] for name in config.CLASS_DIRS},
        "test": {name: [relative(path) for path in test[name]] for name in config.CLASS_DIRS},
        "counts": counts,
        "skipped": [{"path": relative(path), "reason": reason} for path, reason in result.skipped],
        "warnings": found_warnings,
    }
    if has_clips:
        manifest["clips"] = {
            "classes": list(config.CLIP_CLASS_DIRS),
            "fps": config.CLIP_FPS,
            "train": {name: [relative(c.path) for c in clips_train[name]] for name in config.CLIP_CLASS_DIRS},
            "test": {name: [relative(c.path) for c in clips_test[name]] for name in config.CLIP_CLASS_DIRS},
            "frames": {
                relative(c.path): c.frames for name in config.CLIP_CLASS_DIRS for c in clips_used[name]
            },
            "counts": clip_counts,
            "skipped": [{"path": relative(path), "reason": reason} for path, reason in result.clip_skipped],
        }
    files.write_json(out_path, manifest)
    return manifest


def add_arguments(parser):
    parser.add_argument(
        "data", help="folder with punches/, kicks/ and others/ (and clips: roundhouses/, back_kicks/)"
    )
    parser.add_argument("--out", default="build/split.json", help="manifest to write (default: %(default)s)")
    parser.add_argument(
        "--test-fraction",
        type=float,
        default=config.TEST_FRACTION,
        help="share of each class (of images; of clips) held out for testing (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=config.SEED, help="seed (default: %(default)s)")
    parser.add_argument("--no-balance", action="store_true", help="keep every image and clip of every class")


def run(args):
    if not 0 < args.test_fraction < 1:
        raise UserError(f"--test-fraction must be between 0 and 1 (exclusive), got {args.test_fraction}")
    make_split(args.data, args.out, args.test_fraction, args.seed, balance=not args.no_balance)
    say(f"wrote {shown(args.out)}")
