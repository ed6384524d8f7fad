"""Staging: verify and de-duplicate what an import gathered into a temporary folder beside the
dataset (stage_images, stage_clips), then move it all in, or nothing (move_in, staging_folder); a
failing disk is reported by the target's name, never the hidden staging folder's (errors_named_by_target).

Images are written as `<class>/<sha256 prefix>.<ext>`, never under the name the source gives, which
also makes merging free of overwrites and re-imports no-ops. A clip is never merged into another
or overwritten: a name already taken is renamed (`take-2`), and a clip whose frames are all
already there is a duplicate.
"""

import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from tfjs_kombat.datafolder import (
    clip_digest,
    clip_frame_files,
    content_hash,
    image_files,
    is_hidden,
    is_video,
    listing,
)
from tfjs_kombat.errors import UserError, say, shown
from tfjs_kombat.frames import BadImage, load_image

NAME_LENGTH = 16  # hex digits of the sha256 in a new file's name: 64 bits, no collision in practice
PROGRESS_EVERY = 500


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


def staging_prefix(data):
    """How the names of data's staging folders begin: hidden, beside it, named after it."""
    return f".{data.name}.import-"


def owner_is_gone(folder, data):
    """Whether the import that made a staging folder (its process id is in the name) has ended."""
    # <pid>-<mkdtemp's 8 random characters>; an older version's folder names no process: left be.
    named = re.fullmatch(r"(\d+)-[a-z0-9_]{8}", folder.name.removeprefix(staging_prefix(data)))
    if not named:
        return False
    try:
        os.kill(int(named[1]), 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return True
    except (OSError, OverflowError):  # someone else's process; a number no process id can be
        return False
    return False


def remove_stale_staging(data):
    """Remove the staging folders that killed imports (SIGKILL, a power cut) left beside data, saying
    so in one line; a folder whose import still runs is never touched."""
    prefix = staging_prefix(data)
    stale = sorted(
        path.name
        for path in data.parent.iterdir()
        if path.name.startswith(prefix) and owner_is_gone(path, data)
    )
    for name in stale:
        shutil.rmtree(data.parent / name, ignore_errors=True)
    if stale:
        say(f"removed {listing(stale)}, left by an import that was stopped before it finished")


@contextmanager
def staging_folder(data):
    """Yield (a temporary folder beside data, a list of created folders). The temporary folder is
    always removed; if the block fails, so is every folder in the list (when empty). Its name holds
    this process's id, so that the next import can tell it was left by a killed one and remove it."""
    created = make_dirs(data.parent)
    staging = None
    try:
        remove_stale_staging(data)
        prefix = f"{staging_prefix(data)}{os.getpid()}-"
        staging = Path(tempfile.mkdtemp(dir=data.parent, prefix=prefix))
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


def in_target(name, data):
    """Whether a path is data, inside it, or inside one of its staging folders."""
    path = Path(os.path.abspath(name))
    if path.is_relative_to(data):
        return True
    parts = path.relative_to(data.parent).parts if path.is_relative_to(data.parent) else ()
    return bool(parts) and parts[0].startswith(staging_prefix(data))


@contextmanager
def errors_named_by_target(into, data):
    """An OSError in data or its staging folder, or naming no file (write() on a full disk), ends the
    import with a UserError naming `into`, the folder the user gave: the hidden staging folder's
    name means nothing to them. An error naming another file (a source file) is left as it is."""
    try:
        yield
    except OSError as error:
        names = [name for name in (error.filename, error.filename2) if name is not None]
        if names and not any(in_target(name, data) for name in names):
            raise
        reason = error.strerror or str(error)
        raise UserError(f"cannot import into {shown(into)}: {reason}; nothing was imported") from None
