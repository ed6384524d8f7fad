"""import: recorded zips, folders and class-named videos into a dataset, safely and without overwriting."""

import contextlib
import errno
import io
import os
import shutil
import signal
import stat
import struct
import tempfile
import zipfile

import pytest
from conftest import HOSTILE_NAME, assert_escaped
from PIL import Image
from test_frames import write_video

from tfjs_kombat import cli, config, dataset, importer
from tfjs_kombat.datafolder import VIDEO_EXTENSIONS, content_hash
from tfjs_kombat.errors import UserError
from tfjs_kombat.frames import load_image


def png(index, shade=0):
    """Bytes of a tiny PNG that differ for every (index, shade)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (index % 256, shade, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg(index):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (30, index % 256, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def make_zip(path, entries):
    """entries: {name: bytes} or a list of (name or ZipInfo, bytes)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items() if isinstance(entries, dict) else entries:
            archive.writestr(name, data)
    return path


def export(path):
    """A zip like the record page's: class folders of PNGs (3 punches, 2 kicks, 4 others)."""
    entries = {}
    for shade, (name, count) in enumerate({"punches": 3, "kicks": 2, "others": 4}.items()):
        for index in range(count):
            entries[f"{name}/{name}-{index:03d}.png"] = png(index, 50 * shade)
    return make_zip(path, entries)


def tree(root):
    """Every file under root with its bytes and mtime, to prove nothing changed."""
    return {
        path.relative_to(root).as_posix(): (path.read_bytes(), path.stat().st_mtime_ns)
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def added(report):
    return {name: row["added"] for name, row in report["classes"].items()}


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


def symlink_entry(name):
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def nul_name_zip(path):
    """A zip whose entry name holds a NUL byte (zipfile cannot write one; patch the bytes)."""
    make_zip(path, {"punches/ok.png": png(1), "punches/aXb.png": png(2)})
    path.write_bytes(path.read_bytes().replace(b"punches/aXb.png", b"punches/a\0b.png"))
    return path


UNSAFE = {
    "parent": "../evil.png",
    "parent inside": "punches/../../evil.png",
    "backslash parent": "..\\evil.png",
    "backslash parent inside": "punches\\..\\..\\evil.png",
    "absolute": "/etc/x.png",
    "drive": "C:\\x.png",
    "drive slash": "c:/x.png",
    "unc": "\\\\server\\share\\x.png",
}


def assert_refused(source, tmp_path, match, **options):
    target = tmp_path / "out" / "mine"
    target.parent.mkdir()
    with pytest.raises(UserError, match=match):
        importer.import_source(source, target, **options)
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("name", UNSAFE.values(), ids=UNSAFE.keys())
def test_unsafe_entry_names_refuse_the_whole_zip(tmp_path, name):
    # The good entry comes first: a careless importer would have written it already.
    source = make_zip(tmp_path / "evil.zip", [("punches/ok.png", png(1)), (name, png(2))])
    assert_refused(source, tmp_path, "refusing .*nothing was imported")
    assert not list(tmp_path.glob("**/evil.png")) and not (tmp_path / "x.png").exists()


def test_symlink_and_nul_entries_refuse_the_whole_zip(tmp_path):
    source = make_zip(
        tmp_path / "link.zip", [("punches/ok.png", png(1)), (symlink_entry("punches/l.png"), "/etc")]
    )
    assert_refused(source, tmp_path, "symbolic link")
    shutil.rmtree(tmp_path / "out")
    assert_refused(nul_name_zip(tmp_path / "nul.zip"), tmp_path, "entry .* is a name with a NUL byte;")


def test_a_refused_zip_creates_no_missing_parent(tmp_path):
    source = make_zip(tmp_path / "evil.zip", {"../evil.png": png(1)})
    with pytest.raises(UserError):
        importer.import_source(source, tmp_path / "new" / "data" / "mine")
    assert not (tmp_path / "new").exists()


def test_an_entry_over_50_mib_is_refused(tmp_path):
    source = make_zip(
        tmp_path / "bomb.zip", {"punches/a.png": png(1), "punches/zeros.png": bytes(60 * 1024**2)}
    )
    assert source.stat().st_size < 1024**2  # 60 MiB of zeros deflate to KBs
    assert_refused(source, tmp_path, "over 50.0 MiB")


def test_a_high_compression_ratio_is_refused(tmp_path):
    source = make_zip(tmp_path / "bomb.zip", {"punches/zeros.png": bytes(20 * 1024**2)})
    assert_refused(source, tmp_path, "like a zip bomb")


def test_the_total_size_and_entry_count_are_bounded(tmp_path, monkeypatch):
    source = export(tmp_path / "export.zip")
    assert_refused(source, tmp_path, "over the limit of", max_total_bytes=200)
    shutil.rmtree(tmp_path / "out")
    monkeypatch.setattr(importer, "MAX_ENTRIES", 5)
    assert_refused(source, tmp_path, "9 entries, over the limit of 5")


def lying_header_zip(path, declared):
    """A deflated entry of 5 MiB zeros whose headers claim it holds `declared` bytes."""
    actual = 5 * 1024**2
    make_zip(path, {"punches/a.png": bytes(actual)})
    data = path.read_bytes()
    # The uncompressed size sits at offset 22 of the local header and 24 of the central one.
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature) + offset
        assert struct.unpack("<I", data[at : at + 4])[0] == actual
        data = data[:at] + struct.pack("<I", declared) + data[at + 4 :]
    path.write_bytes(data)
    return path


