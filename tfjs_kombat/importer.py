"""Import: a recorded zip, a folder of class folders, or class-named videos -> a dataset folder.

The record page exports one zip laid out like a dataset (`punches/…png`, `kicks/…`, `others/…`).
A zip is untrusted input, so it is refused whole, before anything is written, if any entry could
land outside the target (absolute path, `..`, symlink, NUL) or unpacks too big (a zip bomb); each
entry is then streamed with a running byte count, because its header sizes may lie. Nothing is
ever extracted under the name the zip gives: files are written as `<class>/<sha256 prefix>.<ext>`,
which also makes merging into an existing dataset free of overwrites and re-imports no-ops.
Everything is staged beside the target and moved in only when the whole import succeeded.
"""

import re
import shlex
import shutil
import stat
import tempfile
import zipfile
import zlib
from contextlib import contextmanager, nullcontext
from pathlib import Path

from tfjs_kombat import config
from tfjs_kombat.dataset import content_hash, folder_list, listing
from tfjs_kombat.errors import UserError, say, shown, warn
from tfjs_kombat.frames import BadImage, check_fps, extract_frames, load_image

DEFAULT_INTO = "data/mine"
DEFAULT_FPS = 10
VIDEO_EXTENSIONS = (".mp4", ".mov", ".webm", ".mkv", ".avi", ".m4v", ".y4m")
CLASS_NAME = re.compile(r"[a-z0-9_-]{1,40}")  # extra classes: a plain folder name on every system

# Zip limits. A recorded export is a few thousand small frames; these leave room for long sessions.
MAX_TOTAL_BYTES = 2 * 1024**3
MAX_ENTRY_BYTES = 50 * 1024**2
MAX_ENTRIES = 100_000
BOMB_RATIO = 200  # images barely compress; zeros deflate ~1000:1
BOMB_MIN_BYTES = 10 * 1024**2  # small entries may compress well (a blank frame) and do no harm
CHUNK = 1024**2

NAME_LENGTH = 16  # hex digits of the sha256 in a new file's name: 64 bits, no collision in practice
UNBALANCED = 1.25  # largest/smallest class ratio worth a hint
PROGRESS_EVERY = 500
SHOW_SKIPPED = 20


class Skip(Exception):
    """A file that is not imported; the message is the reason shown to the user."""


def is_hidden(name):
    return name.startswith(".") or name == "__MACOSX"  # .DS_Store, ._files, macOS zip metadata


# --- where a file belongs ----------------------------------------------------------------------


def place(parts):
    """Path components below the source -> (class, "image" or "video"), or raise Skip."""
    suffix = Path(parts[-1]).suffix.lower()
    kind = "image" if suffix in config.IMAGE_EXTENSIONS else "video" if suffix in VIDEO_EXTENSIONS else None
    if kind is None:
        raise Skip(f"not an image ({'/'.join(config.IMAGE_EXTENSIONS)}) or a video")
    if len(parts) > 2:
        raise Skip("nested deeper than class/file")
    if len(parts) == 1 and kind == "image":
        raise Skip(f"not in a class folder ({folder_list()})")
    class_name = parts[0] if len(parts) == 2 else Path(parts[0]).stem  # punches/x.png or punches.mp4
    if class_name not in config.CLASS_DIRS and not CLASS_NAME.fullmatch(class_name):
        raise Skip(f"{class_name!r} is not a class name (lower-case letters, digits, _ and - only)")
    return class_name, kind


# --- zip sources --------------------------------------------------------------------------------


def zip_parts(name):
    """An entry name's path components; Windows tools write backslashes, so both separate."""
    return [part for part in re.split(r"[/\\]", name) if part not in ("", ".")]


def unsafe_name(name):
    """Why writing an entry under its own name could escape the target folder, or None."""
    if "\0" in name:
        return "a name with a NUL byte"
    if name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name):
        return "an absolute path"
    if ".." in re.split(r"[/\\]", name):
        return "a path with '..'"
    return None


