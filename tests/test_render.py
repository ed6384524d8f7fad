"""The default dataset and the fake-camera clips: layout, determinism, atomic replacement."""

import subprocess

import numpy as np
import pytest
from conftest import HOSTILE_NAME, assert_escaped
from PIL import Image

from tfjs_kombat import config, render, scene
from tfjs_kombat.cli import main
from tfjs_kombat.errors import UserError
from tfjs_kombat.frames import ffmpeg_executable


def pixels(image):
    return np.asarray(image, dtype=np.int16)


def test_dataset_layout_counts_and_determinism(tmp_path, capsys):
    counts = render.render_dataset(tmp_path / "a", per_class=3, seed=5, size=(160, 120))
    assert counts == {name: 3 for name in config.CLASS_DIRS}
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(config.CLASS_DIRS)
    for name in config.CLASS_DIRS:
        files = sorted((tmp_path / "a" / name).iterdir())
        assert [f.name for f in files] == ["0001.jpg", "0002.jpg", "0003.jpg"]
        with Image.open(files[0]) as image:
            assert image.format == "JPEG" and image.mode == "RGB" and image.size == (160, 120)
    assert "rendered 9/9 images" in capsys.readouterr().out

    render.render_dataset(tmp_path / "b", per_class=3, seed=5, size=(160, 120))
    render.render_dataset(tmp_path / "c", per_class=2, seed=6, size=(160, 120))
    for name in config.CLASS_DIRS:
        for number in ("0001.jpg", "0002.jpg"):
            a, b, c = ((tmp_path / d / name / number).read_bytes() for d in "abc")
            assert a == b and a != c
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary folders left


def test_some_others_show_nobody(tmp_path, monkeypatch):
    """About config.NOBODY_SHARE of the others are an empty room or a card, never a punch or kick."""
    drawn = []

    def nobody(rng, size):
        drawn.append(size)
        return Image.new("RGB", size)

    monkeypatch.setattr(render, "render_nobody", nobody)
    render.render_dataset(tmp_path / "data", per_class=60, seed=3, size=(80, 60))
    assert 0.1 * 60 <= len(drawn) <= 0.3 * 60
    blank = [p for p in (tmp_path / "data").rglob("*.jpg") if np.asarray(Image.open(p)).max() < 8]
    assert len(blank) == len(drawn) and {p.parent.name for p in blank} == {"others"}


def test_dataset_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    out = tmp_path / "data"
    render.render_dataset(out, per_class=2, seed=1, size=(80, 60))
    before = {p: p.read_bytes() for p in out.rglob("*.jpg")}

    calls = []

    def fail_on_the_fourth(*args):
        calls.append(args)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return Image.new("RGB", (80, 60))

    monkeypatch.setattr(render, "render_pose", fail_on_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        render.render_dataset(out, per_class=2, seed=2, size=(80, 60))
    assert {p: p.read_bytes() for p in out.rglob("*.jpg")} == before
    assert [p.name for p in tmp_path.iterdir()] == ["data"]


def test_dataset_refuses_to_replace_a_folder_it_did_not_write(tmp_path):
    photo = tmp_path / "data" / "punches" / "001.jpg"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"my own frame")
    with pytest.raises(UserError, match="did not write"):
        render.render_dataset(tmp_path / "data", per_class=1)
    assert photo.read_bytes() == b"my own frame"
    with pytest.raises(UserError, match="not a folder"):
        render.render_dataset(photo, per_class=1)
    with pytest.raises(UserError, match="at least 1"):
        render.render_dataset(tmp_path / "new", per_class=0)


def decode(video):
    """All frames of a video as an N x H x W x 3 uint8 array, read back with ffmpeg."""
    result = subprocess.run(
        [ffmpeg_executable(), "-v", "error", "-i", str(video), "-f", "rawvideo", "-pix_fmt", "rgb24", "-"],
        capture_output=True,
        check=True,
    )
    return result.stdout


