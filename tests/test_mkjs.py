"""`tfjs-kombat mkjs` / `make mkjs`: an MK.js checkout's game into web/vendor/mkjs/, or nothing at all."""

import os
import subprocess
from pathlib import Path

import pytest
from conftest import HOSTILE_NAME, assert_escaped

from tfjs_kombat import cli, mkjs
from tfjs_kombat.errors import UserError

ROOT = Path(__file__).resolve().parents[1]
GAME_FILES = (
    "index.html",
    "src/mk.js",
    "src/movement.js",
    "styles/styles.css",
    "images/arenas/0/arena.png",
    "images/arenas/1/arena.png",
    "images/fighters/subzero/left/stand/0.png",
    "images/fighters/kano/right/stand/0.png",
)


def checkout(root, files=GAME_FILES):
    """A stand-in for `git clone https://github.com/mgechev/mk.js`: game/ with the given files."""
    root.mkdir(parents=True)
    for name in files:
        path = root / "game" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"MK.js {name}")
    (root / "readme.md").write_text("# mk.js")
    return root


def tree(folder):
    """Every folder, and every file with its size and modification time, below `folder`."""
    return {
        str(path.relative_to(folder)): None
        if path.is_dir()
        else (path.stat().st_size, path.stat().st_mtime_ns)
        for path in Path(folder).rglob("*")
        if "node_modules" not in path.parts
    }


def test_copies_the_game_scripts_styles_and_images_but_not_its_network_page(tmp_path):
    web = tmp_path / "web"
    target = mkjs.install(checkout(tmp_path / "mk.js"), web)
    assert target == web / "vendor" / "mkjs"
    copied = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert copied == sorted(name for name in GAME_FILES if name != "index.html")
    assert (target / "src" / "mk.js").read_text() == "MK.js src/mk.js"
    assert os.listdir(web / "vendor") == ["mkjs"], "no temporary folder is left beside it"


def test_the_game_folder_itself_will_do_and_a_second_copy_replaces_the_first(tmp_path):
    web = tmp_path / "web"
    mkjs.install(checkout(tmp_path / "old"), web)
    (web / "vendor" / "mkjs" / "stale.txt").write_text("from the old copy")
    mkjs.install(checkout(tmp_path / "new") / "game", web)
    assert not (web / "vendor" / "mkjs" / "stale.txt").exists()
    assert (web / "vendor" / "mkjs" / "images" / "arenas" / "1" / "arena.png").is_file()


@pytest.mark.parametrize(
    ("files", "missing"),
    [
        ((), "no game/src/mk.js, game/images/arenas/1/arena.png, game/images/fighters/subzero"),
        (
            ("src/mk.js", "images/arenas/1/arena.png"),
            "no game/images/fighters/subzero, game/images/fighters/kano",
        ),
    ],
    ids=["empty", "no-sprites"],
)
def test_a_wrong_folder_says_what_is_missing_and_leaves_web_unchanged(tmp_path, files, missing):
    web = tmp_path / "web"
    mkjs.install(checkout(tmp_path / "mk.js"), web)
    before = tree(web)
    with pytest.raises(UserError) as error:
        mkjs.install(checkout(tmp_path / "wrong", files), web)
    message = str(error.value)
    assert "is not an MK.js checkout" in message and missing in message
    assert "git clone https://github.com/mgechev/mk.js" in message
    assert tree(web) == before


def test_a_failed_copy_keeps_the_previous_one(tmp_path, monkeypatch):
    web = tmp_path / "web"
    mkjs.install(checkout(tmp_path / "mk.js"), web)
    before = tree(web)
    copies = []

    def copy_then_fail(source, destination):
        copies.append(source)
        if len(copies) == 2:
            raise OSError("disk full")
        mkjs.copytree(source, destination)

    monkeypatch.setattr(mkjs, "copytree", copy_then_fail)
    with pytest.raises(OSError, match="disk full"):
        mkjs.install(checkout(tmp_path / "other"), web)
    assert tree(web) == before


def test_the_command_line(tmp_path, capsys):
    web = tmp_path / "web"
    assert cli.main(["mkjs", str(tmp_path / "nowhere"), "--web", str(web)]) == 2
    assert "is not a folder; clone MK.js" in capsys.readouterr().err
    assert not web.exists()
    assert cli.main(["mkjs", str(checkout(tmp_path / "mk.js")), "--web", str(web)]) == 0
    assert "mkjs.html" in capsys.readouterr().out
    assert (web / "vendor" / "mkjs" / "src" / "mk.js").is_file()


@pytest.mark.skipif(not (ROOT / ".venv" / "bin" / "tfjs-kombat").exists(), reason="needs `make install`")
def test_make_mkjs_with_a_wrong_folder_fails_clearly_and_leaves_web_unchanged(tmp_path):
    before = tree(ROOT / "web")
    for variables in ([], [f"MKJS={checkout(tmp_path / 'wrong', ())}"]):
        result = subprocess.run(
            ["make", "--no-print-directory", "mkjs", *variables], cwd=ROOT, capture_output=True, text=True
        )
        assert result.returncode != 0
        assert "git clone https://github.com/mgechev/mk.js" in result.stderr
    assert "is not an MK.js checkout" in result.stderr
    assert tree(ROOT / "web") == before


def test_names_are_printed_escaped(tmp_path, capsys):
    web = tmp_path / f"web{HOSTILE_NAME}"
    assert cli.main(["mkjs", str(tmp_path / f"nowhere{HOSTILE_NAME}"), "--web", str(web)]) == 2
    assert_escaped(capsys.readouterr().err)
    wrong = checkout(tmp_path / f"wrong{HOSTILE_NAME}", ())
    assert cli.main(["mkjs", str(wrong), "--web", str(web)]) == 2
    assert_escaped(capsys.readouterr().err)
    assert cli.main(["mkjs", str(checkout(tmp_path / f"mk.js{HOSTILE_NAME}")), "--web", str(web)]) == 0
    assert_escaped(capsys.readouterr().out)  # copied MK.js from <checkout> into <web>
