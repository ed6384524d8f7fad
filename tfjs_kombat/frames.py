"""Frames: what the model sees, and how to get them out of a video.

The page draws the camera frame on a canvas, keeps the top band whose aspect is 100:56 (full
width), scales it to 100x56 and greys it by the average of R, G and B. `to_frame` does exactly
that to any image, so training sees what the page will see.

This module is the one place that turns an image file into a model frame: `load_image` opens,
checks and decodes (or raises BadImage), `photo_frame` adds the crop and the grey.
"""

import math
import re
import shutil
import stat
import subprocess
import tempfile
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from tfjs_kombat import config, files
from tfjs_kombat.config import FRAME_HEIGHT, FRAME_WIDTH
from tfjs_kombat.errors import UserError, say, shown

# 8K video frames are 33 MP; a larger declared size is a huge photo or a forged header, and
# decoding it could take gigabytes. Pillow's own bomb check only warns below 2x its limit.
MAX_PIXELS = 50_000_000
# Frames are 100x56, so a bigger picture need not be kept whole: one of more pixels than this is
# decoded at 1/2, 1/4 or 1/8 of its size (a JPEG, by libjpeg itself) or reduced as it is converted,
# so a 190 KB PNG of 7000x7000 zeros cannot take a gigabyte. Photos up to 25 MP (a phone's 24 MP)
# are converted whole: their frames are exactly what they always were.
REDUCE_ABOVE_PIXELS = 25_000_000
BAND_ROWS = 256  # rows converted at a time: the only copies of the decoded picture ever made
# Transparent pixels are shown on white, like a browser shows a transparent PNG on a blank page.
BACKGROUND = (255, 255, 255)


class BadImage(Exception):
    """A file that cannot be used as an image; the message is a short reason for the user."""


class BadVideo(Exception):
    """A video that ffmpeg cannot read or that holds no frame; the message is a short reason."""


class TooManyFrames(UserError):
    """A video that gives more frames than extract_frames was allowed to write."""


