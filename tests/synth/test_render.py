"""The default dataset and the fake-camera clips: layout, determinism, atomic replacement."""

import subprocess

import numpy as np
import pytest
from conftest import HOSTILE_NAME, assert_escaped
from PIL import Image

from tfjs_kombat import config
from tfjs_kombat.cli import main
from tfjs_kombat.errors import UserError
from tfjs_kombat.frames import ffmpeg_executable
from tfjs_kombat.synth import render, scene, webcam


def pixels(image):
    return np.asarray(image, dtype=np.int16)


def test_dataset_layout_counts_and_determinism(tmp_path, capsys):
    counts = render.render_dataset(tmp_path / "a", per_class=3, seed=5, size=(160, 120), clips_per_class=0)
    assert counts == {name: 3 for name in config.CLASS_DIRS}
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(config.CLASS_DIRS)
    for name in config.CLASS_DIRS:
        files = sorted((tmp_path / "a" / name).iterdir())
        assert [f.name for f in files] == ["0001.jpg", "0002.jpg", "0003.jpg"]
        with Image.open(files[0]) as image:
            assert image.format == "JPEG" and image.mode == "RGB" and image.size == (160, 120)
    assert "rendered 9/9 images" in capsys.readouterr().out

    render.render_dataset(tmp_path / "b", per_class=3, seed=5, size=(160, 120), clips_per_class=0)
    render.render_dataset(tmp_path / "c", per_class=2, seed=6, size=(160, 120), clips_per_class=0)
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
    render.render_dataset(tmp_path / "data", per_class=60, seed=3, size=(80, 60), clips_per_class=0)
    assert 0.1 * 60 <= len(drawn) <= 0.3 * 60
    blank = [p for p in (tmp_path / "data").rglob("*.jpg") if np.asarray(Image.open(p)).max() < 8]
    assert len(blank) == len(drawn) and {p.parent.name for p in blank} == {"others"}


def test_dataset_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    out = tmp_path / "data"
    render.render_dataset(out, per_class=2, seed=1, size=(80, 60), clips_per_class=1)
    before = {p: p.read_bytes() for p in out.rglob("*.jpg")}

    calls = []

    def fail_on_the_fourth(*args):
        calls.append(args)
        if len(calls) == 4:
            raise KeyboardInterrupt
        return Image.new("RGB", (80, 60))

    monkeypatch.setattr(render, "render_pose", fail_on_the_fourth)
    with pytest.raises(KeyboardInterrupt):
        render.render_dataset(out, per_class=2, seed=2, size=(80, 60), clips_per_class=1)
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
    with pytest.raises(UserError, match="nothing to render"):
        render.render_dataset(tmp_path / "new", per_class=0, clips_per_class=0)
    with pytest.raises(UserError, match="0 or more"):
        render.render_dataset(tmp_path / "new", per_class=-1)


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


def test_cli(tmp_path, capsys):
    assert (
        main(["render", str(tmp_path / "data"), "--per-class", "2", "--seed", "4", "--clips-per-class", "0"])
        == 0
    )
    assert len(list((tmp_path / "data").rglob("*.jpg"))) == 2 * len(config.CLASS_DIRS)
    assert main(["render", "--clip", str(tmp_path / "clip.y4m"), "--seed", "2"]) == 0
    assert (tmp_path / "clip.y4m").stat().st_size > 640 * 480 * 1.5 * 100
    assert main(["render", str(tmp_path / "data"), "--per-class", "0", "--clips-per-class", "0"]) == 2
    assert main(["render"]) == 2
    assert main(["render", str(tmp_path / "data"), "--clip", str(tmp_path / "c.y4m")]) == 2
    assert main(["render", "--clip", str(tmp_path / "c.webm")]) == 2
    assert "error:" in capsys.readouterr().err


def test_still_clip_only_stands(tmp_path):
    clip = tmp_path / "still.y4m"
    timeline = webcam.render_clip(clip, size=(160, 120), script=webcam.STILL_SCRIPT)
    [(start, end, pose)] = timeline
    assert (start, pose) == (0.0, "other")
    sways = end / webcam.SWAY_SECONDS
    assert sways >= 2 and sways == pytest.approx(round(sways))  # Chromium loops it without a jump
    header, _, rest = clip.read_bytes().partition(b"\n")
    assert b"W160 H120" in header and rest.count(b"FRAME") == round(end * 10)


def test_names_are_printed_escaped(tmp_path, capsys):
    data = tmp_path / f"data{HOSTILE_NAME}"
    assert main(["render", str(data), "--per-class", "1", "--clips-per-class", "0"]) == 0
    assert_escaped(capsys.readouterr().out)  # wrote ... to <data>
    (data / "punches" / f"{HOSTILE_NAME}.jpg").write_bytes(b"my own photo")
    assert (
        main(["render", str(data), "--per-class", "1", "--clips-per-class", "0"]) == 2
    )  # <data> holds <photo>
    assert_escaped(capsys.readouterr().err)
    assert main(["render", "--clip", str(tmp_path / f"clip{HOSTILE_NAME}.avi")]) == 2
    assert_escaped(capsys.readouterr().err)


# ---------------------------------------------------------------------------------------------
# Clips: the sequence head's data


def clip_frames(folder):
    return sorted(folder.iterdir())


