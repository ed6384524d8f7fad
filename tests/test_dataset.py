"""dataset: scanning class folders, balancing and the leak-free split."""

import json
import shutil
from pathlib import Path

import pytest
from conftest import HOSTILE_NAME, assert_escaped
from PIL import Image
from test_frames import SIZE, enormous_png, save, truncated_jpeg

from tfjs_kombat import config, dataset
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
