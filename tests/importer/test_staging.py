"""import: verified, de-duplicated and moved in all or nothing, never overwriting (staging.py)."""

import errno
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from importer_helpers import (
    added,
    clip_rows,
    export,
    fail_the_third_move,
    frame,
    frames_of,
    jpeg,
    make_zip,
    png,
    tree,
)
from test_frames import write_video

from tfjs_kombat import cli, importer
from tfjs_kombat.datafolder import content_hash
from tfjs_kombat.errors import UserError
from tfjs_kombat.frames import load_image


def test_a_recorded_export_imports_with_content_addressed_names(tmp_path, capsys):
    data = tmp_path / "data" / "mine"
    report = importer.import_source(export(tmp_path / "export.zip"), data)
    assert added(report) == {"punches": 3, "kicks": 2, "others": 4}
    assert {name: row["total"] for name, row in report["classes"].items()} == added(report)
    assert report["balance"] == {"smallest": 2, "largest": 4}
    for path in data.glob("*/*"):
        assert path.name == content_hash(path)[:16] + ".png"
        load_image(path)
    assert sorted(p.name for p in (tmp_path / "data").iterdir()) == ["mine"]  # no staging left
    out = capsys.readouterr().out
    assert "hint: unbalanced" in out and out.strip().endswith(f"next: make train DATA={data}")


def test_reimporting_the_same_zip_adds_nothing(tmp_path):
    source, data = export(tmp_path / "export.zip"), tmp_path / "mine"
    importer.import_source(source, data)
    before = tree(data)
    report = importer.import_source(source, data)
    assert set(added(report).values()) == {0}
    assert {name: row["duplicates"] for name, row in report["classes"].items()} == {
        "punches": 3,
        "kicks": 2,
        "others": 4,
    }
    assert report["conflicts"] == [] and tree(data) == before


def test_merging_keeps_existing_files_and_warns_about_cross_class_duplicates(tmp_path, capsys):
    data = tmp_path / "mine"
    (data / "punches").mkdir(parents=True)
    (data / "punches" / "old.png").write_bytes(png(0))  # the same bytes as the zip's punches/a.png
    (data / "kicks").mkdir()
    (data / "kicks" / "moved.png").write_bytes(png(1))  # the same bytes as the zip's others/b.png
    (data / "notes.txt").write_text("mine")
    before = tree(data)
    source = make_zip(
        tmp_path / "more.zip", {"punches/a.png": png(0), "others/b.png": png(1), "others/c.png": png(2)}
    )
    report = importer.import_source(source, data)

    assert {path: content for path, content in tree(data).items() if path in before} == before
    assert added(report) == {"punches": 0, "kicks": 0, "others": 1}
    assert report["classes"]["others"]["duplicates"] == 1 and report["classes"]["punches"]["duplicates"] == 1
    assert report["conflicts"] == ["others/b.png (others) is the same image as kicks/moved.png (kicks)"]
    assert "conflict: others/b.png" in capsys.readouterr().err


def test_duplicates_within_one_import_are_kept_once(tmp_path):
    source = make_zip(
        tmp_path / "x.zip", {"punches/a.png": png(5), "punches/b.png": png(5), "kicks/c.png": png(5)}
    )
    report = importer.import_source(source, tmp_path / "mine")
    assert added(report)["punches"] == 1 and report["classes"]["kicks"]["duplicates"] == 1
    assert len(report["conflicts"]) == 1 and not (tmp_path / "mine" / "kicks").exists()


def test_unreadable_images_are_skipped_with_the_reason(tmp_path):
    source = make_zip(
        tmp_path / "x.zip",
        {
            "punches/a.png": png(1),
            "punches/junk.png": b"hello",
            "kicks/empty.jpg": b"",
            "kicks/b.jpg": jpeg(3),
        },
    )
    report = importer.import_source(source, tmp_path / "mine")
    assert report["skipped"] == [
        {"path": "punches/junk.png", "reason": "not an image"},
        {"path": "kicks/empty.jpg", "reason": "empty file"},
    ]
    assert report["classes"]["punches"]["unreadable"] == 1 and report["classes"]["kicks"]["unreadable"] == 1
    assert added(report) == {"punches": 1, "kicks": 1, "others": 0}


