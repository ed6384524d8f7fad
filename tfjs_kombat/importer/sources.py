"""What an import reads: the images and clips of a zip (unzip), of a folder or of one video
(gather_files), as candidates [(class, label, file)] and ClipSources; clip videos are decoded into
their frames (decode_clip_videos). Skipped files go to the caller's list with the reason.
"""

import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from tfjs_kombat import config
from tfjs_kombat.datafolder import CLIP_LAYOUT, FRAME_NUMBER, is_hidden
from tfjs_kombat.errors import UserError, say, shown
from tfjs_kombat.frames import TooManyFrames, capped_fps, extract_frames
from tfjs_kombat.importer.rules import Skip, check_clip_folder, locate, media_kind
from tfjs_kombat.importer.zipsafety import stream_entry, zip_parts

MAX_CLIP_FRAMES = 60 * config.CLIP_FPS  # a minute: a clip is one move; a longer video is refused


@dataclass
class ClipSource:
    """One clip as the source holds it: numbered frames, or a video decoded into them."""

    class_name: str
    name: str
    label: str  # where it comes from, for messages: "kicks/take1/" or "kicks/take1.mp4"
    frames: list = field(default_factory=list)  # [(number, label, file)]
    video: Path | None = None


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
        rate = capped_fps(path, fps)
        try:
            frames = extract_frames(path, frames_dir / str(index), fps=rate)
        except UserError as error:
            skipped.append((label, str(error)))
            continue
        capped = f" (the video's own rate; --fps {fps:g} would repeat them)" if rate != fps else ""
        say(f"{shown(label)}: {len(frames)} frames at {rate:g} fps{capped} for {class_name}/")
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
                clip.video, frames_dir / str(index), fps=config.CLIP_FPS, max_frames=MAX_CLIP_FRAMES
            )
        except TooManyFrames:
            seconds = MAX_CLIP_FRAMES / config.CLIP_FPS
            skipped.append((clip.label, f"longer than {seconds:g} s: a clip is one move; cut it into clips"))
            continue
        except UserError as error:
            skipped.append((clip.label, str(error)))
            continue
        clip.frames = [(n, f"{clip.label} frame {frame.stem}", frame) for n, frame in enumerate(frames, 1)]
        rate = f"{config.CLIP_FPS:g} fps"
        say(f"{shown(clip.label)}: a clip of {len(frames)} frames at {rate} for {clip.class_name}/")
