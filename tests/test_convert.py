"""Conversion to TensorFlow.js graph models: layout, config, quantization rule, atomicity."""

import json
import math

import numpy as np
import pytest
from conftest import HOSTILE_NAME, TEST_ALPHA, assert_escaped

from tfjs_kombat import cli, config, convert, season
from tfjs_kombat.errors import UserError

STORED_BYTES = {"uint8": 1, "float16": 2, "float32": 4, "int32": 4}


def stored_weights(folder):
    """{name: (values as the page reads them, stored dtype)} of a converted model."""
    manifest = json.loads((folder / "model.json").read_text())
    weights = {}
    for group in manifest["weightsManifest"]:
        data, offset = b"".join((folder / path).read_bytes() for path in group["paths"]), 0
        for weight in group["weights"]:
            count, quantization = math.prod(weight["shape"]), weight.get("quantization", {})
            dtype = quantization.get("dtype", weight["dtype"])
            raw = np.frombuffer(
                data, {"uint8": np.uint8, "float16": np.float16}.get(dtype, np.float32), count, offset
            )
            values = raw * quantization["scale"] + quantization["min"] if dtype == "uint8" else raw
            weights[weight["name"]] = (values.astype(np.float32).reshape(weight["shape"]), dtype)
            offset += STORED_BYTES[dtype] * count
    return weights


def signature_shapes(folder):
    """The input and output shapes of a converted model's serving signature."""
    signature = json.loads((folder / "model.json").read_text())["signature"]
    return [
        [int(dim["size"]) for dim in signature[side][name]["tensorShape"]["dim"]]
        for side, name in (("inputs", "input"), ("outputs", "output"))
    ]


def test_auto_quantization_rule():
    even = np.linspace(-1, 1, 4096, dtype=np.float32)
    rng = np.random.default_rng(0)
    # Like a batch-norm-folded kernel: mostly tiny weights, a few large ones stretching the range.
    heavy_tailed = np.concatenate([rng.normal(0, 0.001, 4096), rng.choice([-0.5, 0.5], 40)]).astype(
        np.float32
    )
    assert convert.uint8_error(even) < 0.005 < convert.MAX_UINT8_ERROR < convert.uint8_error(heavy_tailed)
    assert convert.auto_quantization([even, even[::-1]]) == "uint8"
    assert convert.auto_quantization([even, heavy_tailed]) == "float16"  # one bad kernel decides
    assert convert.auto_quantization([]) == "uint8"  # nothing big enough to quantize


def stored_dtypes(folder):
    """The storage dtype of every weight in a graph model's manifest (quantized or plain)."""
    manifest = json.loads((folder / "model.json").read_text())
    return {
        weight.get("quantization", {}).get("dtype", weight["dtype"])
        for group in manifest["weightsManifest"]
        for weight in group["weights"]
    }


def test_converted_models_agree_with_the_config_and_the_trained_heads(pipeline, converted):
    root, _ = pipeline
    out, sizes = converted
    page = json.loads((out / "config.json").read_text())
    trained = json.loads((root / "models" / "metrics.json").read_text())
    assert set(sizes) == {"mobilenet", "punch_kick"}  # the default recipe, pose
    assert (page["recipe"], page["alpha"]) == ("pose", TEST_ALPHA)  # what made the heads
    assert page["models"] == {name: f"{name}/model.json" for name in sizes}
    # The page feeds MobileNet the constants' frame and the head MobileNet's block-11 map.
    frame, feature = [-1, config.FRAME_HEIGHT, config.FRAME_WIDTH, 3], [-1, 10, 18, 384]
    assert signature_shapes(out / "mobilenet") == [frame, feature]
    assert signature_shapes(out / "punch_kick") == [feature, [-1, len(config.CLASS_NAMES)]]
    assert page["inputShapes"] == {"mobilenet": frame[1:], "punch_kick": feature[1:]}
    assert page["testAccuracy"] == {"punch_kick": trained["punch_kick"]["test_accuracy"]}
    for name in sizes:
        # Quantized kernels; biases and shape constants stay float32 / int32.
        assert stored_dtypes(out / name) - {"float32", "int32"} == {page["quantization"][name]}, name
        convert.check_graph_model(out / name)
        stored = {dtype for _, dtype in stored_weights(out / name).values()}
        assert page["quantization"][name] in stored  # config says how the kernels are stored
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


def test_the_command_line_passes_the_quantization_on(tmp_path, monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(convert, "convert_models", lambda *args, **kwargs: calls.append(args[2]))
    for choice in ("float32", "float16", "uint8"):
        assert cli.main(["convert", str(tmp_path), "--quantization", choice]) == 0
    assert cli.main(["convert", str(tmp_path)]) == 0
    assert calls == ["float32", "float16", "uint8", "auto"]
    with pytest.raises(SystemExit):
        cli.main(["convert", str(tmp_path), "--quantization", "int4"])
    assert "invalid choice: 'int4'" in capsys.readouterr().err


def test_names_are_printed_escaped(tmp_path, monkeypatch):
    folder = tmp_path / f"model{HOSTILE_NAME}"
    folder.mkdir()
    manifest = {"weightsManifest": [{"paths": [f"{HOSTILE_NAME}.bin"], "weights": []}]}
    (folder / "model.json").write_text(json.dumps(manifest))
    with pytest.raises(UserError) as error:
        convert.check_graph_model(folder)
    assert_escaped(str(error.value))  # <folder> lacks its shard <shard>

    # A converter that fails naming its input, as the real one does.
    fake = tmp_path / "tensorflowjs_converter"
    fake.write_text('#!/bin/sh\necho "cannot read $3" >&2\nexit 1\n')
    fake.chmod(0o755)
    monkeypatch.setattr(convert, "converter_executable", lambda: str(fake))
    with pytest.raises(UserError) as error:
        convert.convert_saved_model(tmp_path / f"saved{HOSTILE_NAME}", tmp_path / "out")
    assert_escaped(str(error.value))
