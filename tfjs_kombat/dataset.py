"""Dataset: class folders in, a checked, balanced, leak-free train/test split out.

The user's data is a folder with `punches/`, `kicks/` and `others/`. Every image is opened and
fully decoded once, so a broken file is reported here (and skipped) instead of crashing a later
stage. The article balanced the classes by deleting surplus "others" by hand; `balance` does it
with a seed. The split is made here, before augmentation, so no augmented copy of a test image is
ever trained on; files with identical bytes always land on the same side.
"""

import hashlib
import random
from dataclasses import dataclass, field
from pathlib import Path

from tfjs_kombat import config, files
from tfjs_kombat.errors import UserError, say, shown, warn
from tfjs_kombat.frames import BadImage, load_image

PROGRESS_EVERY = 500


@dataclass
class Scan:
    root: Path
    images: dict[str, list[Path]]  # valid images per class folder, sorted
    skipped: list[tuple[Path, str]]  # unreadable files and why
    warnings: list[str]
    decoded: dict[Path, object] = field(default_factory=dict)  # what scan's `decode` returned


def is_hidden(path):
    return path.name.startswith(".")  # .DS_Store, ._AppleDouble files, editor swap files


def listing(names, limit=5):
    """The first few names, each shown() escaped, and how many there are in all."""
    listed = ", ".join(map(shown, names[:limit]))
    return listed + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def scan(root, decode=None):
    """Find and verify every image in root's class folders (see Scan); UserError if training is
    impossible (root missing, or fewer than two classes with usable images).

    Each image is decoded once: by `decode` (path -> anything, or raise BadImage) when given,
    keeping what it returns in Scan.decoded; else by load_image, only to check it.
    """
    root = Path(root).expanduser()
    if not root.exists():
        raise UserError(f"no such folder: {shown(root)}")
    if not root.is_dir():
        raise UserError(f"{shown(root)} is not a folder; give the folder that holds {folder_list()}")
    root = root.resolve()

    warnings_ = []
    entries = sorted(entry for entry in root.iterdir() if not is_hidden(entry))
    extra_dirs = [entry.name for entry in entries if entry.is_dir() and entry.name not in config.CLASS_DIRS]
    for name in extra_dirs:
        warnings_.append(f"ignoring folder {shown(name + '/')} (class folders are {folder_list()})")
    loose = [entry.name for entry in entries if entry.is_file()]
    if loose:
        warnings_.append(
            f"ignoring files directly in {shown(root)}: {listing(loose)} (put them in a class folder)"
        )

    candidates = {name: [] for name in config.CLASS_DIRS}
    for name in config.CLASS_DIRS:
        folder = root / name
        if not folder.is_dir():
            warnings_.append(f"missing class folder {name}/ in {shown(root)}")
            continue
        others, subfolders = [], []
        for entry in sorted(folder.iterdir()):
            if is_hidden(entry):
                continue
            if entry.is_dir():
                subfolders.append(entry.name + "/")
            elif entry.suffix.lower() in config.IMAGE_EXTENSIONS:
                candidates[name].append(entry)
            else:
                others.append(entry.name)
        if others:
            extensions = "/".join(config.IMAGE_EXTENSIONS)
            warnings_.append(f"{name}/: ignoring files that are not {extensions}: {listing(others)}")
        if subfolders:
            warnings_.append(
                f"{name}/: ignoring subfolders {listing(subfolders)} (images must sit directly in {name}/)"
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

    for name in config.CLASS_DIRS:
        if (root / name).is_dir() and not images[name]:
            if candidates[name]:
                warnings_.append(
                    f"class folder {name}/ has no readable images ({len(candidates[name])} skipped)"
                )
            else:
                warnings_.append(f"class folder {name}/ is empty")

    if sum(1 for paths in images.values() if paths) < 2:
        found = ", ".join(describe(root, name, images[name], candidates[name]) for name in config.CLASS_DIRS)
        extra = f"; other folders there: {listing([d + '/' for d in extra_dirs])}" if extra_dirs else ""
        raise UserError(
            f"training needs usable images in at least two of {folder_list()} in {shown(root)}; "
            f"found {found}{extra}"
        )
    return Scan(root, images, skipped, warnings_, decoded)


def folder_list():
    return ", ".join(name + "/" for name in config.CLASS_DIRS)


def describe(root, name, valid, candidates):
    if not (root / name).is_dir():
        return f"{name}/ missing"
    if len(valid) < len(candidates):
        return f"{name}/ {len(valid)} usable of {len(candidates)} images"
    return f"{name}/ {len(valid)} images"


def balance(images, seed):
    """Cap every class at the size of the smallest non-empty class, keeping a seeded random pick."""
    smallest = min((len(paths) for paths in images.values() if paths), default=0)
    balanced = {}
    for name, paths in images.items():
        rng = random.Random(f"{seed}:{name}")  # per class, so one class's pick never shifts another's
        balanced[name] = sorted(rng.sample(sorted(paths), smallest)) if paths else []
    return balanced


balance_classes = balance  # make_split's `balance` flag shadows the function's name


def content_hash(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def split(images, test_fraction, seed):
    """Stratified train/test split -> (train, test), each {class: sorted paths}.

    Files with identical bytes form one group that goes to one side only, across classes too.
    Every class with at least two distinct images gets at least one test and one train image.
    """
    side_of = {}  # content hash -> "train" or "test", shared by all classes
    train, test = {}, {}
    for name, paths in images.items():
        groups = {}
        for path in sorted(paths):
            groups.setdefault(content_hash(path), []).append(path)
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


def make_split(root, out_path, test_fraction=config.TEST_FRACTION, seed=config.SEED, balance=True):
    """Scan, (balance), split; print a per-class table; write the manifest atomically and return it."""
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

    say(f"{'class':<10}" + "".join(f"{column:>8}" for column in counts[config.CLASS_DIRS[0]]))
    for name, row in counts.items():
        say(f"{name:<10}" + "".join(f"{value:>8}" for value in row.values()))
    dropped = sum(len(paths) for paths in result.images.values()) - sum(len(paths) for paths in used.values())
    if dropped:
        say(f"balanced the classes: left out {dropped} images at random (seed {seed})")
    for path, reason in result.skipped:
        warn(f"skipped {shown(relative(path))}: {reason}")
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
    files.write_json(out_path, manifest)
    return manifest


def add_arguments(parser):
    parser.add_argument("data", help="folder with punches/, kicks/ and others/")
    parser.add_argument("--out", default="build/split.json", help="manifest to write (default: %(default)s)")
    parser.add_argument(
        "--test-fraction",
        type=float,
        default=config.TEST_FRACTION,
        help="share of each class held out for testing (default: %(default)s)",
    )
    parser.add_argument("--seed", type=int, default=config.SEED, help="seed (default: %(default)s)")
    parser.add_argument("--no-balance", action="store_true", help="keep every image of every class")


def run(args):
    if not 0 < args.test_fraction < 1:
        raise UserError(f"--test-fraction must be between 0 and 1 (exclusive), got {args.test_fraction}")
    make_split(args.data, args.out, args.test_fraction, args.seed, balance=not args.no_balance)
    say(f"wrote {shown(args.out)}")