def open_zip(path, max_total_bytes):
    """Open a zip and refuse it whole, judging by its headers, if any entry is unsafe or too big."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, EOFError, ValueError, OSError) as error:
        raise UserError(f"{shown(path)} is not a readable zip file ({error})") from None
    refusing = f"refusing {shown(path)}"
    try:
        entries = archive.infolist()
        if len(entries) > MAX_ENTRIES:
            raise UserError(f"{refusing}: {len(entries):,} entries, over the limit of {MAX_ENTRIES:,}")
        for info in entries:
            name = info.orig_filename  # `filename` is cut at a NUL byte; check what the zip holds
            problem = unsafe_name(name)
            if stat.S_ISLNK(info.external_attr >> 16):
                problem = "a symbolic link"
            if problem:
                raise UserError(f"{refusing}: entry {name!r} is {problem}; nothing was imported")
            if info.file_size > MAX_ENTRY_BYTES:
                raise UserError(
                    f"{refusing}: {name!r} unpacks to {mib(info.file_size)}, over {mib(MAX_ENTRY_BYTES)}"
                )
            if info.file_size > BOMB_MIN_BYTES and info.file_size > BOMB_RATIO * max(info.compress_size, 1):
                raise UserError(
                    f"{refusing}: {name!r} expands {mib(info.compress_size)} to {mib(info.file_size)}, "
                    "like a zip bomb"
                )
        total = sum(info.file_size for info in entries)
        if total > max_total_bytes:
            raise UserError(
                f"{refusing}: it unpacks to {mib(total)}, over the limit of {mib(max_total_bytes)}"
            )
    except BaseException:
        archive.close()
        raise
    return archive


def mib(size):
    return f"{size / 1024**2:.1f} MiB"


def unzip_images(archive, path, out_dir, skipped):
    """Stream every image in a class folder to out_dir/<n><ext> -> [(class, entry name, file)]."""
    say(f"unpacking {shown(path)}")
    out_dir.mkdir()
    candidates = []
    for index, info in enumerate(archive.infolist()):
        parts = zip_parts(info.orig_filename)
        if info.is_dir() or not parts or any(is_hidden(part) for part in parts):
            continue
        try:
            class_name, kind = place(parts)
            if kind == "video":
                raise Skip("a video: zips are read for images; import videos from a folder")
            if info.flag_bits & 0x1:
                raise Skip("encrypted")
            # zipfile inflates bzip2/lzma data in unbounded steps; deflate it bounds per read.
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise Skip(f"compressed with method {info.compress_type} (only stored and deflate are read)")
        except Skip as reason:
            skipped.append((info.orig_filename, str(reason)))
            continue
        target = out_dir / f"{index}{Path(parts[-1]).suffix.lower()}"
        try:
            stream_entry(archive, info, target, path)
        except (zipfile.BadZipFile, zlib.error, EOFError) as error:
            raise UserError(
                f"{shown(path)} is corrupt at {info.orig_filename!r} ({error}); nothing was imported"
            ) from None
        candidates.append((class_name, info.orig_filename, target))
    return candidates


def stream_entry(archive, info, target, path):
    """Copy one entry to target chunk by chunk; refuse it once it outgrows its header. Entries held
    to their declared sizes also hold the whole zip to the total that open_zip checked."""
    limit = min(info.file_size, MAX_ENTRY_BYTES)
    written = 0
    with archive.open(info) as entry, open(target, "xb") as out:
        while chunk := entry.read(CHUNK):
            written += len(chunk)
            if written > limit:
                raise UserError(
                    f"refusing {shown(path)}: {info.orig_filename!r} holds more than its header declares"
                )
            out.write(chunk)


# --- folder and video sources ------------------------------------------------------------------


def folder_entries(root):
    """Everything down to class/file depth; deeper folders come back as themselves."""
    for entry in sorted(root.iterdir()):
        if is_hidden(entry.name):
            continue
        if entry.is_dir():
            yield from sorted(child for child in entry.iterdir() if not is_hidden(child.name))
        else:
            yield entry


def gather_files(source, root, frames_dir, fps, skipped):
    """Images and videos of a folder (or one video file) -> [(class, label, file)]; video frames
    are extracted to frames_dir."""
    entries = [source] if source.is_file() else folder_entries(source)
    candidates = []
    for index, path in enumerate(entries):
        label = path.relative_to(root).as_posix()
        try:
            if path.is_dir():
                raise Skip("a folder nested deeper than class/file")
            if not path.is_file():  # a FIFO or a device: hashing it would block or never end
                raise Skip("not a regular file")
            class_name, kind = place(path.relative_to(root).parts)
        except Skip as reason:
            skipped.append((label, str(reason)))
            continue
        if kind == "image":
            candidates.append((class_name, label, path))
            continue
        try:
            frames = extract_frames(path, frames_dir / str(index), fps=fps)
        except UserError as error:
            skipped.append((label, str(error)))
            continue
        say(f"{shown(label)}: {len(frames)} frames at {fps:g} fps for {class_name}/")
        candidates += [(class_name, f"{label} frame {frame.stem}", frame) for frame in frames]
    return candidates


# --- verify, de-duplicate, move in -------------------------------------------------------------


def image_files(folder):
    if not folder.is_dir():
        return []
    return sorted(
        path
        for path in folder.iterdir()
        if path.is_file() and not is_hidden(path.name) and path.suffix.lower() in config.IMAGE_EXTENSIONS
    )


def existing_images(data):
    """sha256 -> (class, relative path) of every image already in data's class folders."""
    found = {}
    if data.is_dir():
        for folder in sorted(path for path in data.iterdir() if path.is_dir() and not is_hidden(path.name)):
            for path in image_files(folder):
                found.setdefault(content_hash(path), (folder.name, path.relative_to(data).as_posix()))
    return found