def test_a_failed_move_leaves_the_dataset_as_it_was(tmp_path, monkeypatch):
    data = tmp_path / "mine"
    (data / "punches").mkdir(parents=True)
    (data / "punches" / "old.png").write_bytes(png(200))
    before = tree(data)
    fail_the_third_move(monkeypatch)
    with pytest.raises(UserError, match="disk full"):
        importer.import_source(export(tmp_path / "export.zip"), data)
    assert tree(data) == before and sorted(os.listdir(data)) == ["punches"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.zip", "mine"]


# Tests run as root, whom file modes do not stop: a read-only or full disk is simulated where the
# import writes, with the errors the system gives.
def read_only(target, *args):
    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))


def read_only_file_system(path, *args):
    raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # write() names no file


@pytest.mark.parametrize(
    ("module", "function", "fails", "reason"),
    [
        (os, "mkdir", read_only_file_system, "Read-only file system"),  # the staging folder's mkdir
        (shutil, "move", lambda source, target: read_only(target), "Permission denied"),
        (shutil, "copyfile", disk_full, "No space left on device"),
    ],
)
def test_a_read_only_or_full_disk_is_an_error_naming_the_target_and_changes_nothing(
    tmp_path, monkeypatch, capsys, module, function, fails, reason
):
    data = tmp_path / "mine"
    (data / "punches").mkdir(parents=True)
    (data / "punches" / "old.png").write_bytes(png(200))
    before = tree(data)
    monkeypatch.setattr(module, function, fails)
    assert cli.main(["import", str(export(tmp_path / "export.zip")), "--into", str(data)]) == 2
    assert capsys.readouterr().err == f"error: cannot import into {data}: {reason}; nothing was imported\n"
    assert tree(data) == before and sorted(p.name for p in tmp_path.iterdir()) == ["export.zip", "mine"]


def test_an_unreadable_source_file_is_named_as_it_is(tmp_path, monkeypatch, capsys):
    source = tmp_path / "recording"
    (source / "punches").mkdir(parents=True)
    (source / "punches" / "a.png").write_bytes(png(1))
    real_open = open

    def unreadable(path, *args, **kwargs):
        if os.fspath(path) == str(source / "punches" / "a.png"):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fspath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", unreadable)
    assert cli.main(["import", str(source), "--into", str(tmp_path / "mine")]) == 2
    assert capsys.readouterr().err == f"error: {source / 'punches' / 'a.png'}: Permission denied\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recording"]


def test_a_full_disk_while_staging_removes_the_folders_it_made(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "mkdtemp", disk_full)
    with pytest.raises(UserError, match="No space left on device"):
        importer.import_source(export(tmp_path / "export.zip"), tmp_path / "new" / "deeper" / "mine")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.zip"]


# An import caught mid-way: its staging folder made and half filled, waiting on its stdin.
IMPORT_IN_PROGRESS = """
import sys
from pathlib import Path
from tfjs_kombat.importer.staging import staging_folder
with staging_folder(Path(sys.argv[1]).resolve()) as (staging, _):
    (staging / "accepted").mkdir()
    print(staging, flush=True)
    sys.stdin.read()
"""


