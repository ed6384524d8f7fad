"""dataset: scanning class folders, balancing and the leak-free split."""

import json
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from conftest import HOSTILE_NAME, assert_escaped
from PIL import Image
from test_frames import HUGE_PICTURE_MIB, SIZE, enormous_png, peak_mib, save, truncated_jpeg, zero_png

from tfjs_kombat import config, datafolder, dataset, frames
from tfjs_kombat.cli import main
from tfjs_kombat.errors import UserError


def distinct_image(index, class_index=0):
    """A small image whose bytes differ for every (index, class_index)."""
    return Image.new("RGB", SIZE, (index % 256, (index // 256) * 16 + class_index * 70, 100))


def make_dataset(root, counts):
    for class_index, (name, count) in enumerate(counts.items()):
        for index in range(count):
            save(root / name / f"{index:03d}.png", distinct_image(index, class_index))
    return root


# --- scan ---------------------------------------------------------------------------------------


def messy_dataset(root):
    """Every kind of file a user might have, in three class folders."""
    make_dataset(root, {"punches": 5, "kicks": 4})
    save(root / "punches" / "UPPER.JPG", distinct_image(50), format="JPEG")
    save(root / "punches" / "ñandú_拳.Png", distinct_image(51), format="PNG")
    truncated_jpeg(root / "punches" / "bad.jpg")
    (root / "kicks" / "empty.jpeg").write_bytes(b"")
    (root / "kicks" / "text.jpg").write_text("not a picture")
    enormous_png(root / "kicks" / "bomb.png", 100_000, 100_000)
    (root / "kicks" / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")
    (root / "kicks" / "notes.txt").write_text("todo")
    (root / "others").mkdir()
    (root / "unsorted").mkdir()
    return root


def test_scan_sorts_out_good_bad_and_foreign_files(tmp_path):
    result = dataset.scan(messy_dataset(tmp_path / "data"))
    root = (tmp_path / "data").resolve()
    assert result.root == root
    assert set(result.images) == set(config.CLASS_DIRS)
    names = {name: [p.name for p in paths] for name, paths in result.images.items()}
    numbered = [f"{i:03d}.png" for i in range(5)]
    assert names["punches"] == sorted([*numbered, "UPPER.JPG", "ñandú_拳.Png"])
    assert names["kicks"] == numbered[:4]
    assert names["others"] == []
    reasons = {path.relative_to(root).as_posix(): reason for path, reason in result.skipped}
    assert reasons == {
        "punches/bad.jpg": "truncated image",
        "kicks/empty.jpeg": "empty file",
        "kicks/text.jpg": "not an image",
        "kicks/bomb.png": reasons["kicks/bomb.png"],
    }
    assert "too large" in reasons["kicks/bomb.png"]
    text = "\n".join(result.warnings)
    assert "notes.txt" in text and ".DS_Store" not in text
    assert "others/ is empty" in text
    assert "unsorted/" in text and "ignoring" in text
    assert len(result.warnings) == 3


def test_scan_checks_huge_pictures_in_bounded_memory(tmp_path):
    root = make_dataset(tmp_path / "data", {"punches": 1, "kicks": 1})
    zero_png(root / "punches" / "huge.png", 7000, 7000, 6, 8)  # RGBA
    zero_png(root / "kicks" / "huge.png", 7000, 7000, 0, 16)  # 16-bit grey
    code = "assert sum(map(len, dataset.scan(sys.argv[1]).images.values())) == 4"
    assert peak_mib(code, root) < HUGE_PICTURE_MIB


def test_scan_warns_about_missing_class_folder_and_nested_folders(tmp_path):
    root = make_dataset(tmp_path, {"punches": 2, "others": 2})
    (root / "punches" / "session1").mkdir()
    (root / "stray.jpg").write_bytes(b"")
    result = dataset.scan(root)
    text = "\n".join(result.warnings)
    assert "missing class folder kicks/" in text
    assert "session1/" in text
    assert "stray.jpg" in text
    assert result.images["kicks"] == []


def test_scan_refuses_a_missing_root_or_a_file(tmp_path):
    with pytest.raises(UserError, match="no such folder"):
        dataset.scan(tmp_path / "nope")
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(UserError, match="not a folder"):
        dataset.scan(tmp_path / "file.txt")


def test_scan_needs_two_classes_with_usable_images(tmp_path):
    root = make_dataset(tmp_path / "data", {"punches": 3})
    (root / "kicks").mkdir()
    (root / "others").mkdir()
    (root / "others" / "broken.jpg").write_text("no")
    (root / "Kicks_new").mkdir()
    with pytest.raises(UserError) as caught:
        dataset.scan(root)
    message = str(caught.value)
    assert "at least two of punches/, kicks/, others/" in message
    assert "punches/ 3 images" in message
    assert "others/ 0 usable of 1" in message
    assert "Kicks_new/" in message


def test_scan_reports_progress_on_large_folders(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(dataset, "PROGRESS_EVERY", 3)
    dataset.scan(make_dataset(tmp_path, {"punches": 4, "kicks": 3}))
    assert capsys.readouterr().out.splitlines() == ["checked 3/7 images", "checked 6/7 images"]


# --- balance and split --------------------------------------------------------------------------


def fake_images(counts):
    return {name: [Path(f"{name}/{i:03d}.png") for i in range(n)] for name, n in counts.items()}


def test_balance_caps_at_the_smallest_nonempty_class_with_a_seed():
    images = fake_images({"punches": 10, "kicks": 6, "others": 0})
    images["punches"].reverse()  # input order must not matter
    balanced = dataset.balance(images, seed=1)
    assert {name: len(paths) for name, paths in balanced.items()} == {"punches": 6, "kicks": 6, "others": 0}
    assert balanced["kicks"] == fake_images({"kicks": 6})["kicks"]
    assert set(balanced["punches"]) <= set(images["punches"])
    assert balanced["punches"] == sorted(balanced["punches"])
    assert dataset.balance(images, seed=1) == balanced
    picks = {tuple(dataset.balance(images, seed=s)["punches"]) for s in range(10)}
    assert len(picks) > 1  # the seed really chooses


def write_images(root, counts):
    make_dataset(root, counts)
    return {name: sorted((root / name).glob("*.png")) for name in counts}


def test_split_is_stratified_disjoint_complete_and_deterministic(tmp_path):
    images = write_images(tmp_path, {"punches": 20, "kicks": 10, "others": 2})
    train, test = dataset.split(images, 0.2, seed=5)
    for name, paths in images.items():
        assert not set(train[name]) & set(test[name])
        assert sorted(train[name] + test[name]) == paths
        assert train[name] == sorted(train[name]) and test[name] == sorted(test[name])
    assert {name: len(paths) for name, paths in test.items()} == {"punches": 4, "kicks": 2, "others": 1}
    assert dataset.split(images, 0.2, seed=5) == (train, test)
    assert dataset.split(images, 0.2, seed=6) != (train, test)


def test_split_of_a_single_image_keeps_it_for_training(tmp_path):
    images = write_images(tmp_path, {"punches": 1, "kicks": 3})
    train, test = dataset.split(images, 0.2, seed=0)
    assert len(train["punches"]) == 1 and test["punches"] == []
    assert len(train["kicks"]) == 2 and len(test["kicks"]) == 1


def test_identical_files_never_straddle_the_split(tmp_path):
    images = write_images(tmp_path, {"punches": 8, "kicks": 6})
    copies = [tmp_path / "punches" / f"copy{i}.png" for i in range(3)]
    for copy in copies:
        shutil.copy(images["punches"][0], copy)
    cross = tmp_path / "kicks" / "same_as_a_punch.png"
    shutil.copy(images["punches"][1], cross)
    images = {name: sorted((tmp_path / name).glob("*.png")) for name in images}
    group = {images["punches"][0], *copies}
    for seed in range(25):
        train, test = dataset.split(images, 0.3, seed)
        assert group <= set(train["punches"]) or group <= set(test["punches"])
        in_test = images["punches"][1] in test["punches"]
        assert (cross in test["kicks"]) == in_test
        for name in images:
            assert train[name] and test[name]


def test_a_class_of_two_identical_files_goes_to_one_side(tmp_path):
    images = write_images(tmp_path, {"punches": 5, "kicks": 1})
    shutil.copy(images["kicks"][0], tmp_path / "kicks" / "again.png")
    images["kicks"] = sorted((tmp_path / "kicks").glob("*.png"))
    train, test = dataset.split(images, 0.2, seed=0)
    assert (len(train["kicks"]), len(test["kicks"])) == (2, 0)


# --- make_split and the CLI ---------------------------------------------------------------------


def test_make_split_writes_the_manifest(tmp_path, capsys):
    root = messy_dataset(tmp_path / "data")
    make_dataset(root, {"others": 12})
    out = tmp_path / "build" / "split.json"
    manifest = dataset.make_split(root, out, seed=3)
    assert json.loads(out.read_text(encoding="utf-8")) == manifest
    assert manifest["root"] == str(root.resolve())
    assert manifest["classes"] == list(config.CLASS_DIRS)
    assert (manifest["seed"], manifest["test_fraction"], manifest["balanced"]) == (3, 0.2, True)
    assert manifest["counts"] == {
        "punches": {"found": 8, "skipped": 1, "used": 4, "train": 3, "test": 1},
        "kicks": {"found": 7, "skipped": 3, "used": 4, "train": 3, "test": 1},
        "others": {"found": 12, "skipped": 0, "used": 4, "train": 3, "test": 1},
    }
    for side in ("train", "test"):
        assert list(manifest[side]) == list(config.CLASS_DIRS)
        for name, paths in manifest[side].items():
            assert all(p.startswith(f"{name}/") and (root / p).is_file() for p in paths)
    assert {s["path"] for s in manifest["skipped"]} == {
        "punches/bad.jpg",
        "kicks/empty.jpeg",
        "kicks/text.jpg",
        "kicks/bomb.png",
    }
    assert any("notes.txt" in w for w in manifest["warnings"])
    captured = capsys.readouterr()
    assert "class" in captured.out and "skipped" in captured.out
    assert any(line.split()[:6] == ["others", "12", "0", "4", "3", "1"] for line in captured.out.splitlines())
    assert "warning: skipped punches/bad.jpg: truncated image" in captured.err


def test_make_split_without_balance_uses_everything(tmp_path):
    root = make_dataset(tmp_path / "data", {"punches": 9, "kicks": 5, "others": 20})
    save(root / "punches" / "ñandú_拳.Png", distinct_image(99), format="PNG")
    out = tmp_path / "split.json"
    manifest = dataset.make_split(root, out, test_fraction=0.3, balance=False)
    assert {n: c["used"] for n, c in manifest["counts"].items()} == {"punches": 10, "kicks": 5, "others": 20}
    assert "punches/ñandú_拳.Png" in out.read_text(encoding="utf-8")  # unicode kept, not escaped
    assert {n: c["test"] for n, c in manifest["counts"].items()} == {"punches": 3, "kicks": 2, "others": 6}
    assert manifest["balanced"] is False


def test_cli_writes_the_manifest(tmp_path, capsys):
    root = make_dataset(tmp_path / "data", {"punches": 6, "kicks": 5, "others": 9})
    out = tmp_path / "out" / "split.json"
    assert main(["dataset", str(root), "--out", str(out), "--seed", "7", "--test-fraction", "0.4"]) == 0
    manifest = json.loads(out.read_text())
    assert manifest["seed"] == 7 and manifest["test_fraction"] == 0.4
    assert {n: c["used"] for n, c in manifest["counts"].items()} == {"punches": 5, "kicks": 5, "others": 5}
    assert f"wrote {out}" in capsys.readouterr().out


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing"], "no such folder"),
        (["data", "--test-fraction", "1"], "--test-fraction"),
        (["data", "--test-fraction", "0"], "--test-fraction"),
        (["one_class"], "at least two"),
    ],
)
def test_cli_reports_bad_input_without_a_traceback(tmp_path, capsys, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    make_dataset(tmp_path / "data", {"punches": 3, "kicks": 3})
    make_dataset(tmp_path / "one_class", {"kicks": 3})
    assert main(["dataset", *args]) == 2
    err = capsys.readouterr().err
    assert "error:" in err and message in err and "Traceback" not in err
    assert not (tmp_path / "build").exists()


def test_make_split_warns_when_a_class_cannot_be_tested(tmp_path, capsys):
    root = make_dataset(tmp_path / "data", {"punches": 5, "kicks": 1})
    manifest = dataset.make_split(root, tmp_path / "split.json", balance=False)
    assert manifest["counts"]["kicks"] == {"found": 1, "skipped": 0, "used": 1, "train": 1, "test": 0}
    assert "kicks/ has no test images" in "\n".join(manifest["warnings"])
    assert "warning: kicks/ has no test images" in capsys.readouterr().err


def test_names_are_printed_escaped(tmp_path, capsys):
    root = make_dataset(tmp_path / f"data{HOSTILE_NAME}", {"punches": 2, "kicks": 2})
    (root / "punches" / f"{HOSTILE_NAME}.jpg").write_text("not an image")
    (root / "kicks" / f"{HOSTILE_NAME}.txt").write_text("notes")
    (root / HOSTILE_NAME).mkdir()
    (root / f"{HOSTILE_NAME}.jpg").write_text("loose")
    out = tmp_path / f"split{HOSTILE_NAME}.json"
    assert main(["dataset", str(root), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert_escaped(captured.out)  # wrote <out>
    assert_escaped(captured.err)  # skipped, ignoring files, folders, loose files in <root>


def test_out_naming_a_folder_is_an_error_and_changes_nothing(tmp_path, capsys):
    root = make_dataset(tmp_path / "data", {"punches": 3, "kicks": 3})
    (tmp_path / "build" / "keep.txt").parent.mkdir()
    (tmp_path / "build" / "keep.txt").write_text("mine")
    assert main(["dataset", str(root), "--out", str(tmp_path / "build")]) == 2
    assert capsys.readouterr().err.endswith(f"\nerror: {tmp_path / 'build'}: Is a directory\n")
    assert [p.name for p in (tmp_path / "build").iterdir()] == ["keep.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "data"]  # no temporary file left


# --- clips --------------------------------------------------------------------------------------


def clip_frame(index, shade, size=SIZE):
    """Frame `index` of a clip: a bright bar that moves with the index on a `shade` background."""
    pixels = np.full((size[1], size[0], 3), shade % 200, np.uint8)
    left = (index * 3) % (size[0] - 3)
    pixels[:, left : left + 3] = 255
    return Image.fromarray(pixels)


def make_clip(folder, count, shade, suffix=".png"):
    """A clip folder of `count` frames named 001.png, 002.png, ..."""
    for index in range(count):
        save(folder / f"{index + 1:03d}{suffix}", clip_frame(index, shade))
    return folder


def make_video(path, count, shade, fps=20):
    """An H.264 mp4 of `count` frames at `fps` frames per second, made with ffmpeg."""
    frames_dir = path.parent / f".{path.name}-frames"
    for index in range(count):
        save(frames_dir / f"{index:03d}.png", clip_frame(index, shade, size=(64, 48)))
    command = [frames.ffmpeg_executable(), "-v", "error", "-nostdin", "-y", "-framerate", str(fps)]
    command += ["-i", str(frames_dir / "%03d.png"), "-pix_fmt", "yuv420p", "-c:v", "libx264", str(path)]
    subprocess.run(command, check=True)
    shutil.rmtree(frames_dir)
    return path


def make_clips(root, counts, frames_per_clip=4):
    """counts: {class folder: number of clip folders}; every clip differs from every other."""
    for class_index, (name, count) in enumerate(counts.items()):
        for index in range(count):
            make_clip(root / name / f"clip{index:02d}", frames_per_clip + index % 3, 40 * class_index + index)
    return root


def clip_names(clips):
    return [clip.path.name for clip in clips]


def test_scan_finds_clip_folders_and_videos_and_skips_broken_ones(tmp_path):
    root = make_dataset(tmp_path / "data", {"punches": 3, "kicks": 3, "others": 3})
    make_clip(root / "punches" / "jab", 5, shade=10)
    make_clip(root / "roundhouses" / "first", 6, shade=20, suffix=".jpg")
    make_clip(root / "roundhouses" / "second", 4, shade=30)
    (root / "roundhouses" / "second" / "notes.txt").write_text("taken at home")
    make_video(root / "back_kicks" / "turn.mp4", 20, shade=40)  # 1 s at 20 fps
    (root / "back_kicks" / "broken.mp4").write_bytes(b"not a video" * 50)
    truncated_jpeg(make_clip(root / "back_kicks" / "bad_frame", 3, shade=50) / "002.jpg")
    save(root / "roundhouses" / "stray.png", distinct_image(7))
    (root / "kicks" / "empty_take").mkdir()

    result = dataset.scan(root)
    assert {name: clip_names(clips) for name, clips in result.clips.items()} == {
        "punches": ["jab"],
        "kicks": [],
        "others": [],
        "roundhouses": ["first", "second"],
        "back_kicks": ["turn.mp4"],
    }
    frames_of = {clip.path.name: clip.frames for clips in result.clips.values() for clip in clips}
    assert frames_of == {"jab": 5, "first": 6, "second": 4, "turn.mp4": 10}  # the video at CLIP_FPS
    assert [p.name for p in result.images["punches"]] == [f"{i:03d}.png" for i in range(3)]  # clips apart
    reasons = {path.name: reason for path, reason in result.clip_skipped}
    assert set(reasons) == {"broken.mp4", "bad_frame"}
    assert reasons["broken.mp4"].startswith("ffmpeg cannot read it")
    assert reasons["bad_frame"] == "frame 002.jpg: truncated image"
    text = "\n".join(result.warnings)
    assert "roundhouses/: ignoring images directly in it: stray.png" in text
    assert "notes.txt" in text and "empty_take/" in text
    assert result.skipped == []


def test_a_clip_video_that_gives_too_many_frames_is_skipped(tmp_path, monkeypatch):
    root = make_clips(tmp_path / "data", {"roundhouses": 2})
    make_video(root / "back_kicks" / "long.mp4", 20, shade=40)  # 10 frames at the clip rate
    make_video(root / "back_kicks" / "short.mp4", 8, shade=60)  # 4
    monkeypatch.setattr(config, "MAX_VIDEO_FRAMES", 5)  # what augment's extract_frames would refuse
    result = dataset.scan(root)
    assert clip_names(result.clips["back_kicks"]) == ["short.mp4"]
    [(path, reason)] = result.clip_skipped
    assert path.name == "long.mp4" and reason.startswith("gives more than 5 frames at 10 fps")


def test_a_clip_keeps_the_order_its_frames_were_taken_in(tmp_path):
    for name in ("10.png", "2.png", "1.png", "003.png", ".hidden.png"):
        save(tmp_path / name, distinct_image(0))
    (tmp_path / "notes.txt").write_text("not a frame")
    (tmp_path / "sub.png").mkdir()
    assert [p.name for p in datafolder.clip_frame_files(tmp_path)] == ["1.png", "2.png", "003.png", "10.png"]


def test_clip_split_has_no_leakage(tmp_path):
    root = make_clips(tmp_path / "data", {"kicks": 9, "roundhouses": 8, "back_kicks": 7})
    shutil.copytree(root / "kicks" / "clip00", root / "kicks" / "clip00_again")  # the same clip twice
    shutil.copytree(root / "kicks" / "clip01", root / "roundhouses" / "same_as_a_kick")
    result = dataset.scan(root)
    for seed in range(20):
        train, test = dataset.split(result.clips, 0.25, seed, key=lambda clip: clip.digest)
        sides = {}
        for side, clips in (("train", train), ("test", test)):
            for name, listed in clips.items():
                for clip in listed:
                    sides.setdefault(clip.digest, set()).add(side)
                    assert clip.path.parent.name == name
        assert all(len(side) == 1 for side in sides.values())  # identical clips on one side only
        for name, clips in result.clips.items():
            assert sorted(train[name] + test[name]) == sorted(clips)
            assert (train[name] and test[name]) or not clips

    manifest = dataset.make_split(root, tmp_path / "split.json", balance=False)
    train_frames = {
        frame.relative_to(root)
        for clips in manifest["clips"]["train"].values()
        for clip in clips
        for frame in (root / clip).iterdir()
    }
    for clips in manifest["clips"]["test"].values():
        for clip in clips:
            assert clip not in [c for listed in manifest["clips"]["train"].values() for c in listed]
            assert not {frame.relative_to(root) for frame in (root / clip).iterdir()} & train_frames


def test_make_split_balances_by_clips_and_reports_clips_and_frames(tmp_path, capsys):
    root = make_dataset(tmp_path / "data", {"punches": 6, "kicks": 5, "others": 5})
    make_clips(root, {"punches": 8, "kicks": 5, "others": 6, "roundhouses": 5, "back_kicks": 4})
    make_video(root / "back_kicks" / "turn.mp4", 20, shade=3)
    (root / "kicks" / "broken.webm").write_bytes(b"\x1aE\xdf\xa3 not really")
    manifest = dataset.make_split(root, tmp_path / "split.json", seed=2)

    assert {name: row["used"] for name, row in manifest["counts"].items()} == dict.fromkeys(
        config.CLASS_DIRS, 5
    )
    assert all(len(paths) == 4 for paths in manifest["train"].values())  # the images as ever
    clips = manifest["clips"]
    assert clips["classes"] == list(config.CLIP_CLASS_DIRS) and clips["fps"] == config.CLIP_FPS
    for name in config.CLIP_CLASS_DIRS:
        row = clips["counts"][name]
        assert (row["clips"], row["train"], row["test"]) == (5, 4, 1)  # capped at the smallest class
        used = clips["train"][name] + clips["test"][name]
        assert row["frames"] == sum(clips["frames"][clip] for clip in used)
        assert row["train_frames"] == sum(clips["frames"][clip] for clip in clips["train"][name])
        assert row["test_frames"] == row["frames"] - row["train_frames"]
    assert clips["counts"]["punches"]["found"] == 8
    assert clips["counts"]["kicks"]["skipped"] == 1
    assert clips["frames"].get("back_kicks/turn.mp4", 10) == 10
    assert [item["path"] for item in clips["skipped"]] == ["kicks/broken.webm"]

    out, err = capsys.readouterr()
    lines = [line.split() for line in out.splitlines()]
    header = lines.index(
        ["clips", "found", "skipped", "used", "train", "test", "frames", "train_f", "test_f"]
    )
    table = {line[0]: line[1:] for line in lines[header + 1 : header + 6]}
    assert list(table) == list(config.CLIP_CLASS_DIRS)
    assert table["punches"][:5] == ["8", "0", "5", "4", "1"]
    assert table["back_kicks"][:5] == ["5", "0", "5", "4", "1"]
    assert "balanced the clip classes: left out 4 clips at random" in out
    assert "warning: skipped clip kicks/broken.webm: ffmpeg cannot read it" in err
    assert "Traceback" not in err


def test_a_dataset_of_clips_only_is_valid_and_images_only_has_no_clips(tmp_path, capsys):
    root = make_clips(tmp_path / "clips_only", {"roundhouses": 3, "back_kicks": 3})
    manifest = dataset.make_split(root, tmp_path / "split.json")
    assert all(paths == [] for side in ("train", "test") for paths in manifest[side].values())
    assert {name: len(clips) for name, clips in manifest["clips"]["test"].items() if clips} == {
        "roundhouses": 1,
        "back_kicks": 1,
    }
    assert not any("is empty" in warning for warning in manifest["warnings"])
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[0] == "clips"  # no image table for a dataset of clips

    images_only = make_dataset(tmp_path / "images_only", {"punches": 3, "kicks": 3})
    assert "clips" not in dataset.make_split(images_only, tmp_path / "split2.json")


def test_clips_need_two_classes_and_images_too(tmp_path):
    root = make_clips(tmp_path / "data", {"roundhouses": 3})
    make_dataset(root, {"punches": 2})
    with pytest.raises(UserError) as caught:
        dataset.scan(root)
    message = str(caught.value)
    assert "(or clips in at least two of punches/, kicks/, others/, roundhouses/, back_kicks/)" in message
    assert "punches/ 2 images" in message and "clips: roundhouses/ 3" in message

    make_clips(root, {"kicks": 3})  # clips in two classes now: the lone image class is left out
    result = dataset.scan(root)
    assert result.images["punches"] == [] and len(result.clips["kicks"]) == 3
    assert any("only punches/ has images" in warning for warning in result.warnings)


def test_clip_names_are_printed_escaped(tmp_path, capsys):
    root = make_clips(tmp_path / "data", {"roundhouses": 2, "back_kicks": 2})
    truncated_jpeg(make_clip(root / "roundhouses" / HOSTILE_NAME, 2, shade=5) / f"{HOSTILE_NAME}.jpg")
    (root / "back_kicks" / f"{HOSTILE_NAME}.mp4").write_bytes(b"not a video")
    save(root / "back_kicks" / f"{HOSTILE_NAME}.png", distinct_image(3))
    assert main(["dataset", str(root), "--out", str(tmp_path / "split.json")]) == 0
    err = capsys.readouterr().err
    assert_escaped(err)
    assert "skipped clip 'back_kicks/" in err and "skipped clip 'roundhouses/" in err