def test_clips_layout_counts_and_determinism(tmp_path, capsys):
    render.render_dataset(tmp_path / "a", per_class=1, seed=5, size=(160, 120), clips_per_class=2)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(config.CLIP_CLASS_DIRS)
    for name in config.CLIP_CLASS_DIRS:
        entries = sorted(p.name for p in (tmp_path / "a" / name).iterdir())
        pictures = ["0001.jpg"] if name in config.CLASS_DIRS else []  # the two spinning kicks: clips only
        assert entries == [*pictures, "c0001", "c0002"]
        for clip in ("c0001", "c0002"):
            frames = clip_frames(tmp_path / "a" / name / clip)
            assert [f.name for f in frames] == [f"{k:03d}.jpg" for k in range(config.SEQUENCE_LENGTH)]
            for frame in frames:
                with Image.open(frame) as image:
                    assert image.format == "JPEG" and image.mode == "RGB" and image.size == (160, 120)
    assert "rendered 10/10 clips of 12 frames" in capsys.readouterr().out

    # Clip i of a class depends only on (seed, class, i): fewer clips are a prefix, another seed differs.
    render.render_dataset(tmp_path / "b", per_class=1, seed=5, size=(160, 120), clips_per_class=1)
    render.render_dataset(tmp_path / "c", per_class=1, seed=6, size=(160, 120), clips_per_class=1)
    for name in config.CLIP_CLASS_DIRS:
        a, b, c = (clip_frames(tmp_path / d / name / "c0001") for d in "abc")
        assert [f.read_bytes() for f in a] == [f.read_bytes() for f in b]
        assert a[5].read_bytes() != c[5].read_bytes()
        assert not (tmp_path / "b" / name / "c0002").exists()
    render.render_dataset(tmp_path / "a", per_class=1, seed=5, size=(80, 60), clips_per_class=0)
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == sorted(config.CLASS_DIRS)  # replaced
    with pytest.raises(UserError, match="0 or more"):
        render.render_dataset(tmp_path / "d", per_class=1, clips_per_class=-1)
    render.render_dataset(tmp_path / "clips", per_class=0, seed=5, size=(80, 60), clips_per_class=1)
    assert sorted(p.relative_to(tmp_path / "clips").as_posix() for p in (tmp_path / "clips").glob("*/*")) == [
        f"{name}/c0001" for name in sorted(config.CLIP_CLASS_DIRS)
    ]  # clips only


def blocks(image, size=16):
    """Mean colour of size x size blocks: sensor noise averages out, the picture does not."""
    pixels = np.asarray(image, dtype=np.float32)
    h, w = pixels.shape[0] // size * size, pixels.shape[1] // size * size
    return pixels[:h, :w].reshape(h // size, size, w // size, size, 3).mean(axis=(1, 3))


@pytest.mark.parametrize("clip_class", config.CLIP_CLASS_NAMES)
def test_a_clip_is_one_person_in_one_room(clip_class):
    """The room, the camera and the person's spot stay; only the moving limbs change. Away from
    the figure, frames differ by sensor noise alone; another clip is another room."""
    index = {"other": 1}.get(clip_class, 0)  # other 0 is an empty room
    images, quality = render.render_clip_frames(clip_class, index, seed=8)
    assert len(images) == config.SEQUENCE_LENGTH and 60 <= quality < 96
    assert {image.size for image in images} == {(320, 240)}
    means = np.stack([blocks(image) for image in images])
    change = np.abs(means - means[0]).max(axis=(0, 3))  # per block, over the frames
    moving = change > 3
    columns = np.flatnonzero(moving.any(axis=0))
    assert 0 < len(columns) and columns[-1] - columns[0] <= 10  # a person moves, in one spot
    near = moving.copy()  # the moving blocks and their neighbours
    for axis, step in ((0, 1), (0, -1), (1, 1), (1, -1)):
        near |= np.roll(moving, step, axis=axis)
    still = ~near
    assert still.mean() > 0.6 and change[still].max() < 3  # the same room and light in every frame
    other, _ = render.render_clip_frames(clip_class, index + 1, seed=8)
    assert np.abs(blocks(other[0]) - means[0])[still].mean() > 8  # another clip, another room


def test_some_other_clips_show_nobody():
    empty = 0
    for i in range(30):
        images, _ = render.render_clip_frames("other", i, size=(80, 60))
        means = np.stack([blocks(image, 4) for image in images])
        empty += np.abs(means - means[0]).max() < 6  # nothing moves: noise only
    assert 2 <= empty <= 12  # about config.NOBODY_SHARE of 30


def test_dataset_keeps_clips_apart_from_foreign_files(tmp_path):
    """A rendered folder with clips may be replaced; anything else in it stops the render."""
    out = tmp_path / "data"
    render.render_dataset(out, per_class=1, seed=1, size=(80, 60), clips_per_class=1)
    render.render_dataset(out, per_class=1, seed=2, size=(80, 60), clips_per_class=1)  # ours: replaced
    foreign = [
        "roundhouses/c0001/notes.txt",
        "back_kicks/my-kick.mp4",
        "kicks/c0001/clip.jpg",
        "others/c1/000.jpg",
        "others/mine/000.jpg",
        "punches/c0009/000.jpg/inside.jpg",
        "jumps/c0001/000.jpg",
    ]
    for name in foreign:
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"mine")
        with pytest.raises(UserError, match="did not write"):
            render.render_dataset(out, per_class=1, seed=3, size=(80, 60), clips_per_class=1)
        assert path.read_bytes() == b"mine"
        path.unlink()
        while path.parent != out and not any(path.parent.iterdir()):
            path.parent.rmdir()
            path = path.parent
    (out / "roundhouses" / "c0002").write_bytes(b"a file named like a clip folder")
    with pytest.raises(UserError, match="did not write"):
        render.render_dataset(out, per_class=1, seed=3, size=(80, 60), clips_per_class=1)


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
