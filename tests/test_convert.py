"""Conversion to TensorFlow.js graph models: layout, config, quantization choice, atomicity."""

import argparse
import json

import numpy as np
import pytest

from tfjs_kombat import cli, config, convert, season
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


def stored_dtypes(folder):
    """The storage dtype of every weight in a graph model's manifest (quantized or plain)."""
    manifest = json.loads((folder / "model.json").read_text())
    return {
        weight.get("quantization", {}).get("dtype", weight["dtype"])
        for group in manifest["weightsManifest"]
        for weight in group["weights"]
    }


def test_converted_models_and_config(converted):
    out, sizes = converted
    assert set(sizes) == {"mobilenet", "punch_kick"}  # the default recipe, pose
    page = json.loads((out / "config.json").read_text())
    assert set(page) == {"recipe", "alpha", "models", "inputShapes", "quantization", "testAccuracy"}
    assert (page["alpha"], page["recipe"]) == (0.75, "pose")  # the default recipe
    assert page["models"] == {name: f"{name}/model.json" for name in sizes}
    assert page["inputShapes"] == {
        "mobilenet": [config.FRAME_HEIGHT, config.FRAME_WIDTH, 3],
        "punch_kick": [8, 14, 384],
    }
    assert set(page["quantization"].values()) <= {"uint8", "float16"}
    for name in sizes:
        # Quantized kernels; biases and shape constants stay float32 / int32.
        assert stored_dtypes(out / name) - {"float32", "int32"} == {page["quantization"][name]}, name
        convert.check_graph_model(out / name)
        manifest = json.loads((out / name / "model.json").read_text())
        assert manifest["format"] == "graph-model"
    assert sum(sizes.values()) < 4.0e6  # what the play page downloads
    # The pages beside the models get the shared constants.
    assert (out.parent / "js" / "constants.js").is_file()


def test_a_model_too_small_to_quantize_is_reported_as_stored(tmp_path):
    """The season MLP has no kernel big enough to quantize: asked for uint8 it stays float32."""
    used = convert.export_graph_model(season.build_season_model(), tmp_path / "season", "uint8")
    assert used == "float32"
    assert stored_dtypes(tmp_path / "season") == {"float32"}


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
