"""import: the command line, its errors, and names printed escaped (importer/__init__.py)."""

import shlex

from conftest import HOSTILE_NAME, assert_escaped
from importer_helpers import export, make_zip, png, tree

from tfjs_kombat import cli
from tfjs_kombat.errors import shown


def test_into_below_a_file_is_an_error(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("mine")
    before = tree(tmp_path)
    into = tmp_path / "notes.txt" / "mine"
    assert cli.main(["import", str(export(tmp_path / "export.zip")), "--into", str(into)]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path / 'notes.txt'} is not a folder\n"
    assert tree(tmp_path) == {**before, "export.zip": tree(tmp_path)["export.zip"]}


def test_a_source_that_is_not_a_file_or_folder_is_an_error(tmp_path, capsys):
    assert cli.main(["import", "/dev/null", "--into", str(tmp_path / "new" / "mine")]) == 2
    assert capsys.readouterr().err == "error: /dev/null is not a file or a folder\n"
    assert list(tmp_path.iterdir()) == []


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


def test_into_a_name_with_control_characters_is_refused(tmp_path, capsys):
    # The report ends with the command to paste next (make train DATA=...), which such a name breaks.
    source = export(tmp_path / "export.zip")
    for name in (HOSTILE_NAME, "tab\there"):
        into = tmp_path / f"mine{name}"
        assert cli.main(["import", str(source), "--into", str(into)]) == 2
        err = capsys.readouterr().err
        assert err == (
            f"error: --into {shown(into)} holds control characters (an escape, a tab, a newline): "
            "give a folder name you can type\n"
        )
    assert_escaped(err, "tab\there")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["export.zip"]


def test_the_next_command_can_be_pasted(tmp_path, capsys):
    into = tmp_path / "my data's"
    assert cli.main(["import", str(export(tmp_path / "export.zip")), "--into", str(into)]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == f"next: make train DATA={shlex.quote(str(into))}"
    assert shlex.split(last.removeprefix("next: ")) == ["make", "train", f"DATA={into}"]


def test_names_are_printed_escaped(tmp_path, capsys):
    entries = {
        "punches/a.png": png(1),
        f"punches/{HOSTILE_NAME}.png": b"not an image",
        f"kicks/{HOSTILE_NAME}.txt": b"notes",
    }
    source = make_zip(tmp_path / f"export{HOSTILE_NAME}.zip", entries)
    into = tmp_path / "mine"
    assert cli.main(["import", str(source), "--into", str(into)]) == 0
    out, err = capsys.readouterr()
    assert_escaped(out)  # unpacking <zip>
    assert_escaped(err)  # skipped <entry>: ...
    evil = make_zip(tmp_path / f"evil{HOSTILE_NAME}.zip", {"../evil.png": png(1)})
    assert cli.main(["import", str(evil), "--into", str(into)]) == 2
    assert_escaped(capsys.readouterr().err)
