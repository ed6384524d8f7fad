"""Import: a recorded zip, a folder of class folders, or class-named videos -> a dataset folder.

The record page exports one zip laid out like a dataset (`punches/…png`, `kicks/…`, `others/…`).
Clips come back as clips: `<class>/<clip>/001.jpg, 002.jpg, …` folders (from a zip or a folder)
and `<class>/<clip>.mp4` videos (with --clips, and always in the classes that are only clips,
roundhouses/ and back_kicks/) land in `<class>/<clip>/` with their frames renumbered in order, a
video's decoded at config.CLIP_FPS. A clip is never merged into another or overwritten: a name
already taken is renamed (`take-2`), and a clip whose frames are all already there is a duplicate.
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
from dataclasses import dataclass, field
from pathlib import Path

from tfjs_kombat import config
from tfjs_kombat.datafolder import (
    CLASS_NAME,
    CLIP_LAYOUT,
    CLIP_NAME,
    CLIP_ONLY_CLASSES,
    FRAME_NUMBER,
    IMAGE_EXTENSIONS,
    clip_digest,
    clip_frame_files,
    clip_only_folder_list,
    content_hash,
    folder_list,
    image_files,
    is_hidden,
    is_image,
    is_video,
    listing,
    print_table,
)
from tfjs_kombat.errors import UserError, say, shown, warn
from tfjs_kombat.frames import BadImage, check_fps, extract_frames, load_image

DEFAULT_INTO = "data/mine"
DEFAULT_FPS = 10
MAX_CLIP_FRAMES = 60 * config.CLIP_FPS  # a minute: a clip is one move; a longer video is refused

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


@dataclass
class ClipSource:
    """One clip as the source holds it: numbered frames, or a video decoded into them."""

    class_name: str
    name: str
    label: str  # where it comes from, for messages: "kicks/take1/" or "kicks/take1.mp4"
    frames: list = field(default_factory=list)  # [(number, label, file)]
    video: Path | None = None


# --- where a file belongs ----------------------------------------------------------------------


def media_kind(name):
    """A file name -> "image" or "video", or raise Skip."""
    kind = "image" if is_image(name) else "video" if is_video(name) else None
    if kind is None:
        raise Skip(f"not an image ({'/'.join(IMAGE_EXTENSIONS)}) or a video")
    return kind


def check_class_name(class_name):
    known = (*config.CLASS_DIRS, *config.CLIP_CLASS_DIRS)
    if class_name not in known and not CLASS_NAME.fullmatch(class_name):
        raise Skip(f"{class_name!r} is not a class name (lower-case letters, digits, _ and - only)")


def check_clip_name(clip):
    if not CLIP_NAME.fullmatch(clip):
        raise Skip(f"{clip!r} is not a clip name (letters, digits, ., _ and - only)")


def place(parts):
    """Path components below the source -> (class, "image" or "video"), or raise Skip."""
    kind = media_kind(parts[-1])
    if len(parts) > 2:
        raise Skip("nested deeper than class/file")
    if len(parts) == 1 and kind == "image":
        raise Skip(f"not in a class folder ({folder_list()})")
    class_name = parts[0] if len(parts) == 2 else Path(parts[0]).stem  # punches/x.png or punches.mp4
    check_class_name(class_name)
    return class_name, kind


def is_clip_video(class_name, video_clips):
    return video_clips or class_name in CLIP_ONLY_CLASSES


def locate(parts, video_clips=False):
    """Path components below the source -> (class, kind, clip name or None), or raise Skip.

    kind: "image" or "video" as place() says (a video whose frames join the class as images),
    "clip video" (<class>/<clip>.mp4 that is one clip) or "clip frame" (<class>/<clip>/NNN.jpg).
    """
    if len(parts) == 3:
        class_name, clip, frame = parts
        if media_kind(frame) == "video" or not FRAME_NUMBER.fullmatch(Path(frame).stem):
            raise Skip(f"nested deeper than class/file, and not a clip frame ({CLIP_LAYOUT})")
        check_clip_folder(class_name, clip)
        return class_name, "clip frame", clip
    class_name, kind = place(parts)
    if kind == "video" and len(parts) == 2 and is_clip_video(class_name, video_clips):
        clip = Path(parts[1]).stem
        check_clip_name(clip)
        return class_name, "clip video", clip
    if kind == "video" and len(parts) == 1 and class_name in CLIP_ONLY_CLASSES:
        raise Skip(
            f"{class_name}/ holds clips, one move each: put each clip's video in {class_name}/ "
            f"({class_name}/<clip>{Path(parts[0]).suffix.lower()})"
        )
    return class_name, kind, None


def check_clip_folder(class_name, clip):
    check_class_name(class_name)
    if clip in config.CLIP_CLASS_DIRS:
        raise Skip(f"{clip}/ is a class folder inside {class_name}/; class folders go at the top")
    check_clip_name(clip)


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


def unzip(archive, path, out_dir, skipped, video_clips=False):
    """Stream every image in a class folder, clip frame and clip video to out_dir/<n><ext>
    -> ([(class, entry name, file)], [ClipSource])."""
    say(f"unpacking {shown(path)}")
    out_dir.mkdir()
    candidates, clips = [], {}
    for index, info in enumerate(archive.infolist()):
        parts = zip_parts(info.orig_filename)
        if info.is_dir() or not parts or any(is_hidden(part) for part in parts):
            continue
        try:
            class_name, kind, clip = locate(parts, video_clips)
            if kind == "video":
                raise Skip("a video: zips are read for images and clips; import videos from a folder")
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
        if kind == "clip frame":
            source = clips.setdefault(
                (class_name, clip), ClipSource(class_name, clip, f"{class_name}/{clip}/")
            )
            source.frames.append((int(Path(parts[-1]).stem), info.orig_filename, target))
        elif kind == "clip video":
            clips[(class_name, info.orig_filename)] = ClipSource(
                class_name, clip, info.orig_filename, video=target
            )
        else:
            candidates.append((class_name, info.orig_filename, target))
    return candidates, list(clips.values())


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


def gather_files(source, root, frames_dir, fps, skipped, video_clips=False):
    """Images, videos and clip folders of a folder (or one video file) -> ([(class, label, file)],
    [ClipSource]); the frames of videos that are not clips are extracted to frames_dir."""
    entries = [source] if source.is_file() else folder_entries(source)
    candidates, clips = [], []
    for index, path in enumerate(entries):
        label = path.relative_to(root).as_posix()
        try:
            if path.is_dir():
                clips.append(clip_folder(path, root, skipped))
                continue
            if not path.is_file():  # a FIFO or a device: hashing it would block or never end
                raise Skip("not a regular file")
            class_name, kind, clip = locate(path.relative_to(root).parts, video_clips)
        except Skip as reason:
            skipped.append((label, str(reason)))
            continue
        if kind == "image":
            candidates.append((class_name, label, path))
            continue
        if kind == "clip video":
            clips.append(ClipSource(class_name, clip, label, video=path))
            continue
        try:
            frames = extract_frames(path, frames_dir / str(index), fps=fps)
        except UserError as error:
            skipped.append((label, str(error)))
            continue
        say(f"{shown(label)}: {len(frames)} frames at {fps:g} fps for {class_name}/")
        candidates += [(class_name, f"{label} frame {frame.stem}", frame) for frame in frames]
    return candidates, clips


def clip_folder(folder, root, skipped):
    """A folder inside a class folder -> the ClipSource of its numbered frames, or raise Skip; a
    folder without numbered frames is no clip, just a folder nested too deep (as before clips)."""
    class_name, clip = folder.relative_to(root).parts
    frames, problems = [], []
    for path in sorted(child for child in folder.iterdir() if not is_hidden(child.name)):
        label = path.relative_to(root).as_posix()
        try:
            if path.is_dir():
                raise Skip("a folder nested deeper than class/clip/frame")
            if not path.is_file():  # a FIFO or a device
                raise Skip("not a regular file")
            if media_kind(path.name) == "video" or not FRAME_NUMBER.fullmatch(path.stem):
                raise Skip(f"not a clip frame ({CLIP_LAYOUT})")
        except Skip as reason:
            problems.append((label, str(reason)))
            continue
        frames.append((int(path.stem), label, path))
    if not frames:
        detail = f", with no clip frames ({CLIP_LAYOUT})" if problems else ""
        raise Skip(f"a folder nested deeper than class/file{detail}")
    check_clip_folder(class_name, clip)
    skipped += problems
    return ClipSource(class_name, clip, f"{class_name}/{clip}/", frames)


def decode_clip_videos(clips, frames_dir, skipped):
    """Decode every clip video into its clip's frames at config.CLIP_FPS (refusing very long ones)."""
    for index, clip in enumerate(clips):
        if clip.video is None:
            continue
        try:
            frames = extract_frames(
                clip.video, frames_dir / str(index), fps=config.CLIP_FPS, max_frames=MAX_CLIP_FRAMES + 1
            )
        except UserError as error:
            skipped.append((clip.label, str(error)))
            continue
        if len(frames) > MAX_CLIP_FRAMES:
            seconds = MAX_CLIP_FRAMES / config.CLIP_FPS
            skipped.append((clip.label, f"longer than {seconds:g} s: a clip is one move; cut it into clips"))
            continue
        clip.frames = [(n, f"{clip.label} frame {frame.stem}", frame) for n, frame in enumerate(frames, 1)]
        rate = f"{config.CLIP_FPS:g} fps"
        say(f"{shown(clip.label)}: a clip of {len(frames)} frames at {rate} for {clip.class_name}/")


