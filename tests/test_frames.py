"""Frame geometry (the page's crop) and ffmpeg frame extraction."""

import subprocess

import numpy as np
import pytest
from PIL import Image

from tfjs_kombat import cli, frames
from tfjs_kombat.errors import UserError


@pytest.mark.parametrize(
    ("size", "box"),
    [
        ((640, 480), (0, 0, 640, 358)),  # webcam 4:3: the top band, full width
        ((1280, 720), (0, 0, 1280, 717)),  # 16:9 is almost exactly 100:56
        ((300, 100), (60, 0, 239, 100)),  # wider than 100:56: the centre
    ],
)
def test_crop_top_band(size, box):
    image = Image.new("RGB", size)
    assert frames.crop_top_band(image).size == (box[2] - box[0], box[3] - box[1])


def test_to_frame_keeps_the_top_band_only():
    image = Image.new("RGB", (640, 480), "white")
    image.paste((255, 0, 0), (0, 360, 640, 480))  # red below the band: never seen
    frame = np.asarray(frames.to_frame(image))
    assert frame.shape == (56, 100, 3)
    assert (frame == 255).all()


def test_grayscale_is_the_pages_rounded_average():
    pixels = np.array([[[255, 0, 0], [10, 20, 31], [1, 2, 2]]], dtype=np.uint8)
    grey = frames.grayscale(pixels)
    assert grey[0, :, 0].tolist() == [85, 20, 2]  # 85, 20.33, 1.67 rounded
    assert (grey[..., 0] == grey[..., 1]).all() and (grey[..., 1] == grey[..., 2]).all()


def write_video(path, count=12, size=(64, 48)):
    """A tiny video made by ffmpeg from frames of known colours."""
    process = subprocess.Popen(
        [
            frames.ffmpeg_executable(),
            "-v",
            "error",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            f"{size[0]}x{size[1]}",
            "-r",
            "10",
            "-i",
            "-",
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        stdin=subprocess.PIPE,
    )
    for i in range(count):
        process.stdin.write(np.full((size[1], size[0], 3), i * 240 // count, np.uint8).tobytes())
    process.stdin.close()
    assert process.wait() == 0


def test_extract_frames_from_a_generated_video(tmp_path):
    video = tmp_path / "clip.mp4"
    write_video(video)
    written = frames.extract_frames(video, tmp_path / "out")
    assert [p.name for p in written] == [f"{i:03d}.jpg" for i in range(1, 13)]
    brightness = [np.asarray(Image.open(p)).mean() for p in written]
    assert brightness == sorted(brightness) and brightness[-1] - brightness[0] > 140


def test_extract_frames_at_a_lower_rate(tmp_path):
    video = tmp_path / "clip.mp4"
    write_video(video, count=20)
    assert len(frames.extract_frames(video, tmp_path / "out", fps=5)) == 10


def test_bad_videos_are_clear_errors(tmp_path):
    with pytest.raises(UserError, match="no such video"):
        frames.extract_frames(tmp_path / "missing.mov", tmp_path / "out")
    not_a_video = tmp_path / "notes.mov"
    not_a_video.write_text("hello")
    with pytest.raises(UserError, match="ffmpeg could not read"):
        frames.extract_frames(not_a_video, tmp_path / "out")
    assert not list((tmp_path / "out").glob("*.jpg"))


def test_cli_refuses_to_mix_with_existing_frames(tmp_path, capsys):
    video = tmp_path / "clip.mp4"
    write_video(video)
    assert cli.main(["frames", str(video), str(tmp_path / "out")]) == 0
    assert cli.main(["frames", str(video), str(tmp_path / "out")]) == 2
    assert "already holds" in capsys.readouterr().err