def load_image(path):
    """Open, check and fully decode an image -> an RGB PIL image, or raise BadImage."""
    path = Path(path)
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO or a device would block or never end
            raise BadImage("not a regular file")
        if info.st_size == 0:
            raise BadImage("empty file")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # checked below instead
            image = Image.open(path)
    except Image.DecompressionBombError:
        raise BadImage(f"declared size is too large (over {MAX_PIXELS:,} pixels)") from None
    except UnidentifiedImageError:
        raise BadImage("not an image") from None
    except OSError as error:
        raise BadImage(f"cannot read file ({error.strerror or error})") from None

    with image:
        width, height = image.size
        if width * height > MAX_PIXELS:  # refuse before decoding: only the header was read
            raise BadImage(f"declared size {width}x{height} is too large")
        try:
            scale = reduction(image.size)
            if scale > 1 and image.format == "JPEG":
                image.draft(image.mode, (width // scale, height // scale))  # libjpeg decodes it smaller
            image.load()  # Pillow decodes lazily; a broken file must fail here, not in a later stage
            ImageOps.exif_transpose(image, in_place=True)  # phones store the rotation in EXIF
            return reduced_rgb(image, reduction(image.size))
        except BadImage:
            raise
        except Exception as error:  # Pillow raises many types for malformed data
            if "truncated" in str(error).lower():
                raise BadImage("truncated image") from None
            raise BadImage(f"cannot decode ({error})") from None


def reduction(size):
    """The whole factor that brings an image of this size to at most REDUCE_ABOVE_PIXELS."""
    width, height = size
    return math.ceil(math.sqrt(width * height / REDUCE_ABOVE_PIXELS))


def reduced_rgb(image, factor):
    """A decoded image -> RGB (to_rgb), `factor` times smaller (box averages), converted BAND_ROWS
    rows at a time so that no full-size copy is made; at factor 1, exactly to_rgb(image)."""
    width, height = image.size
    rgb = Image.new("RGB", (math.ceil(width / factor), math.ceil(height / factor)))
    rows = factor * max(1, BAND_ROWS // factor)  # whole boxes of factor x factor pixels per band
    for top in range(0, height, rows):
        band = to_rgb(image.crop((0, top, width, min(top + rows, height))))
        rgb.paste(band.reduce(factor), (0, top // factor))
    return rgb


def to_rgb(image):
    """Any decoded PIL image -> RGB: alpha composited on BACKGROUND, 16-bit scaled to 8-bit."""
    if image.mode in ("I;16", "I;16L", "I;16B", "I"):
        # 16-bit grey: convert("RGB") would clip everything above 255 to white.
        grey = np.clip(np.rint(np.asarray(image, dtype=np.float64) / 257), 0, 255).astype(np.uint8)
        return Image.fromarray(grey).convert("RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info:
        background = Image.new("RGBA", image.size, BACKGROUND)
        return Image.alpha_composite(background, image.convert("RGBA")).convert("RGB")
    try:
        return image.convert("RGB")  # L, P, CMYK, YCbCr, 1, RGB (a copy, detached from the file)
    except ValueError:
        raise BadImage(f"unsupported colour mode {image.mode}") from None


def crop_top_band(image):
    """Keep the top band of the image with the frame's aspect (full width), like the page."""
    width, height = image.size
    band_height = round(width * FRAME_HEIGHT / FRAME_WIDTH)
    if band_height <= height:
        return image.crop((0, 0, width, band_height))
    # Wider than 100:56: the page would draw past the canvas; keep the centre instead.
    band_width = round(height * FRAME_WIDTH / FRAME_HEIGHT)
    left = (width - band_width) // 2
    return image.crop((left, 0, left + band_width, height))


def to_frame(image):
    """An RGB PIL image -> the 100x56 RGB frame the page would classify (before greying)."""
    return crop_top_band(image).resize((FRAME_WIDTH, FRAME_HEIGHT), Image.BILINEAR)


def grayscale(pixels):
    """HxWx3 uint8 -> HxWx3 uint8 with R = G = B = the rounded average, as the page computes it."""
    average = np.rint(pixels.astype(np.float32).mean(axis=2))
    return np.repeat(average.astype(np.uint8)[:, :, None], 3, axis=2)


def photo_frame(path):
    """Any image file -> the grey 100x56 frame the page would classify, or raise BadImage."""
    return grayscale(np.asarray(to_frame(load_image(path))))


def ffmpeg_executable():
    """ffmpeg from PATH, else the binary that the imageio-ffmpeg wheel ships."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def extract_frames(video, out_dir, fps=None, max_frames=None):
    """Write the video's frames as out_dir/001.jpg, 002.jpg, ... (the article's ffmpeg step); a video
    that gives more than max_frames (default config.MAX_VIDEO_FRAMES) is refused (TooManyFrames).
    All or nothing: ffmpeg writes into a hidden folder inside out_dir and the frames move out only
    once it succeeded, so a failed or interrupted run leaves no frame that would stop a rerun."""
    video, out_dir = Path(video), Path(out_dir)
    max_frames = max_frames or config.MAX_VIDEO_FRAMES
    if not video.is_file():
        raise UserError(f"no such video: {shown(video)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.glob("*.jpg")):
        raise UserError(f"{shown(out_dir)} already holds .jpg frames; pick an empty folder")
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".frames-") as partial:
        command = [ffmpeg_executable(), "-v", "error", "-nostdin", "-i", str(video)]
        if fps:
            command += ["-vf", f"fps={fps}"]
        command += ["-frames:v", str(max_frames + 1), "-q:v", "2", str(Path(partial) / "%03d.jpg")]
        result = subprocess.run(command, capture_output=True, text=True)
        frames = sorted(Path(partial).glob("*.jpg"))
        if len(frames) > max_frames:
            raise TooManyFrames(
                f"{shown(video)} gives {too_many_frames(max_frames, fps)}; take fewer (--fps) or cut it"
            )
        if result.returncode != 0 or not frames:
            detail = result.stderr.strip().splitlines()[-1:] or ["no frames decoded"]
            raise UserError(f"ffmpeg could not read {shown(video)}: {shown(detail[0])}")
        return files.move_all(frames, out_dir)


def too_many_frames(max_frames, fps):
    """Why a video is refused, its name aside."""
    rate = f"at {fps:g} fps" if fps else "at its own rate"
    return f"more than {max_frames:,} frames {rate}, the most one video may give"


def video_frame_count(video, fps=None, max_frames=None):
    """How many frames ffmpeg decodes from the video at `fps` (all when None): the count that
    extract_frames writes. Decodes the whole video once (at most max_frames, by default
    config.MAX_VIDEO_FRAMES, as extract_frames), so a broken one fails here; raises BadVideo with a
    short reason."""
    max_frames = max_frames or config.MAX_VIDEO_FRAMES
    command = [ffmpeg_executable(), "-v", "error", "-nostdin", "-i", str(video), "-map", "0:v:0", "-an"]
    if fps:
        command += ["-vf", f"fps={fps}"]
    command += ["-frames:v", str(max_frames + 1), "-f", "framecrc", "-"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, errors="replace")
    except OSError as error:
        raise BadVideo(f"cannot run ffmpeg ({error.strerror or error})") from None
    count = sum(1 for line in result.stdout.splitlines() if line and not line.startswith("#"))
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or [f"exit status {result.returncode}"])[-1]
        detail = detail.removeprefix(f"{video}: ")  # the reason, not the path the caller shows
        raise BadVideo(f"ffmpeg cannot read it: {shown(detail)}")
    if count == 0:
        raise BadVideo("no frames decoded")
    if count > max_frames:
        raise BadVideo(f"gives {too_many_frames(max_frames, fps)}")
    return count


def video_rate(video):
    """The video's own frame rate as ffmpeg's fps filter reads it (`source_fps`), or None when ffmpeg
    cannot tell. That filter stamps its frames in steps of 1/rate and framecrc's header prints the
    time base ("#tb 0: 1001/30000"), so one frame through both gives the rate exactly."""
    command = [ffmpeg_executable(), "-v", "error", "-nostdin", "-i", str(video), "-map", "0:v:0", "-an"]
    command += ["-vf", "fps=source_fps", "-frames:v", "1", "-f", "framecrc", "-"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, errors="replace")
    except OSError:
        return None
    time_base = re.search(r"^#tb 0: (\d+)/(\d+)$", result.stdout, re.MULTILINE)
    if result.returncode != 0 or not time_base or int(time_base[1]) == 0:
        return None
    return int(time_base[2]) / int(time_base[1])


def capped_fps(video, fps):
    """The rate to take a video's single frames at: fps, or the video's own rate when fps is above
    it, where the fps filter would only repeat frames (--fps 1e9 wrote millions of copies). Clips
    are not capped: there a repeated frame keeps the time steps even."""
    rate = video_rate(video) if fps is not None else None
    return rate if rate is not None and fps > rate else fps


def check_fps(fps):
    """--fps, when given, must be a positive number; nan slips through a plain `fps <= 0`."""
    if fps is not None and not 0 < fps < math.inf:
        raise UserError(f"--fps must be positive and finite, got {fps}")


def add_arguments(parser):
    parser.add_argument("video", help="a video file (mov, mp4, webm, y4m, ...)")
    parser.add_argument("out_dir", help="folder for 001.jpg, 002.jpg, ...")
    parser.add_argument(
        "--fps", type=float, help="frames per second to keep (default: all; at most the video's own rate)"
    )


def run(args):
    check_fps(args.fps)
    fps = capped_fps(args.video, args.fps)
    if fps != args.fps:
        say(f"--fps {args.fps:g} is above the video's own {fps:g} fps: keeping each frame once")
    frames = extract_frames(args.video, args.out_dir, fps)
    say(f"wrote {len(frames)} frames to {shown(args.out_dir)}; sort them into punches/, kicks/, others/")