# --- verify, de-duplicate, move in -------------------------------------------------------------


def existing_images(data):
    """sha256 -> (class, relative path) of every image already in data's class folders."""
    found = {}
    if data.is_dir():
        for folder in sorted(path for path in data.iterdir() if path.is_dir() and not is_hidden(path.name)):
            for path in image_files(folder):
                found.setdefault(content_hash(path), (folder.name, path.relative_to(data).as_posix()))
    return found


def readable(path, label, row, skipped):
    """Whether the image decodes; if not, counted as unreadable in row and skipped with why."""
    try:
        load_image(path)
    except BadImage as error:
        row["unreadable"] += 1
        skipped.append((label, str(error)))
        return False
    return True


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
        if not readable(path, label, row, skipped):
            continue
        seen[digest] = (class_name, label)
        target = accepted_dir / class_name / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        row["added"] += 1
    return counts, conflicts


def existing_clips(data):
    """-> (clip digest -> (class, "class/clip"), {class: lower-cased clip names taken}). A clip
    video's name is taken too, and names are compared lower-cased for case-insensitive disks."""
    digests, taken = {}, {}
    if data.is_dir():
        for folder in sorted(path for path in data.iterdir() if path.is_dir() and not is_hidden(path.name)):
            names = taken.setdefault(folder.name, set())
            for entry in sorted(folder.iterdir()):
                if is_hidden(entry.name):
                    continue
                if entry.is_dir():
                    names.add(entry.name.lower())
                    if frames := clip_frame_files(entry):
                        digests.setdefault(clip_digest(frames), (folder.name, f"{folder.name}/{entry.name}"))
                elif is_video(entry):
                    names.add(entry.stem.lower())
    return digests, taken


