"""import: a zip is refused whole, before anything is written, if it is unsafe or too big (zipsafety.py)."""

import io
import re
import shutil
import struct
import warnings
import zipfile

import pytest
from importer_helpers import assert_refused, export, frame, make_zip, png, symlink_entry

from tfjs_kombat import importer
from tfjs_kombat.errors import UserError
from tfjs_kombat.importer import zipsafety


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
UNSAFE_IN_CLIPS = {
    "parent": "punches/take/../../../evil/001.jpg",
    "parent clip": "punches/../../evil/001.jpg",
    "backslash parent": "punches\\take\\..\\..\\..\\001.jpg",
    "absolute": "/punches/take/001.jpg",
    "drive": "C:\\punches\\take\\001.jpg",
}
# Each unsafe entry follows a good one (an image, or a clip's first frame): a careless importer
# would have written that one already.
UNSAFE_AFTER_GOOD = {
    **{case: ("punches/ok.png", name) for case, name in UNSAFE.items()},
    **{f"clip {case}": ("punches/take/001.jpg", name) for case, name in UNSAFE_IN_CLIPS.items()},
}


@pytest.mark.parametrize(("good", "name"), UNSAFE_AFTER_GOOD.values(), ids=UNSAFE_AFTER_GOOD.keys())
def test_unsafe_entry_names_refuse_the_whole_zip(tmp_path, good, name):
    source = make_zip(tmp_path / "evil.zip", [(good, frame(1)), (name, frame(2))])
    assert_refused(source, tmp_path, "refusing .*nothing was imported")
    assert sorted(path.name for path in tmp_path.rglob("*")) == ["evil.zip", "out"]  # nothing anywhere


def test_symlink_and_nul_entries_refuse_the_whole_zip(tmp_path):
    source = make_zip(
        tmp_path / "link.zip", [("punches/ok.png", png(1)), (symlink_entry("punches/l.png"), "/etc")]
    )
    assert_refused(source, tmp_path, "symbolic link")
    shutil.rmtree(tmp_path / "out")
    assert_refused(nul_name_zip(tmp_path / "nul.zip"), tmp_path, "entry .* is a name with a NUL byte;")


@pytest.mark.parametrize(
    ("second", "refusal"),
    [
        ("roundhouses/t1/001.jpg", "two entries are named 'roundhouses/t1/001.jpg'"),
        (
            "roundhouses\\t1\\001.jpg",
            "entries 'roundhouses/t1/001.jpg' and 'roundhouses\\\\t1\\\\001.jpg' name one file",
        ),
        (
            "./roundhouses//t1/001.jpg",
            "entries 'roundhouses/t1/001.jpg' and './roundhouses//t1/001.jpg' name one file",
        ),
    ],
)
def test_two_entries_for_one_file_refuse_the_whole_zip(tmp_path, second, refusal):
    # Unrefused, a clip would get both as its frames: a 2-frame clip where the zip names one frame.
    entries = [("roundhouses/t1/001.jpg", frame(1)), (second, frame(2)), ("punches/a.png", png(1))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile's "Duplicate name": it writes both all the same
        source = make_zip(tmp_path / "twice.zip", entries)
    expected = f"refusing {source}: {refusal}; nothing was imported"
    assert_refused(source, tmp_path, f"^{re.escape(expected)}$")


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


def test_a_high_compression_ratio_spread_over_entries_is_refused(tmp_path):
    each = zipsafety.BOMB_MIN_BYTES  # at the size where a single entry's ratio starts to count
    source = make_zip(tmp_path / "bomb.zip", {f"punches/zeros{n}.png": bytes(each) for n in range(3)})
    assert_refused(source, tmp_path, r"unpacks to 30\.0 MiB, [0-9,]+ times its size, like a zip bomb")


def test_the_total_size_and_entry_count_are_bounded(tmp_path, monkeypatch):
    source = export(tmp_path / "export.zip")
    assert_refused(source, tmp_path, "over the limit of", max_total_bytes=200)
    shutil.rmtree(tmp_path / "out")
    monkeypatch.setattr(zipsafety, "MAX_ENTRIES", 5)
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
        zipsafety.stream_entry(Archive(), info, tmp_path / "a.png", "x.zip")


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
