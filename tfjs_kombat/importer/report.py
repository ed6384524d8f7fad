"""The import's report: per-class tables of images and clips, balance, hints, renames, conflicts
and skipped files, printed and returned as a dict.
"""

import shlex

from tfjs_kombat import config
from tfjs_kombat.datafolder import (
    clip_frame_files,
    folder_list,
    image_files,
    is_hidden,
    is_video,
    listing,
    print_table,
)
from tfjs_kombat.errors import say, shown, warn

UNBALANCED = 1.25  # largest/smallest class ratio worth a hint
SHOW_SKIPPED = 20


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