def free_name(name, taken):
    """name, or name-2, name-3, ...: the first that no clip of the class has."""
    candidate, number = name, 1
    while candidate.lower() in taken:
        number += 1
        candidate = f"{name}-{number}"
    return candidate


def stage_clips(clips, data, clips_dir, skipped):
    """Verify clips' frames and stage each new clip as clips_dir/<class>/<clip>/001.jpg, ...

    A clip already in data (or earlier in this import), frame for frame, is a duplicate; a clip
    whose name is taken gets a free one. Returns per-class counts, cross-class conflicts and the
    renames [(clip, new class/clip)].
    """
    seen, taken = existing_clips(data)
    counts, conflicts, renamed = {}, [], []
    for clip in clips:
        if not clip.frames:  # a video that could not be decoded: skipped already
            continue
        row = counts.setdefault(clip.class_name, {"added": 0, "duplicates": 0, "unreadable": 0, "frames": 0})
        frames = []
        for _, label, path in sorted(clip.frames, key=lambda frame: frame[:2]):
            if readable(path, label, row, skipped):
                frames.append(path)
        if not frames:
            skipped.append((clip.label, "a clip without a readable frame"))
            continue
        digest = clip_digest(frames)
        if digest in seen:
            row["duplicates"] += 1
            other_class, where = seen[digest]
            if other_class != clip.class_name:
                conflicts.append(
                    f"clip {shown(clip.label)} ({clip.class_name}) is the same clip as {shown(where)} "
                    f"({other_class})"
                )
            continue
        names = taken.setdefault(clip.class_name, set())
        name = free_name(clip.name, names)
        if name != clip.name:
            renamed.append((clip.label, f"{clip.class_name}/{name}"))
        names.add(name.lower())
        seen[digest] = (clip.class_name, clip.label)
        target = clips_dir / clip.class_name / name
        target.mkdir(parents=True)
        width = max(3, len(str(len(frames))))  # 001.jpg ... or 0001.jpg ...: names sort in order
        for number, path in enumerate(frames, 1):
            shutil.copyfile(path, target / f"{number:0{width}d}{path.suffix.lower()}")
        row["added"] += 1
        row["frames"] += len(frames)
    return counts, conflicts, renamed


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


