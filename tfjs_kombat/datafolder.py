"""The dataset folder's rules, in one place: what `import` writes is what `dataset` reads.

A dataset folder holds class folders (config.CLASS_DIRS for the frame heads, config.CLIP_CLASS_DIRS
for the sequence head): images directly in a frame class folder, and clips in any clip class
folder, each a folder of numbered frames (`<class>/<clip>/001.jpg, 002.jpg, ...`) or a video
(`<class>/<clip>.mp4`). Here are the names and files that count (hidden files never do), the
order of a clip's frames, a file's and a clip's identity (their bytes), and the per-class table
that `import` and `dataset` print. importer/, dataset.py, frames.py, features.py and
webconfig.py read them here.
"""

import hashlib
import re
from pathlib import Path

from tfjs_kombat import config
from tfjs_kombat.errors import say, shown

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png")
# Videos are decoded by ffmpeg (frames.py), which reads every one of these: import and dataset
# both take them.
VIDEO_EXTENSIONS = (".mp4", ".mov", ".webm", ".mkv", ".avi", ".m4v", ".y4m")

CLASS_NAME = re.compile(r"[a-z0-9_-]{1,40}")  # extra classes: a plain folder name on every system
# Clips: a plain folder name too (the record page writes 20240517-134530-001), and frames named by
# their number, as the record page and `tfjs-kombat frames` write them.
CLIP_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,79}")
FRAME_NUMBER = re.compile(r"[0-9]{1,9}")
CLIP_LAYOUT = "<class>/<clip>/001.jpg, 002.jpg, ..."
# Classes read only as clips (the kicks that differ only in how they move): a video there is a clip.
CLIP_ONLY_CLASSES = tuple(name for name in config.CLIP_CLASS_DIRS if name not in config.CLASS_DIRS)


def is_hidden(name):
    """A file or folder name that is no data: .DS_Store, ._AppleDouble files, editor swap files,
    macOS zip metadata (__MACOSX)."""
    return name.startswith(".") or name == "__MACOSX"


def is_image(path):
    return Path(path).suffix.lower() in IMAGE_EXTENSIONS


def is_video(path):
    return Path(path).suffix.lower() in VIDEO_EXTENSIONS


def folder_list():
    return ", ".join(name + "/" for name in config.CLASS_DIRS)


def clip_folder_list():
    return ", ".join(name + "/" for name in config.CLIP_CLASS_DIRS)


def clip_only_folder_list():
    return ", ".join(name + "/" for name in CLIP_ONLY_CLASSES)


# --- what is in a folder -----------------------------------------------------------------------


def image_files(folder):
    """The images directly in a class folder, sorted; none if it is no folder."""
    if not folder.is_dir():
        return []
    return sorted(
        path for path in folder.iterdir() if path.is_file() and not is_hidden(path.name) and is_image(path)
    )


def frame_order(path):
    """Sort key of a clip's frame files: by name, numbers by value (2.jpg before 10.jpg), so both
    ffmpeg's 001.jpg, 002.jpg, ... and the article's 1..N keep the order they were taken in."""
    name = Path(path).name.lower()
    return [(0, int(part), part) if part.isdecimal() else (1, 0, part) for part in re.split(r"(\d+)", name)]


def clip_frame_files(folder):
    """The frame images of a clip folder (a folder of NNN.jpg/png), in the order they were taken;
    hidden files, subfolders and other files are not frames."""
    found = (
        entry
        for entry in Path(folder).iterdir()
        if not is_hidden(entry.name) and is_image(entry) and entry.is_file()
    )
    return sorted(found, key=frame_order)


# --- identity ----------------------------------------------------------------------------------


def content_hash(path):
    """A file's identity: the sha256 of its bytes."""
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def clip_digest(frames):
    """A clip's identity: its frames' bytes, in order."""
    return hashlib.sha256("\n".join(content_hash(path) for path in frames).encode()).hexdigest()


# --- reports -----------------------------------------------------------------------------------


def listing(names, limit=5):
    """The first few names, each shown() escaped, and how many there are in all."""
    listed = ", ".join(map(shown, names[:limit]))
    return listed + (f", ... ({len(names)} in all)" if len(names) > limit else "")


def print_table(title, rows, titles=None):
    """One line per class, right-aligned columns named by the rows' keys (or titles[key])."""
    titles = {column: (titles or {}).get(column, column) for column in next(iter(rows.values()))}
    width = max(len(title), *(len(name) for name in rows)) + 2
    columns = {column: max(8, len(text) + 2) for column, text in titles.items()}
    say(f"{title:<{width}}" + "".join(f"{titles[column]:>{w}}" for column, w in columns.items()))
    for name, row in rows.items():
        say(f"{name:<{width}}" + "".join(f"{row[column]:>{w}}" for column, w in columns.items()))
