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


def test_move_all_takes_back_the_moved_files_when_one_move_fails(tmp_path, monkeypatch):
    (tmp_path / "from").mkdir()
    (tmp_path / "to").mkdir()
    sources = [tmp_path / "from" / f"{n}.jpg" for n in range(3)]
    for path in sources:
        path.write_text(path.name)
    replace, calls = os.replace, []

    def full_on_the_third(source, target):
        calls.append(source)
        if len(calls) == 3:
            raise OSError("disk full")
        replace(source, target)

    monkeypatch.setattr(os, "replace", full_on_the_third)
    with pytest.raises(OSError, match="disk full"):
        files.move_all(sources, tmp_path / "to")
    assert list((tmp_path / "to").iterdir()) == []
    monkeypatch.undo()
    assert [path.name for path in files.move_all(sources[2:], tmp_path / "to")] == ["2.jpg"]