def move_in(accepted_dir, data, created, clips_dir=None):
    """Move the staged images and clips into data's class folders; if one move fails, take back
    the others."""
    moved = []
    try:
        for path in sorted(accepted_dir.glob("*/*")):
            created += make_dirs(data / path.parent.name)
            target = data / path.parent.name / path.name
            shutil.move(path, target)
            moved.append(target)
        for path in sorted(clips_dir.glob("*/*")) if clips_dir else ():
            created += make_dirs(data / path.parent.name)
            target = data / path.parent.name / path.name
            if target.exists() or target.is_symlink():  # made since staging: never move into it
                raise UserError(f"{shown(target)} appeared during the import; nothing was imported")
            shutil.move(path, target)
            moved.append(target)
    except BaseException:
        for target in moved:
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
        raise


# --- the command -------------------------------------------------------------------------------


def import_source(
    source, into=DEFAULT_INTO, fps=DEFAULT_FPS, max_total_bytes=MAX_TOTAL_BYTES, video_clips=False
):
    """Import a recorded zip, a folder of class folders / class-named videos, or one class-named
    video into the dataset folder `into`, never overwriting; print and return the report.

    Clip folders (<class>/<clip>/001.jpg, ...) are clips; so are videos in class folders when
    video_clips is set, and always in the classes that are only clips (CLIP_ONLY_CLASSES)."""
    source, into = Path(source).expanduser(), Path(into).expanduser()
    if not source.exists():
        raise UserError(f"no such file or folder: {shown(source)}")
    if not (source.is_file() or source.is_dir()):  # /dev/null, a FIFO: nothing to read
        raise UserError(f"{shown(source)} is not a file or a folder")
    if into.exists() and not into.is_dir():
        raise UserError(f"{shown(into)} is not a folder")
    data = into.resolve()  # stage beside the real folder, so moving in is a rename on one disk
    is_zip = source.is_file() and not is_video(source)
    archive = open_zip(source, max_total_bytes) if is_zip else None  # before anything is written

    skipped = []
    with archive or nullcontext(), staging_folder(data) as (staging, created):
        if archive:
            candidates, clips = unzip(archive, source, staging / "unzipped", skipped, video_clips)
        else:
            root = source.parent if source.is_file() else source
            candidates, clips = gather_files(source, root, staging / "frames", fps, skipped, video_clips)
        if not candidates and not clips:
            reasons = [f"{label} ({reason})" for label, reason in skipped]
            detail = f"; skipped {listing(reasons)}" if reasons else ""
            raise UserError(
                f"nothing to import from {shown(source)}: no images or clips in class folders{detail}"
            )
        decode_clip_videos(clips, staging / "clip-frames", skipped)
        counts, conflicts = {}, []
        if candidates:
            counts, conflicts = stage_images(candidates, data, staging / "accepted", skipped)
        clip_counts, clip_conflicts, renamed = stage_clips(clips, data, staging / "clips", skipped)
        move_in(staging / "accepted", data, created, staging / "clips")
    return report(into, counts, skipped, conflicts + clip_conflicts, clip_counts, renamed)


