"""Frames: what the model sees, and how to get them out of a video.

The page draws the camera frame on a canvas, keeps the top band whose aspect is 100:56 (full
width), scales it to 100x56 and greys it by the average of R, G and B. `to_frame` does exactly
that to any image, so training sees what the page will see.
"""

import shutil
import subprocess
from pathlib import Path

import numpy as np
from PIL import Image

from tfjs_kombat.config import FRAME_HEIGHT, FRAME_WIDTH
from tfjs_kombat.errors import UserError, say


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


def ffmpeg_executable():
    """ffmpeg from PATH, else the binary that the imageio-ffmpeg wheel ships."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def extract_frames(video, out_dir, fps=None):
    """Write the video's frames as out_dir/001.jpg, 002.jpg, ... (the article's ffmpeg step)."""
    video, out_dir = Path(video), Path(out_dir)
    if not video.is_file():
        raise UserError(f"no such video: {video}")
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.glob("*.jpg")):
        raise UserError(f"{out_dir} already holds .jpg frames; pick an empty folder")
    command = [ffmpeg_executable(), "-v", "error", "-nostdin", "-i", str(video)]
    if fps:
        command += ["-vf", f"fps={fps}"]
    command += ["-q:v", "2", str(out_dir / "%03d.jpg")]
    result = subprocess.run(command, capture_output=True, text=True)
    frames = sorted(out_dir.glob("*.jpg"))
    if result.returncode != 0 or not frames:
        for frame in frames:  # nothing half-written
            frame.unlink()
        detail = result.stderr.strip().splitlines()[-1:] or ["no frames decoded"]
        raise UserError(f"ffmpeg could not read {video}: {detail[0]}")
    return frames


def add_arguments(parser):
    parser.add_argument("video", help="a video file (mov, mp4, webm, y4m, ...)")
    parser.add_argument("out_dir", help="folder for 001.jpg, 002.jpg, ...")
    parser.add_argument("--fps", type=float, help="frames per second to keep (default: all)")


def run(args):
    frames = extract_frames(args.video, args.out_dir, args.fps)
    say(f"wrote {len(frames)} frames to {args.out_dir}; sort them into punches/, kicks/, others/")