def test_a_lying_header_is_refused(tmp_path):
    source = lying_header_zip(tmp_path / "liar.zip", 1000)
    assert zipfile.ZipFile(source).getinfo("punches/a.png").file_size == 1000  # passes every header check
    assert_refused(source, tmp_path, "corrupt")


def test_streaming_counts_bytes_instead_of_trusting_the_header(tmp_path):
    class Archive:  # an entry that yields more than it declares, whatever zipfile would do
        def open(self, info):
            return io.BytesIO(bytes(5000))

    info = zipfile.ZipInfo("punches/a.png")
    info.file_size = 1000
    with pytest.raises(UserError, match="more than its header declares"):
        importer.stream_entry(Archive(), info, tmp_path / "a.png", "x.zip")


def test_not_a_zip_and_a_truncated_zip_are_clear_errors(tmp_path):
    text = tmp_path / "notes.zip"
    text.write_text("not a zip")
    assert_refused(text, tmp_path, "not a readable zip file")
    truncated = export(tmp_path / "cut.zip")
    truncated.write_bytes(truncated.read_bytes()[:-30])
    shutil.rmtree(tmp_path / "out")
    assert_refused(truncated, tmp_path, "not a readable zip file")
    with pytest.raises(UserError, match="no such file or folder"):
        importer.import_source(tmp_path / "missing.zip", tmp_path / "mine")


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


def test_extra_classes_and_layout_problems(tmp_path, capsys):
    source = make_zip(
        tmp_path / "x.zip",
        {
            "punches/A.PNG": png(1),
            "blocks/b.png": png(2),
            "Blocks!/c.png": png(3),
            "root.png": png(4),
            "readme.txt": b"hi",
            "punches/take1/d.png": png(5),
            "punches/notes.txt": b"hi",
            "__MACOSX/punches/._A.PNG": b"metadata",
            ".DS_Store": b"metadata",
        },
    )
    report = importer.import_source(source, tmp_path / "mine")
    assert added(report) == {"punches": 1, "kicks": 0, "others": 0, "blocks": 1}
    assert sorted(p.suffix for p in (tmp_path / "mine").glob("*/*")) == [".png", ".png"]  # lower-cased
    reasons = {entry["path"]: entry["reason"] for entry in report["skipped"]}
    assert set(reasons) == {
        "Blocks!/c.png",
        "root.png",
        "readme.txt",
        "punches/take1/d.png",
        "punches/notes.txt",
    }
    assert "not a class name" in reasons["Blocks!/c.png"]
    assert "not in a class folder" in reasons["root.png"]
    assert "nested deeper" in reasons["punches/take1/d.png"]
    assert "not an image" in reasons["readme.txt"]
    out = capsys.readouterr().out
    assert "note: extra class folders blocks/; training uses" in out and "kicks/ has no images yet" in out


