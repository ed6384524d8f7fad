"""Conversion to TensorFlow.js graph models: layout, config, quantization choice, atomicity."""

import argparse
import json

import numpy as np
import pytest

from tfjs_kombat import cli, config, convert
from tfjs_kombat.errors import UserError


def test_uint8_error_simulates_the_converter():
    even = np.linspace(-1, 1, 4096, dtype=np.float32)
    assert convert.uint8_error(even) < 0.005
    rng = np.random.default_rng(0)
    # Like a batch-norm-folded kernel: mostly tiny weights, a few large ones stretching the range.
    heavy_tailed = np.concatenate([rng.normal(0, 0.001, 4096), rng.choice([-0.5, 0.5], 40)]).astype(
        np.float32
    )
    assert convert.uint8_error(heavy_tailed) > convert.MAX_UINT8_ERROR


def test_converted_models_and_config(converted):
    out, sizes = converted
    assert set(sizes) == {"mobilenet", "punch_kick"}  # the default recipe, pose
    page = json.loads((out / "config.json").read_text())
    assert page["frame"] == {"width": config.FRAME_WIDTH, "height": config.FRAME_HEIGHT}
    assert page["classes"] == list(config.CLASS_NAMES)
    assert page["thresholds"] == {"punch": 0.4, "other": 0.4, "action": 0.35}
    assert page["intervalMs"] == config.CLASSIFY_INTERVAL_MS
    assert (page["alpha"], page["recipe"]) == (0.75, "pose")
    assert page["models"] == {name: f"{name}/model.json" for name in sizes}
    assert set(page["quantization"].values()) <= {"uint8", "float16"}
    for name in sizes:
        convert.check_graph_model(out / name)
        manifest = json.loads((out / name / "model.json").read_text())
        assert manifest["format"] == "graph-model"
    assert sum(sizes.values()) < 4.0e6  # what the play page downloads


def test_failed_convert_keeps_the_previous_models(pipeline, converted, tmp_path, monkeypatch):
    root, _ = pipeline
    good = tmp_path / "models"
    (good / "punch").mkdir(parents=True)
    (good / "config.json").write_text("{}")
    calls = []

    def failing(saved_model, out_dir, *options):
        calls.append(out_dir)
        raise UserError("tensorflowjs_converter failed (simulated)")

    monkeypatch.setattr(convert, "convert_saved_model", failing)
    with pytest.raises(UserError, match="simulated"):
        convert.convert_models(root / "models", good, imagenet=False)
    assert calls and sorted(p.name for p in tmp_path.iterdir()) == ["models"]
    assert sorted(p.name for p in good.iterdir()) == ["config.json", "punch"]


def test_bad_requests_are_clear_errors(tmp_path, capsys):
    assert cli.main(["convert", str(tmp_path)]) == 2
    assert "run `make train` first" in capsys.readouterr().err
    with pytest.raises(UserError, match="quantization must be one of"):
        convert.convert_models(tmp_path, tmp_path / "out", quantization="int4")


@pytest.mark.parametrize("choice", convert.CHOICES)
def test_every_quantization_is_accepted_on_the_command_line(choice):
    parser = argparse.ArgumentParser()
    convert.add_arguments(parser)
    assert parser.parse_args(["--quantization", choice]).quantization == choice
    assert parser.parse_args([]).quantization == "auto"
