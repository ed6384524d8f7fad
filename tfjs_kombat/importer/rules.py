"""Where a file of an import's source belongs: its class, and whether it is an image, a video or
a clip's frame or video, by its path below the source; or why it is skipped (Skip).

The layout is the dataset folder's (datafolder.py): `<class>/<file>`, `<class>/<clip>/001.jpg`,
`<class>/<clip>.mp4`; a source may also hold class-named videos (`punches.mp4`) and extra classes.
"""

from pathlib import Path

from tfjs_kombat import config
from tfjs_kombat.datafolder import (
    CLASS_NAME,
    CLIP_LAYOUT,
    CLIP_NAME,
    CLIP_ONLY_CLASSES,
    FRAME_NUMBER,
    IMAGE_EXTENSIONS,
    folder_list,
    is_image,
    is_video,
)


class Skip(Exception):
    """A file that is not imported; the message is the reason shown to the user."""


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