def report(into, counts, skipped, conflicts, clip_counts=None, renamed=()):
    """Print the per-class tables (images, then clips when there are any), balance, problems and
    next step -> the same as a dict."""
    classes = list(config.CLASS_DIRS) + sorted(set(counts) - set(config.CLASS_DIRS))
    empty = {"added": 0, "duplicates": 0, "unreadable": 0}
    rows = {name: {**counts.get(name, empty), "total": len(image_files(into / name))} for name in classes}
    totals = {name: rows[name]["total"] for name in config.CLASS_DIRS}
    smallest, largest = min(totals, key=totals.get), max(totals, key=totals.get)
    clip_rows = clip_report_rows(into, clip_counts or {})
    # A dataset of clips only: no image table, whose hints would ask for single images.
    if counts or not clip_rows or any(row["total"] for row in rows.values()):
        print_table("class", rows)
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
    if clip_rows:
        print_table("clips", clip_rows)
        missing = [name + "/" for name in config.CLIP_CLASS_DIRS if not clip_rows[name]["total"]]
        if missing:
            say(f"hint: no clips in {listing(missing)} yet (on the record page, one hold of a key is one)")
        extra = [name + "/" for name in clip_rows if name not in config.CLIP_CLASS_DIRS]
        if extra:
            clip_classes = ", ".join(name + "/" for name in config.CLIP_CLASS_DIRS)
            say(f"note: extra clip classes {listing(extra)}; the sequence head uses {clip_classes} only")
    for clip, new_name in renamed:
        say(f"renamed clip {shown(clip)} to {shown(new_name)}/: that name was taken")
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
        "clips": clip_rows,
        "renamed": [{"clip": clip, "to": new_name} for clip, new_name in renamed],
        "conflicts": conflicts,
        "skipped": [{"path": label, "reason": reason} for label, reason in skipped],
    }


def clip_report_rows(into, clip_counts):
    """{class: added, duplicates, unreadable (frames), frames (added), total (clips now there)};
    empty when neither this import nor the dataset holds a clip."""
    classes = list(config.CLIP_CLASS_DIRS) + sorted(set(clip_counts) - set(config.CLIP_CLASS_DIRS))
    empty = {"added": 0, "duplicates": 0, "unreadable": 0, "frames": 0}
    rows = {name: {**clip_counts.get(name, empty), "total": count_clips(into / name)} for name in classes}
    return rows if clip_counts or any(row["total"] for row in rows.values()) else {}


def count_clips(folder):
    """Clips in a class folder: folders of numbered frames, and videos."""
    if not folder.is_dir():
        return 0
    return sum(
        1
        for entry in folder.iterdir()
        if not is_hidden(entry.name)
        and ((entry.is_dir() and clip_frame_files(entry)) or (entry.is_file() and is_video(entry)))
    )


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
        help="frames per second kept from videos that are not clips (default: %(default)s)",
    )
    clip_only = clip_only_folder_list()
    parser.add_argument(
        "--clips",
        action="store_true",
        help=(
            "read each video in a class folder as one clip (<class>/<clip>/001.jpg, ... at "
            f"{config.CLIP_FPS:g} fps), not as single images; videos in {clip_only} always are"
        ),
    )


def run(args):
    check_fps(args.fps)
    if not args.into:  # Path("") is the current folder
        raise UserError("--into needs a folder name")
    import_source(args.source, args.into, args.fps, video_clips=args.clips)
