"""Atomic writes: all or nothing, with ordinary permissions."""

import os

import pytest

from tfjs_kombat import files


def test_write_json_replaces_whole_and_keeps_umask_modes(tmp_path):
    target = tmp_path / "sub" / "a.json"
    files.write_json(target, {"a": 1})
    files.write_json(target, {"b": "ü"})
    assert target.read_text(encoding="utf-8") == '{\n  "b": "ü"\n}\n'
    assert target.stat().st_mode & 0o777 == files.umask_mode(0o666)
    assert [p.name for p in target.parent.iterdir()] == ["a.json"]


def test_replacing_dir_keeps_the_old_folder_when_the_block_fails(tmp_path):
    target = tmp_path / "out"
    with files.replacing_dir(target) as tmp:
        (tmp / "good.txt").write_text("1")
    assert target.stat().st_mode & 0o777 == files.umask_mode(0o777)
    with pytest.raises(RuntimeError), files.replacing_dir(target) as tmp:
        (tmp / "half.txt").write_text("2")
        raise RuntimeError("interrupted")
    assert sorted(os.listdir(tmp_path)) == ["out"]
    assert [p.name for p in target.iterdir()] == ["good.txt"]