def test_a_zip_without_class_folders_is_an_error(tmp_path):
    source = make_zip(tmp_path / "x.zip", {"export/punches/a.png": png(1)})
    assert_refused(source, tmp_path, "nothing to import .*export/punches/a.png \\(nested deeper")


def test_a_folder_of_class_folders(tmp_path):
    source = tmp_path / "recorded"
    for shade, name in enumerate(("punches", "kicks", "others")):
        (source / name).mkdir(parents=True)
        for index in range(2):
            (source / name / f"{index}.png").write_bytes(png(index, 60 * shade))
    (source / "kicks" / "photo.JPEG").write_bytes(jpeg(1))
    (source / "kicks" / "deeper").mkdir()
    report = importer.import_source(source, tmp_path / "mine")
    assert added(report) == {"punches": 2, "kicks": 3, "others": 2}
    assert len(list((tmp_path / "mine" / "kicks").glob("*.jpeg"))) == 1
    assert report["skipped"] == [{"path": "kicks/deeper", "reason": "a folder nested deeper than class/file"}]
    assert len(tree(source)) == 7  # the source is only read


@contextlib.contextmanager
def deadline(seconds):
    """Fail instead of hanging: SIGALRM interrupts a blocking open() or an endless read."""

    def expired(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_only_regular_files_are_read(tmp_path):
    source = tmp_path / "recorded"
    (source / "punches").mkdir(parents=True)
    (source / "punches" / "a.png").write_bytes(png(1))
    os.mkfifo(source / "punches" / "fifo.jpg")  # opening it waits for a writer forever
    (source / "punches" / "zero.jpg").symlink_to("/dev/zero")  # reading it never ends
    os.mkfifo(source / "kicks.mp4")
    with deadline(20):
        report = importer.import_source(source, tmp_path / "mine")
    assert added(report) == {"punches": 1, "kicks": 0, "others": 0}
    assert report["skipped"] == [
        {"path": name, "reason": "not a regular file"}
        for name in ("kicks.mp4", "punches/fifo.jpg", "punches/zero.jpg")
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "recorded"]


def test_class_named_videos_become_frames(tmp_path):
    source = tmp_path / "videos"
    (source / "kicks").mkdir(parents=True)
    write_video(source / "punches.mp4", count=12)
    write_video(source / "kicks" / "take1.mp4", count=12, size=(48, 32))
    write_video(source / "Other Stuff.mp4", count=2)
    report = importer.import_source(source, tmp_path / "mine", fps=5)
    assert added(report) == {"punches": 6, "kicks": 6, "others": 0}  # 12 frames at 10 fps, kept at 5
    frame = load_image(next((tmp_path / "mine" / "punches").glob("*.jpg")))
    assert frame.size == (64, 48)
    assert "not a class name" in report["skipped"][0]["reason"]


def test_a_single_class_named_video(tmp_path):
    write_video(tmp_path / "others.mp4", count=10)
    report = importer.import_source(tmp_path / "others.mp4", tmp_path / "mine")
    assert added(report)["others"] == 10


def fail_the_third_move(monkeypatch):
    """shutil.move fails with a full disk on its third call."""
    real_move, moves = shutil.move, []

    def failing_move(source, target):
        moves.append(target)
        if len(moves) == 3:
            raise OSError("disk full")
        return real_move(source, target)

    monkeypatch.setattr(shutil, "move", failing_move)


def test_a_failed_move_leaves_the_dataset_as_it_was(tmp_path, monkeypatch):
    data = tmp_path / "mine"
    (data / "punches").mkdir(parents=True)
    (data / "punches" / "old.png").write_bytes(png(200))
    before = tree(data)
    fail_the_third_move(monkeypatch)
    with pytest.raises(OSError, match="disk full"):
        importer.import_source(export(tmp_path / "export.zip"), data)
    assert tree(data) == before and sorted(os.listdir(data)) == ["punches"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.zip", "mine"]


def test_into_below_a_file_is_an_error(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    before = tree(tmp_path)
    into = tmp_path / "notes.txt" / "mine"
    assert cli.main(["import", str(export(tmp_path / "export.zip")), "--into", str(into)]) == 2
    assert capsys.readouterr().err.startswith(f"error: {tmp_path / 'notes.txt'}")
    assert tree(tmp_path) == {**before, "export.zip": tree(tmp_path)["export.zip"]}


def test_a_source_that_is_not_a_file_or_folder_is_an_error(tmp_path, capsys):
    assert cli.main(["import", "/dev/null", "--into", str(tmp_path / "new" / "mine")]) == 2
    assert capsys.readouterr().err == "error: /dev/null is not a file or a folder\n"
    assert list(tmp_path.iterdir()) == []


# Tests run as root, whom file modes do not stop: a read-only or full disk is simulated where the
# import writes, with the errors the system gives.
def read_only(target, *args):
    raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(target))


def disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # write() names no file


@pytest.mark.parametrize(
    ("function", "fails", "message"),
    [
        ("move", lambda source, target: read_only(target), ": Permission denied"),
        ("copyfile", disk_full, "error: No space left on device"),
    ],
)
def test_a_read_only_or_full_disk_is_an_error_and_changes_nothing(
    tmp_path, monkeypatch, capsys, function, fails, message
):
    data = tmp_path / "mine"
    (data / "punches").mkdir(parents=True)
    (data / "punches" / "old.png").write_bytes(png(200))
    before = tree(data)
    monkeypatch.setattr(shutil, function, fails)
    assert cli.main(["import", str(export(tmp_path / "export.zip")), "--into", str(data)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err
    assert tree(data) == before and sorted(p.name for p in tmp_path.iterdir()) == ["export.zip", "mine"]


def test_a_full_disk_while_staging_removes_the_folders_it_made(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "mkdtemp", disk_full)
    with pytest.raises(OSError):
        importer.import_source(export(tmp_path / "export.zip"), tmp_path / "new" / "deeper" / "mine")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.zip"]


def test_cli(tmp_path, capsys):
    source, data = export(tmp_path / "export.zip"), tmp_path / "mine"
    assert cli.main(["import", str(source), "--into", str(data)]) == 0
    assert "next: make train DATA=" in capsys.readouterr().out
    evil = make_zip(tmp_path / "evil.zip", {"punches/../../evil.png": png(1)})
    assert cli.main(["import", str(evil), "--into", str(data)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: refusing") and "Traceback" not in err
    for fps in ("0", "nan", "inf"):
        assert cli.main(["import", str(source), "--fps", fps]) == 2
        assert "--fps must be positive" in capsys.readouterr().err


def test_into_an_empty_name_is_refused(tmp_path, monkeypatch, capsys):
    source = export(tmp_path / "export.zip")
    (tmp_path / "cwd").mkdir()
    monkeypatch.chdir(tmp_path / "cwd")
    assert cli.main(["import", str(source), "--into", ""]) == 2
    assert capsys.readouterr().err == "error: --into needs a folder name\n"
    assert list((tmp_path / "cwd").iterdir()) == []


def test_names_are_printed_escaped(tmp_path, capsys):
    entries = {
        "punches/a.png": png(1),
        f"punches/{HOSTILE_NAME}.png": b"not an image",
        f"kicks/{HOSTILE_NAME}.txt": b"notes",
    }
    source = make_zip(tmp_path / f"export{HOSTILE_NAME}.zip", entries)
    into = tmp_path / f"mine{HOSTILE_NAME}"
    assert cli.main(["import", str(source), "--into", str(into)]) == 0
    out, err = capsys.readouterr()
    assert_escaped(out)  # unpacking <zip>, next: make train DATA=<into>
    assert_escaped(err)  # skipped <entry>: ...
    evil = make_zip(tmp_path / f"evil{HOSTILE_NAME}.zip", {"../evil.png": png(1)})
    assert cli.main(["import", str(evil), "--into", str(into)]) == 2
    assert_escaped(capsys.readouterr().err)


# --- clips: <class>/<clip>/NNN.jpg folders and <class>/<clip>.mp4 videos stay clips -------------


def frame(index):
    """Bytes of a tiny JPEG that differ for every index (nearby colours may encode alike)."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (30, index % 256, 200)).save(buffer, format="JPEG", comment=f"frame {index}")
    return buffer.getvalue()


def frames_of(folder):
    """A clip folder's frames: {name: bytes}, names in order."""
    return {path.name: path.read_bytes() for path in sorted(folder.iterdir())}


def clip_rows(report):
    return {name: row for name, row in report["clips"].items() if row["total"] or row["added"]}


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


def test_clip_folders_in_a_folder(tmp_path):
    source = tmp_path / "recorded"
    for name, count in {"kicks/one": 3, "kicks/two": 2, "back_kicks/turn": 4}.items():
        (source / name).mkdir(parents=True)
        for index in range(count):
            (source / name / f"{index + 1:03d}.jpg").write_bytes(frame(10 * len(name) + index))
    (source / "kicks" / "one" / "notes.txt").write_text("left foot")
    (source / "kicks" / "one" / "cover.png").write_bytes(png(7))  # an image, but no frame number
    (source / "kicks" / "one" / ".DS_Store").write_bytes(b"metadata")
    (source / "kicks" / "one" / "deeper").mkdir()
    (source / "kicks" / "photos").mkdir()
    (source / "kicks" / "photos" / "me.png").write_bytes(png(8))
    report = importer.import_source(source, tmp_path / "mine")
    assert {path.name: len(list(path.iterdir())) for path in (tmp_path / "mine" / "kicks").iterdir()} == {
        "one": 3,
        "two": 2,
    }
    assert len(list((tmp_path / "mine" / "back_kicks" / "turn").iterdir())) == 4
    assert {name: row["added"] for name, row in clip_rows(report).items()} == {"kicks": 2, "back_kicks": 1}
    reasons = {entry["path"]: entry["reason"] for entry in report["skipped"]}
    assert set(reasons) == {"kicks/one/notes.txt", "kicks/one/cover.png", "kicks/one/deeper", "kicks/photos"}
    assert "not an image" in reasons["kicks/one/notes.txt"]
    assert "not a clip frame" in reasons["kicks/one/cover.png"]
    assert reasons["kicks/one/deeper"] == "a folder nested deeper than class/clip/frame"
    assert reasons["kicks/photos"].startswith("a folder nested deeper than class/file, with no clip frames")
    assert len(tree(source)) == 13  # the source is only read


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


def test_videos_in_clip_classes_become_clips_at_the_clip_rate(tmp_path):
    source = tmp_path / "videos"
    (source / "roundhouses").mkdir(parents=True)
    (source / "kicks").mkdir()
    write_video(source / "roundhouses" / "spin.mp4", count=12)  # 1.2 s at 10 fps
    write_video(source / "kicks" / "take1.mp4", count=8)  # a frame class: single images, as before
    write_video(source / "back_kicks.mp4", count=4)  # many moves in one video: which frames are one?
    report = importer.import_source(source, tmp_path / "mine", fps=5)
    spin = tmp_path / "mine" / "roundhouses" / "spin"
    assert [path.name for path in sorted(spin.iterdir())] == [f"{i:03d}.jpg" for i in range(1, 13)]
    assert load_image(spin / "001.jpg").size == (64, 48)  # the whole picture, as the record page saves it
    assert added(report)["kicks"] == 4 and not [
        p for p in (tmp_path / "mine" / "kicks").iterdir() if p.is_dir()
    ]
    assert report["skipped"] == [
        {
            "path": "back_kicks.mp4",
            "reason": "back_kicks/ holds clips, one move each: put each clip's video in back_kicks/ "
            "(back_kicks/<clip>.mp4)",
        }
    ]
    assert config.CLIP_FPS == 10  # the video's own rate: one frame each


def test_with_clips_every_video_in_a_class_folder_is_a_clip(tmp_path, capsys):
    source = tmp_path / "videos"
    (source / "kicks").mkdir(parents=True)
    write_video(source / "kicks" / "take1.mp4", count=6)
    write_video(source / "kicks" / "take2.webm", count=3)
    write_video(source / "punches.mp4", count=4)  # a class-named video is still a source of images
    assert cli.main(["import", str(source), "--into", str(tmp_path / "mine"), "--clips"]) == 0
    kicks = tmp_path / "mine" / "kicks"
    assert {path.name: len(list(path.iterdir())) for path in kicks.iterdir()} == {"take1": 6, "take2": 3}
    assert len(list((tmp_path / "mine" / "punches").glob("*.jpg"))) == 4
    assert "kicks/take1.mp4: a clip of 6 frames at 10 fps for kicks/" in capsys.readouterr().out


def test_clip_videos_in_a_zip(tmp_path):
    write_video(tmp_path / "spin.mp4", count=5)
    write_video(tmp_path / "take.mp4", count=3)
    entries = {
        "roundhouses/spin.mp4": (tmp_path / "spin.mp4").read_bytes(),
        "kicks/take.mp4": (tmp_path / "take.mp4").read_bytes(),
    }
    source = make_zip(tmp_path / "x.zip", entries)
    report = importer.import_source(source, tmp_path / "mine")
    assert len(list((tmp_path / "mine" / "roundhouses" / "spin").iterdir())) == 5
    assert report["skipped"] == [
        {
            "path": "kicks/take.mp4",
            "reason": "a video: zips are read for images and clips; import videos from a folder",
        }
    ]
    report = importer.import_source(source, tmp_path / "mine", video_clips=True)
    assert len(list((tmp_path / "mine" / "kicks" / "take").iterdir())) == 3
    assert report["clips"]["roundhouses"]["duplicates"] == 1


def test_a_clip_video_too_long_or_broken_is_skipped(tmp_path, monkeypatch):
    source = tmp_path / "videos"
    (source / "roundhouses").mkdir(parents=True)
    write_video(source / "roundhouses" / "long.mp4", count=8)
    write_video(source / "roundhouses" / "short.mp4", count=3)
    (source / "roundhouses" / "broken.mp4").write_bytes(b"not a video")
    monkeypatch.setattr(importer, "MAX_CLIP_FRAMES", 5)
    report = importer.import_source(source, tmp_path / "mine")
    assert sorted(path.name for path in (tmp_path / "mine" / "roundhouses").iterdir()) == ["short"]
    reasons = {entry["path"]: entry["reason"] for entry in report["skipped"]}
    assert reasons["roundhouses/long.mp4"] == "longer than 0.5 s: a clip is one move; cut it into clips"
    assert reasons["roundhouses/broken.mp4"].startswith("ffmpeg could not read")


UNSAFE_IN_CLIPS = {
    "parent": "punches/take/../../../evil/001.jpg",
    "parent clip": "punches/../../evil/001.jpg",
    "backslash parent": "punches\\take\\..\\..\\..\\001.jpg",
    "absolute": "/punches/take/001.jpg",
    "drive": "C:\\punches\\take\\001.jpg",
}


@pytest.mark.parametrize("name", UNSAFE_IN_CLIPS.values(), ids=UNSAFE_IN_CLIPS.keys())
def test_unsafe_names_inside_clips_refuse_the_whole_zip(tmp_path, name):
    source = make_zip(tmp_path / "evil.zip", [("punches/take/001.jpg", frame(1)), (name, frame(2))])
    assert_refused(source, tmp_path, "refusing .*nothing was imported")
    assert not list(tmp_path.glob("**/evil")) and not list(tmp_path.glob("**/take"))


def test_symlinks_and_bombs_inside_clips_refuse_the_whole_zip(tmp_path):
    link = make_zip(
        tmp_path / "link.zip", [("kicks/a/001.jpg", frame(1)), (symlink_entry("kicks/a/002.jpg"), "/etc")]
    )
    assert_refused(link, tmp_path, "symbolic link")
    shutil.rmtree(tmp_path / "out")
    bomb = make_zip(
        tmp_path / "bomb.zip", {"kicks/a/001.jpg": frame(1), "kicks/a/002.jpg": bytes(20 * 1024**2)}
    )
    assert_refused(bomb, tmp_path, "like a zip bomb")


def test_clip_names_that_are_not_plain_folder_names_are_skipped_and_printed_escaped(tmp_path, capsys):
    entries = {
        "punches/ok/001.jpg": frame(1),
        "punches/two words/001.jpg": frame(2),
        f"punches/{HOSTILE_NAME}/001.jpg": frame(3),
        "kicks/punches/001.jpg": frame(4),  # a class folder inside another: a zip of a wrapped export
        "Kicks!/a/001.jpg": frame(5),
        "punches/.hidden/001.jpg": frame(6),
        "punches/ok/._001.jpg": b"metadata",
        "__MACOSX/punches/ok/._001.jpg": b"metadata",
        "punches/ok/sub/001.jpg": frame(7),
    }
    source = make_zip(tmp_path / "x.zip", entries)
    assert cli.main(["import", str(source), "--into", str(tmp_path / "mine")]) == 0
    assert [path.relative_to(tmp_path / "mine").as_posix() for path in (tmp_path / "mine").rglob("*")] == [
        "punches",
        "punches/ok",
        "punches/ok/001.jpg",
    ]
    err = capsys.readouterr().err
    assert_escaped(err)
    assert "skipped punches/two words/001.jpg: 'two words' is not a clip name" in err
    assert "skipped kicks/punches/001.jpg: punches/ is a class folder inside kicks/" in err
    assert "skipped Kicks!/a/001.jpg: 'Kicks!' is not a class name" in err
    assert "skipped punches/ok/sub/001.jpg: nested deeper than class/file" in err


def test_a_failed_move_takes_back_the_clips_too(tmp_path, monkeypatch):
    data = tmp_path / "mine"
    (data / "kicks" / "old").mkdir(parents=True)
    (data / "kicks" / "old" / "001.jpg").write_bytes(frame(200))
    before = tree(data)
    fail_the_third_move(monkeypatch)
    entries = {"punches/0001.jpg": frame(1), "kicks/a/001.jpg": frame(2), "kicks/b/001.jpg": frame(3)}
    with pytest.raises(OSError, match="disk full"):
        importer.import_source(make_zip(tmp_path / "x.zip", entries), data)
    assert tree(data) == before and sorted(os.listdir(data)) == ["kicks"]
    assert sorted(os.listdir(data / "kicks")) == ["old"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "x.zip"]


def test_a_dataset_of_clips_only_reports_clips(tmp_path, capsys):
    importer.import_source(make_zip(tmp_path / "x.zip", {"kicks/a/001.jpg": frame(1)}), tmp_path / "mine")
    out = capsys.readouterr().out
    assert "has no images yet" not in out and "balance:" not in out
    assert out.splitlines()[-1].startswith("next: make train DATA=")


def test_every_video_import_counts_as_a_clip_is_a_clip_the_dataset_reads(tmp_path):
    data = tmp_path / "mine"
    (data / "roundhouses").mkdir(parents=True)
    for extension in VIDEO_EXTENSIONS:
        write_video(data / "roundhouses" / f"take{extension}", count=5)
    report = importer.import_source(make_zip(tmp_path / "x.zip", {"back_kicks/a/001.jpg": frame(1)}), data)
    assert report["clips"]["roundhouses"]["total"] == len(VIDEO_EXTENSIONS)
    clips = dataset.scan(data).clips["roundhouses"]
    assert sorted(clip.path.suffix for clip in clips) == sorted(VIDEO_EXTENSIONS)
    assert {clip.frames for clip in clips} == {5}
