"""The dispatcher: help, unknown commands, errors without tracebacks, and clean stops."""

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import requires_weights

from tfjs_kombat import cli, recipes

ROOT = Path(__file__).resolve().parents[1]


def listed_commands(capsys):
    assert cli.main([]) == 0
    out = capsys.readouterr().out.split("commands:\n", 1)[1]
    return [line.split()[0] for line in out.splitlines()]


def test_every_listed_command_runs(capsys):
    for name in listed_commands(capsys):
        with pytest.raises(SystemExit) as exit:
            cli.main([name, "--help"])
        assert exit.value.code == 0
        assert capsys.readouterr().out.startswith(f"usage: tfjs-kombat {name} ")


def test_help_lists_every_command_the_makefile_runs(capsys):
    makefile_commands = set(re.findall(r"\$\(KOMBAT\) (\w+)", (ROOT / "Makefile").read_text()))
    assert makefile_commands and makefile_commands <= set(listed_commands(capsys))


def test_unknown_command(capsys):
    assert cli.main(["fly"]) == 2
    assert "unknown command 'fly'" in capsys.readouterr().err


def test_user_error_is_a_message_not_a_traceback(tmp_path, capsys):
    assert cli.main(["frames", str(tmp_path / "nope.mov"), str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no such video") and "Traceback" not in err


def stopped(pid, seconds=10):
    """Whether the process ends within `seconds`: gone, or a zombie (it has exited; the command
    that killed it exits without waiting, and some containers' init never reaps orphans)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        with contextlib.suppress(FileNotFoundError):  # Linux only; gone meanwhile: os.kill says so
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
                return True
        time.sleep(0.1)
    return False


def test_sigterm_cleans_up_like_ctrl_c(tmp_path):
    # A stand-in ffmpeg that says it started and then hangs: import is then blocked mid-way with
    # its staging folder beside the target, as a long real import would be.
    bin_dir, started = tmp_path / "bin", tmp_path / "ffmpeg-started"
    bin_dir.mkdir()
    (bin_dir / "ffmpeg").write_text(f'#!/bin/sh\necho $$ > "{started}"\nexec sleep 60\n')
    (bin_dir / "ffmpeg").chmod(0o755)
    (tmp_path / "videos").mkdir()
    (tmp_path / "videos" / "punches.mp4").write_bytes(b"never read")
    command = [sys.executable, "-m", "tfjs_kombat.cli", "import", "videos", "--into", "mine"]
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    process = subprocess.Popen(command, cwd=tmp_path, env=env, stderr=subprocess.PIPE, start_new_session=True)
    try:
        for _ in range(600):
            if started.exists() and started.read_text().strip():
                break
            time.sleep(0.1)
        assert list(tmp_path.glob(".mine.import-*")), "import should be staging now"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 130
        assert process.stderr.read().decode().strip().endswith("interrupted")
        assert sorted(path.name for path in tmp_path.iterdir()) == ["bin", "ffmpeg-started", "videos"]
        assert stopped(int(started.read_text())), "the stand-in ffmpeg was not stopped"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        process.stderr.close()


def make_dry_run(*variables):
    """The commands `make train` would run (-n: none is run; -B: as if nothing were built yet)."""
    command = ["make", "-n", "-B", "-C", str(ROOT), "train", *variables]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_train_trains_the_default_recipe_on_generated_people():
    commands = make_dry_run()
    assert (
        f"features --generated --recipe {recipes.DEFAULT.name} --out build/{recipes.DEFAULT.name}/"
        in commands
    )
    assert "tfjs-kombat render" not in commands and "tfjs-kombat weights" not in commands
    assert f"--recipe {recipes.DEFAULT.name}" in make_dry_run(f"RECIPE={recipes.DEFAULT.name}")


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_train_renders_per_class_into_its_own_folder():
    assert "tfjs-kombat render data/default\n" in make_dry_run("RECIPE=pose")
    commands = make_dry_run("RECIPE=pose", "PER_CLASS=7")
    assert "tfjs-kombat render data/default-7 --per-class 7\n" in commands
    assert "tfjs-kombat dataset data/default-7 --out" in commands


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_train_checks_the_weights_first():
    commands = make_dry_run("RECIPE=article").splitlines()
    kombat = [line.split()[1] for line in commands if "tfjs-kombat" in line]
    assert kombat[0] == "weights" and "render" in kombat  # before rendering, not after
    assert ".venv/bin/tfjs-kombat weights --alpha auto" in commands
    assert "--alpha 0.5 " in make_dry_run("RECIPE=pose", "ALPHA=0.5").split("features", 1)[1]


def test_commands_run_directly_print_no_tensorflow_start_up_lines(tmp_path):
    env = {key: value for key, value in os.environ.items() if key != "TF_CPP_MIN_LOG_LEVEL"}
    command = [sys.executable, "-m", "tfjs_kombat.cli", "train", str(tmp_path)]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2
    assert result.stderr == f"error: {tmp_path / 'train.npz'} not found; run `tfjs-kombat features` first\n"


@requires_weights  # the weights command finds them
def test_commands_print_no_tensorflow_warnings():
    """After a command, TensorFlow's Python warnings stay quiet: here the one about retracing,
    which `tfjs-kombat train` set off as each newly trained head first predicted."""
    heads_predicting = (
        "from tfjs_kombat import cli\n"
        "assert cli.main(['weights', '--alpha', '0.75']) == 0\n"
        "import numpy as np, keras\n"
        "for size in range(4, 12):\n"
        "    model = keras.Sequential([keras.Input((size,)), keras.layers.Dense(2)])\n"
        "    model.predict(np.zeros((3, size)), verbose=0)\n"
    )
    command = [sys.executable, "-c", heads_predicting]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "retracing" not in result.stderr and "WARNING" not in result.stderr


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_play_trains_again_when_models_hold_another_recipe(tmp_path):
    """`make play RECIPE=keypoints` over another recipe's models trains; over its own it does not."""
    command = ["make", "-n", "-C", str(ROOT), "play", "RECIPE=keypoints", f"MODELS={tmp_path}"]
    printed = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    guard = next(line for line in printed.splitlines() if line.startswith("test -f"))
    guard = re.sub(r"\S*make\S* train$", "echo train", guard)
    (tmp_path / "punch_kick.keras").write_bytes(b"")
    trains = {}
    for recipe in ("pose", "keypoints"):
        (tmp_path / "recipe.json").write_text(json.dumps({"recipe": recipe, "alpha": None}, indent=2))
        trains[recipe] = subprocess.run(guard, shell=True, capture_output=True, text=True).stdout.strip()
    assert trains == {"pose": "train", "keypoints": ""}
