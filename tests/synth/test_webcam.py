"""The fake webcam feed: a y4m or mp4 clip and its timeline, standing still, the spinning kicks."""

import subprocess

import numpy as np
import pytest

from tfjs_kombat import config
from tfjs_kombat.cli import main
from tfjs_kombat.errors import UserError
from tfjs_kombat.frames import ffmpeg_executable
from tfjs_kombat.synth import scene, webcam


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
    timeline = webcam.render_clip(clip, fps=10, seed=3)
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
    timeline = webcam.render_clip(tmp_path / "small.mp4", size=(160, 120), fps=5)
    assert len(decode(tmp_path / "small.mp4")) == round(timeline[-1][1] * 5) * 160 * 120 * 3

    with pytest.raises(UserError, match="y4m"):
        webcam.render_clip(tmp_path / "clip.avi")
    monkeypatch.setattr(webcam, "ffmpeg_executable", lambda: "false")
    with pytest.raises(UserError, match="ffmpeg could not write"):
        webcam.render_clip(tmp_path / "clip.y4m", size=(80, 60))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.mp4"]


def test_still_clip_only_stands(tmp_path):
    clip = tmp_path / "still.y4m"
    timeline = webcam.render_clip(clip, size=(160, 120), script=webcam.STILL_SCRIPT)
    [(start, end, pose)] = timeline
    assert (start, pose) == (0.0, "other")
    sways = end / webcam.SWAY_SECONDS
    assert sways >= 2 and sways == pytest.approx(round(sways))  # Chromium loops it without a jump
    header, _, rest = clip.read_bytes().partition(b"\n")
    assert b"W160 H120" in header and rest.count(b"FRAME") == round(end * 10)


SPINNING_SCRIPT = (("other", 1.0), ("roundhouse", 1.5), ("other", 1.0), ("back_kick", 1.5), ("other", 1.0))


def test_fake_camera_clip_plays_the_spinning_kicks(tmp_path, monkeypatch):
    """render_clip plays the dataset's move (motion.py): a roundhouse, then the same person's
    roundhouse backwards, each from its entry's start; the other entries' poses stay as they were."""
    played = []

    def sequence(person, room_, angles, rng, size, facing):
        played.extend(angles)
        return scene.render_sequence(person, room_, angles, rng, size, facing)

    monkeypatch.setattr(webcam, "render_sequence", sequence)
    timeline = webcam.render_clip(tmp_path / "spin.y4m", size=(160, 120), script=SPINNING_SCRIPT)
    assert [pose for _, _, pose in timeline] == [pose for pose, _ in SPINNING_SCRIPT]
    assert len(decode(tmp_path / "spin.y4m")) == 60 * 160 * 120 * 3
    shins = np.array([max(a["lead_leg"][1], a["rear_leg"][1]) for a in played])
    assert shins[:10].max() < 30 and shins[10:25].max() > 55  # stands, then kicks
    turns = np.array([a["turn"] for a in played])
    roundhouse, back_kick = slice(10, 22), slice(35, 47)  # 1.2 s from each move's start
    assert turns[roundhouse].min() < 0.45 and turns[back_kick].min() < 0.45  # both turn away: after
    assert np.argmin(turns[roundhouse]) > np.argmax(shins[roundhouse])  # the kick, and before it
    assert np.argmin(turns[back_kick]) < np.argmax(shins[back_kick])

    with pytest.raises(UserError, match="takes"):
        webcam.render_clip(tmp_path / "short.y4m", size=(80, 60), script=(("roundhouse", 0.3),))
    assert main(["render", "--clip", str(tmp_path / "cli.mp4"), "--script", "other:0.5,back_kick:1.2"]) == 0
    assert len(decode(tmp_path / "cli.mp4")) == 17 * 640 * 480 * 3
    for bad in ("other:0.5,jump:1", "kick", "kick:-1", "kick:soon"):
        assert main(["render", "--clip", str(tmp_path / "bad.mp4"), "--script", bad]) == 2
    assert main(["render", "--clip", str(tmp_path / "bad.mp4"), "--still", "--script", "kick:2"]) == 2
    assert not (tmp_path / "bad.mp4").exists()