def stage_images(candidates, data, accepted_dir, skipped):
    """Verify and de-duplicate candidates into accepted_dir/<class>/<sha256 prefix><ext>.

    Returns per-class counts and the cross-class conflicts (same bytes filed under two classes).
    """
    seen = existing_images(data)  # and, as we go, every image staged by this import
    counts, conflicts = {}, []
    say(f"checking {len(candidates)} images")
    for done, (class_name, label, path) in enumerate(candidates, 1):
        if done % PROGRESS_EVERY == 0:
            say(f"checked {done}/{len(candidates)} images")
        row = counts.setdefault(class_name, {"added": 0, "duplicates": 0, "unreadable": 0})
        digest = content_hash(path)
        name = f"{digest[:NAME_LENGTH]}{path.suffix.lower()}"
        if digest in seen:
            row["duplicates"] += 1
            other_class, where = seen[digest]
            if other_class != class_name:
                conflicts.append(
                    f"{shown(label)} ({class_name}) is the same image as {shown(where)} ({other_class})"
                )
            continue
        if (data / class_name / name).exists():  # same name, other bytes: edited in place; keep it
            row["duplicates"] += 1
            skipped.append((label, f"{class_name}/{name} already exists with different content"))
            continue
        try:
            load_image(path)
        except BadImage as error:
            row["unreadable"] += 1
            skipped.append((label, str(error)))
            continue
        seen[digest] = (class_name, label)
        target = accepted_dir / class_name / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        row["added"] += 1
    return counts, conflicts


def make_dirs(folder):
    """mkdir -p -> the folders it created, outermost first, so a failed import can remove them."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
    return missing[::-1]


@contextmanager
def staging_folder(data):
    """Yield (a temporary folder beside data, a list of created folders). The temporary folder is
    always removed; if the block fails, so is every folder in the list (when empty)."""
    created = make_dirs(data.parent)
    staging = None
    try:
        staging = Path(tempfile.mkdtemp(dir=data.parent, prefix=f".{data.name}.import-"))
        yield staging, created
    except BaseException:
        if staging:
            shutil.rmtree(staging, ignore_errors=True)
        for folder in reversed(created):
            try:
                folder.rmdir()
            except OSError:
                pass  # not empty: it held something before, or another program wrote into it
        raise
    shutil.rmtree(staging, ignore_errors=True)


def move_in(accepted_dir, data, created):
    """Move the staged images into data's class folders; if one move fails, take back the others."""
    moved = []
    try:
        for path in sorted(accepted_dir.glob("*/*")):
            created += make_dirs(data / path.parent.name)
            target = data / path.parent.name / path.name
            shutil.move(path, target)
            moved.append(target)
    except BaseException:
        for target in moved:
            target.unlink(missing_ok=True)
        raise


# --- the command -------------------------------------------------------------------------------


