"""The default dataset (pictures and clips) and the render command: layout, determinism, replacement."""

import numpy as np
import pytest
from conftest import HOSTILE_NAME, assert_escaped
from PIL import Image

from tfjs_kombat import config
from tfjs_kombat.cli import main
from tfjs_kombat.errors import UserError
from tfjs_kombat.synth import render


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