def test_clip_is_a_webcam_feed_with_a_timeline(tmp_path):
    clip = tmp_path / "clip.y4m"
    timeline = render.render_clip(clip, fps=10, seed=3)
    width, height = 640, 480
    assert clip.read_bytes().startswith(b"YUV4MPEG2 W640 H480 F10:1")
    assert b" C420" in clip.read_bytes()[:100]  # yuv420p, what Chromium's fake camera reads
    data = decode(clip)
    assert len(data) % (width * height * 3) == 0
    frames = np.frombuffer(data, np.uint8).reshape(-1, height, width, 3)

    starts, ends, poses = zip(*timeline, strict=True)
    assert starts[0] == 0 and all(end == start for end, start in zip(ends, starts[1:], strict=False))
    assert set(poses) == set(config.CLASS_NAMES) and poses[0] == poses[-1] == "other"
    assert len(frames) == round(ends[-1] * 10)

    # The person punches in the punch segment, and every change happens inside the top band.
    start, end, _ = timeline[poses.index("punch")]
    idle, punching = frames[0].astype(int), frames[round((start + end) / 2 * 10)].astype(int)
    changed = np.abs(idle - punching).max(axis=2) > 60
    band = scene.band_height((width, height))
    assert changed[:band].sum() > 300
    assert changed[band:].sum() == 0


def test_clip_as_mp4_and_bad_names(tmp_path, monkeypatch):
    timeline = render.render_clip(tmp_path / "small.mp4", size=(160, 120), fps=5)
    assert len(decode(tmp_path / "small.mp4")) == round(timeline[-1][1] * 5) * 160 * 120 * 3

    with pytest.raises(UserError, match="y4m"):
        render.render_clip(tmp_path / "clip.avi")
    monkeypatch.setattr(render, "ffmpeg_executable", lambda: "false")
    with pytest.raises(UserError, match="ffmpeg could not write"):
        render.render_clip(tmp_path / "clip.y4m", size=(80, 60))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.mp4"]


def test_cli(tmp_path, capsys):
    assert main(["render", str(tmp_path / "data"), "--per-class", "2", "--seed", "4"]) == 0
    assert len(list((tmp_path / "data").rglob("*.jpg"))) == 2 * len(config.CLASS_DIRS)
    assert main(["render", "--clip", str(tmp_path / "clip.y4m"), "--seed", "2"]) == 0
    assert (tmp_path / "clip.y4m").stat().st_size > 640 * 480 * 1.5 * 100
    assert main(["render", str(tmp_path / "data"), "--per-class", "0"]) == 2
    assert main(["render"]) == 2
    assert main(["render", str(tmp_path / "data"), "--clip", str(tmp_path / "c.y4m")]) == 2
    assert main(["render", "--clip", str(tmp_path / "c.webm")]) == 2
    assert "error:" in capsys.readouterr().err


def test_still_clip_only_stands(tmp_path):
    clip = tmp_path / "still.y4m"
    timeline = render.render_clip(clip, size=(160, 120), script=render.STILL_SCRIPT)
    assert timeline == [(0.0, 8.0, "other")]
    header, _, rest = clip.read_bytes().partition(b"\n")
    assert b"W160 H120" in header and rest.count(b"FRAME") == 80


def test_names_are_printed_escaped(tmp_path, capsys):
    data = tmp_path / f"data{HOSTILE_NAME}"
    assert main(["render", str(data), "--per-class", "1"]) == 0
    assert_escaped(capsys.readouterr().out)  # wrote ... to <data>
    (data / "punches" / f"{HOSTILE_NAME}.jpg").write_bytes(b"my own photo")
    assert main(["render", str(data), "--per-class", "1"]) == 2  # <data> holds <photo>
    assert_escaped(capsys.readouterr().err)
    assert main(["render", "--clip", str(tmp_path / f"clip{HOSTILE_NAME}.avi")]) == 2
    assert_escaped(capsys.readouterr().err)