def import_source(source, into=DEFAULT_INTO, fps=DEFAULT_FPS, max_total_bytes=MAX_TOTAL_BYTES):
    """Import a recorded zip, a folder of class folders / class-named videos, or one class-named
    video into the dataset folder `into`, never overwriting; print and return the report."""
    source, into = Path(source).expanduser(), Path(into).expanduser()
    if not source.exists():
        raise UserError(f"no such file or folder: {shown(source)}")
    if not (source.is_file() or source.is_dir()):  # /dev/null, a FIFO: nothing to read
        raise UserError(f"{shown(source)} is not a file or a folder")
    if into.exists() and not into.is_dir():
        raise UserError(f"{shown(into)} is not a folder")
    data = into.resolve()  # stage beside the real folder, so moving in is a rename on one disk
    is_zip = source.is_file() and source.suffix.lower() not in VIDEO_EXTENSIONS
    archive = open_zip(source, max_total_bytes) if is_zip else None  # before anything is written

    skipped = []
    with archive or nullcontext(), staging_folder(data) as (staging, created):
        if archive:
            candidates = unzip_images(archive, source, staging / "unzipped", skipped)
        else:
            root = source.parent if source.is_file() else source
            candidates = gather_files(source, root, staging / "frames", fps, skipped)
        if not candidates:
            reasons = [f"{label} ({reason})" for label, reason in skipped]
            detail = f"; skipped {listing(reasons)}" if reasons else ""
            raise UserError(f"nothing to import from {shown(source)}: no images in class folders{detail}")
        counts, conflicts = stage_images(candidates, data, staging / "accepted", skipped)
        move_in(staging / "accepted", data, created)
    return report(into, counts, skipped, conflicts)


def report(into, counts, skipped, conflicts):
    """Print the per-class table, balance, problems and next step -> the same as a dict."""
    classes = list(config.CLASS_DIRS) + sorted(set(counts) - set(config.CLASS_DIRS))
    empty = {"added": 0, "duplicates": 0, "unreadable": 0}
    rows = {name: {**counts.get(name, empty), "total": len(image_files(into / name))} for name in classes}

    width = max(len(name) for name in classes) + 2
    columns = {"added": 8, "duplicates": 12, "unreadable": 12, "total": 8}
    say(f"{'class':<{width}}" + "".join(f"{column:>{w}}" for column, w in columns.items()))
    for name, row in rows.items():
        say(f"{name:<{width}}" + "".join(f"{row[column]:>{w}}" for column, w in columns.items()))

    totals = {name: rows[name]["total"] for name in config.CLASS_DIRS}
    smallest, largest = min(totals, key=totals.get), max(totals, key=totals.get)
    say(f"balance: smallest {smallest}/ {totals[smallest]}, largest {largest}/ {totals[largest]}")
    if totals[smallest] == 0:
        say(f"hint: {smallest}/ has no images yet; record some before training")
    elif totals[largest] > UNBALANCED * totals[smallest]:
        say(
            f"hint: unbalanced; the dataset stage keeps {totals[smallest]} random images per class at "
            f"training time, so record more {smallest} to use them all"
        )
    extra = [name + "/" for name in counts if name not in config.CLASS_DIRS]
    if extra:
        say(f"note: extra class folders {listing(extra)}; training uses {folder_list()} only")
    for conflict in conflicts:
        warn(f"conflict: {conflict}; check which class it belongs to")
    for label, reason in skipped[:SHOW_SKIPPED]:
        warn(f"skipped {shown(label)}: {reason}")
    if len(skipped) > SHOW_SKIPPED:
        warn(f"... and {len(skipped) - SHOW_SKIPPED} more skipped")
    say(f"next: make train DATA={shown(shlex.quote(str(into)))}")
    return {
        "into": str(into),
        "classes": rows,
        "balance": {"smallest": totals[smallest], "largest": totals[largest]},
        "conflicts": conflicts,
        "skipped": [{"path": label, "reason": reason} for label, reason in skipped],
    }


def add_arguments(parser):
    parser.add_argument(
        "source", help="a recorded .zip, a folder of class folders, or class-named videos (punches.mp4, ...)"
    )
    parser.add_argument(
        "--into", default=DEFAULT_INTO, help="dataset folder to add to (default: %(default)s)"
    )
    parser.add_argument(
        "--fps",
        type=float,
        default=DEFAULT_FPS,
        help="frames per second kept from videos (default: %(default)s)",
    )


def run(args):
    check_fps(args.fps)
    if not args.into:  # Path("") is the current folder
        raise UserError("--into needs a folder name")
    import_source(args.source, args.into, args.fps)
