"""import: where a source file belongs, and why the files that belong nowhere are skipped (rules.py)."""

from conftest import HOSTILE_NAME, assert_escaped
from importer_helpers import added, assert_refused, frame, make_zip, png

from tfjs_kombat import cli, importer


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
