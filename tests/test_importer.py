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

from tfjs_kombat import cli, importer
from tfjs_kombat.dataset import content_hash
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


def test_a_failed_move_leaves_the_dataset_as_it_was(tmp_path, monkeypatch):
    data = tmp_path / "mine"
    (data / "punches").mkdir(parents=True)
    (data / "punches" / "old.png").write_bytes(png(200))
    before = tree(data)
    real_move, moves = shutil.move, []

    def failing_move(source, target):
        moves.append(target)
        if len(moves) == 3:
            raise OSError("disk full")
        return real_move(source, target)

    monkeypatch.setattr(shutil, "move", failing_move)
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
