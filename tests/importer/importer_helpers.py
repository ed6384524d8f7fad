"""What the import tests (tests/importer/) share: tiny images, zips, and views of a dataset folder."""

import io
import shutil
import stat
import zipfile

import pytest
from PIL import Image

from tfjs_kombat import importer
from tfjs_kombat.errors import UserError


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


def assert_refused(source, tmp_path, match, **options):
    target = tmp_path / "out" / "mine"
    target.parent.mkdir()
    with pytest.raises(UserError, match=match):
        importer.import_source(source, target, **options)
    assert list((tmp_path / "out").iterdir()) == []


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


def symlink_entry(name):
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


def fail_the_third_move(monkeypatch):
    """shutil.move fails with a full disk on its third call."""
    real_move, moves = shutil.move, []

    def failing_move(source, target):
        moves.append(target)
        if len(moves) == 3:
            raise OSError("disk full")
        return real_move(source, target)

    monkeypatch.setattr(shutil, "move", failing_move)