def test_a_killed_imports_staging_folder_is_removed_by_the_next_but_never_a_running_ones(tmp_path, capsys):
    data = tmp_path / "mine"
    running = subprocess.Popen(
        [sys.executable, "-c", IMPORT_IN_PROGRESS, str(data)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    staging = Path(running.stdout.readline().decode().strip())
    try:
        importer.import_source(export(tmp_path / "export.zip"), data)
        assert (staging / "accepted").is_dir(), "its import still runs"
        assert "removed" not in capsys.readouterr().out
    finally:
        running.kill()  # SIGKILL: no clean-up runs
        running.wait()
    assert staging.is_dir()
    report = importer.import_source(make_zip(tmp_path / "more.zip", {"kicks/a.png": png(1, 9)}), data)
    assert not staging.exists() and added(report) == {"punches": 0, "kicks": 1, "others": 0}
    out = capsys.readouterr().out
    assert out.startswith(f"removed {staging.name}, left by an import that was stopped before it finished\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.zip", "mine", "more.zip"]


def test_clip_folders_in_a_zip_land_as_clips_with_their_frames_in_order(tmp_path, capsys):
    entries = [
        ("punches/0001.jpg", frame(1)),  # a single image, as before
        ("punches/take-a/010.jpg", frame(12)),  # numbered, but out of order and with gaps
        ("punches/take-a/2.jpg", frame(10)),
        ("punches/take-a/003.JPG", frame(11)),
        ("punches/take-b/001.jpg", frame(20)),
        ("punches/take-b/002.png", png(21)),
        ("roundhouses/spin/001.jpg", frame(30)),
        ("roundhouses/spin/002.jpg", frame(31)),
    ]
    data = tmp_path / "mine"
    report = importer.import_source(make_zip(tmp_path / "export.zip", entries), data)
    assert frames_of(data / "punches" / "take-a") == {
        "001.jpg": frame(10),
        "002.jpg": frame(11),
        "003.jpg": frame(12),
    }
    assert frames_of(data / "punches" / "take-b") == {"001.jpg": frame(20), "002.png": png(21)}
    assert frames_of(data / "roundhouses" / "spin") == {"001.jpg": frame(30), "002.jpg": frame(31)}
    (single,) = [path for path in (data / "punches").iterdir() if path.is_file()]
    assert single.name == content_hash(single)[:16] + ".jpg" and single.read_bytes() == frame(1)
    assert added(report) == {"punches": 1, "kicks": 0, "others": 0}
    assert clip_rows(report) == {
        "punches": {"added": 2, "duplicates": 0, "unreadable": 0, "frames": 5, "total": 2},
        "roundhouses": {"added": 1, "duplicates": 0, "unreadable": 0, "frames": 2, "total": 1},
    }
    assert report["skipped"] == [] and report["renamed"] == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.zip", "mine"]  # no staging left
    out = capsys.readouterr().out
    assert "\nclips " in out and "hint: no clips in kicks/, others/, back_kicks/ yet" in out


def test_a_taken_clip_name_is_renamed_and_never_merged_or_overwritten(tmp_path, capsys):
    data = tmp_path / "mine"
    (data / "kicks" / "take1").mkdir(parents=True)
    (data / "kicks" / "take1" / "001.jpg").write_bytes(frame(99))
    (data / "kicks" / "take1-2").mkdir()  # the first free name is take1-3
    (data / "kicks" / "take2.mp4").write_bytes(b"a clip as a video")  # its name is taken too
    before = tree(data)
    entries = {
        "kicks/take1/001.jpg": frame(1),
        "kicks/take1/002.jpg": frame(2),
        "kicks/TAKE2/001.jpg": frame(3),  # case-insensitive disks would merge it into take2
        "kicks/take3/001.jpg": frame(4),
    }
    report = importer.import_source(make_zip(tmp_path / "x.zip", entries), data)
    assert {path: content for path, content in tree(data).items() if path in before} == before
    assert sorted(path.name for path in (data / "kicks").iterdir()) == [
        "TAKE2-2",
        "take1",
        "take1-2",
        "take1-3",
        "take2.mp4",
        "take3",
    ]
    assert frames_of(data / "kicks" / "take1-3") == {"001.jpg": frame(1), "002.jpg": frame(2)}
    assert report["renamed"] == [
        {"clip": "kicks/take1/", "to": "kicks/take1-3"},
        {"clip": "kicks/TAKE2/", "to": "kicks/TAKE2-2"},
    ]
    assert (
        report["clips"]["kicks"]["total"] == 5
    )  # take1, take2.mp4, take1-3, TAKE2-2, take3; take1-2 is empty
    assert "renamed clip kicks/take1/ to kicks/take1-3/" in capsys.readouterr().out


def test_two_clips_of_one_name_in_one_import_stay_apart(tmp_path):
    source = tmp_path / "recorded"
    (source / "roundhouses" / "spin").mkdir(parents=True)
    (source / "roundhouses" / "spin" / "001.jpg").write_bytes(frame(1))
    write_video(source / "roundhouses" / "spin.mp4", count=5)
    report = importer.import_source(source, tmp_path / "mine")
    clips = tmp_path / "mine" / "roundhouses"
    assert sorted(path.name for path in clips.iterdir()) == ["spin", "spin-2"]
    assert sorted(len(list(path.iterdir())) for path in clips.iterdir()) == [1, 5]
    assert len(report["renamed"]) == 1


def test_reimporting_clips_adds_nothing_and_a_clip_in_two_classes_is_a_conflict(tmp_path, capsys):
    entries = {"kicks/a/001.jpg": frame(1), "kicks/a/002.jpg": frame(2), "others/b/001.jpg": frame(3)}
    source, data = make_zip(tmp_path / "x.zip", entries), tmp_path / "mine"
    importer.import_source(source, data)
    before = tree(data)
    again = importer.import_source(source, data)
    assert tree(data) == before
    assert {name: (row["added"], row["duplicates"]) for name, row in clip_rows(again).items()} == {
        "kicks": (0, 1),
        "others": (0, 1),
    }
    moved = make_zip(
        tmp_path / "y.zip", {"roundhouses/a/001.jpg": frame(1), "roundhouses/a/002.jpg": frame(2)}
    )
    report = importer.import_source(moved, data)
    assert report["conflicts"] == ["clip roundhouses/a/ (roundhouses) is the same clip as kicks/a (kicks)"]
    assert not (data / "roundhouses").exists()
    assert "conflict: clip roundhouses/a/" in capsys.readouterr().err


def test_unreadable_frames_are_left_out_of_their_clip(tmp_path):
    entries = {
        "punches/a/001.jpg": frame(1),
        "punches/a/002.jpg": b"hello",
        "punches/a/003.jpg": frame(3),
        "punches/b/001.jpg": b"",
    }
    report = importer.import_source(make_zip(tmp_path / "x.zip", entries), tmp_path / "mine")
    assert frames_of(tmp_path / "mine" / "punches" / "a") == {"001.jpg": frame(1), "002.jpg": frame(3)}
    assert not (tmp_path / "mine" / "punches" / "b").exists()
    assert report["skipped"] == [
        {"path": "punches/a/002.jpg", "reason": "not an image"},
        {"path": "punches/b/001.jpg", "reason": "empty file"},
        {"path": "punches/b/", "reason": "a clip without a readable frame"},
    ]
    assert report["clips"]["punches"] == {
        "added": 1,
        "duplicates": 0,
        "unreadable": 2,
        "frames": 2,
        "total": 1,
    }


def test_a_failed_move_takes_back_the_clips_too(tmp_path, monkeypatch):
    data = tmp_path / "mine"
    (data / "kicks" / "old").mkdir(parents=True)
    (data / "kicks" / "old" / "001.jpg").write_bytes(frame(200))
    before = tree(data)
    fail_the_third_move(monkeypatch)
    entries = {"punches/0001.jpg": frame(1), "kicks/a/001.jpg": frame(2), "kicks/b/001.jpg": frame(3)}
    with pytest.raises(UserError, match="disk full"):
        importer.import_source(make_zip(tmp_path / "x.zip", entries), data)
    assert tree(data) == before and sorted(os.listdir(data)) == ["kicks"]
    assert sorted(os.listdir(data / "kicks")) == ["old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "x.zip"]
