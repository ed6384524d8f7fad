"""Import: a recorded zip, a folder of class folders, or class-named videos -> a dataset folder.

The record page exports one zip laid out like a dataset (`punches/…png`, `kicks/…`, `others/…`).
Clips come back as clips: `<class>/<clip>/001.jpg, 002.jpg, …` folders (from a zip or a folder)
and `<class>/<clip>.mp4` videos (with --clips, and always in the classes that are only clips,
roundhouses/ and back_kicks/) land in `<class>/<clip>/` with their frames renumbered in order, a
video's decoded at config.CLIP_FPS. A clip is never merged into another or overwritten: a name
already taken is renamed (`take-2`), and a clip whose frames are all already there is a duplicate.
A zip is untrusted input, so it is refused whole, before anything is written, if any entry could
land outside the target (absolute path, `..`, symlink, NUL), unpacks too big (a zip bomb) or names
one file twice; each entry is then streamed with a running byte count, because its header sizes
may lie. Nothing is ever extracted under the name the zip gives: files are written as
`<class>/<sha256 prefix>.<ext>`, which also makes merging into an existing dataset free of
overwrites and re-imports no-ops.
Everything is staged beside the target and moved in only when the whole import succeeded; what a
killed import left staged, the next one removes.

The command's jobs, one module each: rules.py (where a source file belongs), zipsafety.py (refusing
unsafe zips, streaming entries), sources.py (gathering images and clips from a zip, a folder or a
video), staging.py (verifying, de-duplicating, staging and the all-or-nothing move into the
dataset), report.py (the report); this file holds the command (import_source, add_arguments, run).
The dataset folder's own rules (class folders, names, extensions, a clip's frames) are
datafolder.py's, shared with `tfjs-kombat dataset`.
"""

from contextlib import nullcontext
from pathlib import Path

from tfjs_kombat import config
from tfjs_kombat.datafolder import clip_only_folder_list, is_video, listing
from tfjs_kombat.errors import UserError, shown
from tfjs_kombat.frames import check_fps
from tfjs_kombat.importer import report
from tfjs_kombat.importer.sources import decode_clip_videos, gather_files, unzip
from tfjs_kombat.importer.staging import (
    errors_named_by_target,
    move_in,
    stage_clips,
    stage_images,
    staging_folder,
)
from tfjs_kombat.importer.zipsafety import MAX_TOTAL_BYTES, open_zip

DEFAULT_INTO = "data/mine"
DEFAULT_FPS = 10


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
    nearest = next(path for path in (into, *into.parents) if path.exists())  # into, or where it goes
    if not nearest.is_dir():
        raise UserError(f"{shown(nearest)} is not a folder")
    data = into.resolve()  # stage beside the real folder, so moving in is a rename on one disk
    is_zip = source.is_file() and not is_video(source)
    archive = open_zip(source, max_total_bytes) if is_zip else None  # before anything is written

    skipped = []
    with (
        errors_named_by_target(into, data),
        archive or nullcontext(),
        staging_folder(data) as (staging, created),
    ):
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
    return report.report(into, counts, skipped, conflicts + clip_conflicts, clip_counts, renamed)


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
    if not args.into.isprintable():  # the report ends with a command to paste: make train DATA=<into>
        raise UserError(
            f"--into {shown(args.into)} holds control characters (an escape, a tab, a newline): "
            "give a folder name you can type"
        )
    import_source(args.source, args.into, args.fps, video_clips=args.clips)
