"""Conversion to TensorFlow.js graph models: layout, config, quantization rule, atomicity."""

import json
import os
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
from conftest import HOSTILE_NAME, TEST_ALPHA, assert_escaped, requires_weights
from graph_model import TFJS, run_graph_model, run_in_tfjs, stored_weights

from tfjs_kombat import cli, config, convert, files, heads, season
from tfjs_kombat.errors import UserError


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


def test_kernels_are_quantized_byte_for_byte_as_the_converter_would(tmp_path):
    """One in-process conversion, then write_weights quantizing: the same shards and manifest as the
    converter's command line with --quantize_uint8 / --quantize_float16 on the same SavedModel."""
    keras.utils.set_random_seed(0)
    model = keras.Sequential(
        [keras.Input((64,)), keras.layers.Dense(32, activation="relu"), keras.layers.Dense(40)], name="small"
    )
    saved_model = tmp_path / "saved_model"
    convert.save_serving_model(model, saved_model)
    ours = tmp_path / "ours"
    convert.convert_saved_model(saved_model, ours)
    weights = convert.read_weights(ours)
    kernels = sorted((name for name in weights if weights[name].size >= 1024), key=lambda n: weights[n].size)
    assert [weights[name].shape for name in kernels] == [(32, 40), (64, 32)]
    as_uint8, as_float16 = kernels
    theirs = tmp_path / "theirs"
    converter = Path(sys.executable).parent / "tensorflowjs_converter"
    formats = ["--input_format=tf_saved_model", "--output_format=tfjs_graph_model"]
    quantized = [f"--quantize_uint8={as_uint8}", f"--quantize_float16={as_float16}"]
    subprocess.run([converter, *formats, *quantized, saved_model, theirs], check=True, capture_output=True)

    convert.write_weights(ours, weights, {as_uint8: "uint8", as_float16: "float16"})
    manifests = [json.loads((folder / "model.json").read_text()) for folder in (ours, theirs)]
    assert manifests[0] == manifests[1]
    for shard in manifests[0]["weightsManifest"][0]["paths"]:
        assert (ours / shard).read_bytes() == (theirs / shard).read_bytes()
    assert convert.stored_quantization(ours) == "float16+uint8"


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
    assert set(sizes) == {"mobilenet", "punch_kick"}  # the pose recipe
    assert (page["recipe"], page["alpha"]) == ("pose", TEST_ALPHA)  # what made the heads
    assert page["rules"] == {"punch_kick": {"other": 0.4, "action": 0.35, "punch": 0.4}}  # the article's
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

    def failing(model, out_dir):
        calls.append(out_dir)
        raise UserError("tensorflowjs_converter failed (simulated)")

    monkeypatch.setattr(convert, "convert_keras_model", failing)
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


def test_names_are_printed_escaped(tmp_path):
    folder = tmp_path / f"model{HOSTILE_NAME}"
    folder.mkdir()
    manifest = {"weightsManifest": [{"paths": [f"{HOSTILE_NAME}.bin"], "weights": []}]}
    (folder / "model.json").write_text(json.dumps(manifest))
    with pytest.raises(UserError) as error:
        convert.check_graph_model(folder)
    assert_escaped(str(error.value))  # <folder> lacks its shard <shard>

    # The converter fails naming its input (no SavedModel there).
    with pytest.raises(UserError) as error:
        convert.convert_saved_model(tmp_path / f"saved{HOSTILE_NAME}", tmp_path / "out")
    assert_escaped(str(error.value))


# ---------------------------------------------------------------------------------------------
# The sequence head


def test_the_unrolled_gru_converts_to_a_plain_graph_that_agrees_with_keras(sequence_models, tmp_path):
    root, _ = sequence_models
    model = keras.models.load_model(root / "models" / "sequence.keras")
    with np.load(root / "features" / "clips_test.npz") as test:
        x = test["x"]
    expected = model.predict(x, verbose=0)
    # The stored set the page gets (float32 agreement is the browser parity test's).
    folder = tmp_path / "auto"
    stored = convert.export_graph_model(model, folder, "auto")
    ops = convert.graph_ops(folder)
    assert {"MatMul", "Sigmoid", "Tanh"} <= ops  # the GRU's gates, step by step
    assert not {op for op in ops if "While" in op or op.startswith("TensorList")}
    assert signature_shapes(folder) == [[-1, 12, 64], [-1, len(config.CLIP_CLASS_NAMES)]]
    # Each kernel stored once, though the unrolled steps each read it (share_repeated_weights).
    shapes = [weight.shape for weight, _ in stored_weights(folder).values()]
    assert shapes.count((64, 128)) == shapes.count((128, 192)) == shapes.count((64, 192)) == 1
    outputs = run_graph_model(folder, x)
    # As the other heads: uint8 kernels when that costs each at most 1% RMS, else float16.
    assert stored in ("uint8", "float16")
    assert np.abs(outputs - expected).max() < 0.02
    assert (heads.decide_sequence(outputs) == heads.decide_sequence(expected)).mean() >= 0.95


@pytest.mark.skipif(
    not TFJS.exists() and not os.environ.get("CI"), reason=f"needs TensorFlow.js at {TFJS} (make web)"
)
def test_the_sequence_head_runs_in_tensorflow_js_as_in_tensorflow(tmp_path):
    """TensorFlow.js's own kernels (CPU backend, in Node) on the converted graph as the page gets
    it (auto quantization): the unrolled GRU loads, runs with predict(), and computes what
    TensorFlow computes from the same stored weights. Untrained, on random windows, where no
    output saturates (float32 agreement with Keras is the browser parity test's)."""
    keras.utils.set_random_seed(0)
    model = heads.build_sequence_head(12, 64)
    x = np.random.default_rng(0).uniform(0, 2, (20, 12, 64)).astype(np.float32)
    convert.export_graph_model(model, tmp_path / "auto", "auto")
    outputs = run_in_tfjs(tmp_path / "auto", x)
    assert outputs.shape == (20, len(config.CLIP_CLASS_NAMES))
    np.testing.assert_allclose(outputs, run_graph_model(tmp_path / "auto", x), atol=1e-5)


def test_a_recurrent_layer_left_as_a_loop_is_refused(tmp_path):
    rolled = keras.Sequential(
        [keras.Input((4, 3)), keras.layers.GRU(2), keras.layers.Dense(2)], name="rolled"
    )
    with pytest.raises(UserError, match="model rolled .*LoopCond.*TensorListReserve.*executeAsync"):
        convert.export_graph_model(rolled, tmp_path / "rolled")
    assert not (tmp_path / "rolled").exists()


def write_sequence_models(models, size, recipe="pose", pool=(5, 6)):
    """A models folder with just an untrained sequence head, as clips-only training leaves it."""
    files.save_model(heads.build_sequence_head(config.SEQUENCE_LENGTH, size), models / "sequence.keras")
    facts = {
        "length": config.SEQUENCE_LENGTH,
        "size": size,
        "pool": list(pool),
        "classes": config.CLIP_CLASS_NAMES,
    }
    files.write_json(models / "recipe.json", {"alpha": TEST_ALPHA, "recipe": recipe, "sequence": facts})
    files.write_json(models / "metrics.json", {"sequence": {"test_accuracy": 0.5}})


@requires_weights
def test_the_sequence_head_is_converted_with_what_the_page_needs(tmp_path):
    models, out = tmp_path / "models", tmp_path / "web" / "models"
    write_sequence_models(models, 2 * 3 * 384)  # block 11's 10x18x384 map over 5x6 cells, alpha 0.75
    sizes = convert.convert_models(models, out, imagenet=False)
    assert set(sizes) == {"mobilenet", "sequence"}
    page = json.loads((out / "config.json").read_text())
    assert page["models"] == {"mobilenet": "mobilenet/model.json", "sequence": "sequence/model.json"}
    assert page["inputShapes"]["sequence"] == [config.SEQUENCE_LENGTH, 2304]
    assert page["sequence"] == {
        "length": config.SEQUENCE_LENGTH,
        "pool": [5, 6],
        "classes": list(config.CLIP_CLASS_NAMES),
    }
    assert page["testAccuracy"] == {"sequence": 0.5}
    assert page["features"] == {"kind": "mobilenet"}  # the page runs MobileNet, then the heads
    assert page["quantization"]["sequence"] in ("uint8", "float16")
    assert stored_dtypes(out / "sequence") - {"float32", "int32"} == {page["quantization"]["sequence"]}
    # The page pools MobileNet's output into the sequence head's steps: the shapes must meet.
    assert signature_shapes(out / "mobilenet")[1] == [-1, 10, 18, 384]
    assert signature_shapes(out / "sequence") == [[-1, config.SEQUENCE_LENGTH, 2304], [-1, 5]]


@requires_weights
def test_a_sequence_head_that_does_not_fit_mobilenet_is_refused(tmp_path):
    write_sequence_models(tmp_path / "models", 768)  # the article's vector, but the pose recipe
    with pytest.raises(UserError, match="reads 768 numbers per frame.*gives 2304"):
        convert.convert_models(tmp_path / "models", tmp_path / "out", imagenet=False)
    assert not (tmp_path / "out").exists()


def test_pooled_sizes():
    assert convert.pooled_size([768], None) == 768
    assert convert.pooled_size([10, 18, 384], [5, 6]) == 2304
    assert convert.pooled_size([10, 18, 384], [4, 6]) is None  # 10 rows do not split into 4s
    assert convert.pooled_size([10, 18, 384], None) is None  # a map needs pooling


def test_a_keypoints_recipe_converts_its_heads_only_to_the_pages_contract(keypoint_models, tmp_path):
    root, reports = keypoint_models
    out = tmp_path / "web" / "models"
    sizes = convert.convert_models(root / "models", out)
    assert set(sizes) == {"punch_kick", "sequence"}  # no MobileNet, no ImageNet classifier
    page = json.loads((out / "config.json").read_text())
    assert page == {
        "recipe": "keypoints",
        "alpha": None,
        "features": {"kind": "keypoints", "poseModel": "lite", "landmarks": 33, "units": "width"},
        "models": {"punch_kick": "punch_kick/model.json", "sequence": "sequence/model.json"},
        "inputShapes": {"punch_kick": [33, 4], "sequence": [config.SEQUENCE_LENGTH, 33, 4]},
        "quantization": page["quantization"],
        "testAccuracy": {name: report["test_accuracy"] for name, report in reports.items()},
        "rules": {name: heads.KEYPOINT_RULE._asdict() for name in ("punch_kick", "sequence")},
        "sequence": {
            "length": config.SEQUENCE_LENGTH,
            "pool": None,
            "classes": list(config.CLIP_CLASS_NAMES),
        },
    }
    assert set(page["quantization"].values()) <= {"float16", "uint8"}
    trained, _ = heads.load_heads(root / "models", ("punch_kick", "sequence"))
    with (
        np.load(root / "features" / "test.npz") as test,
        np.load(root / "features" / "clips_test.npz") as clips,
    ):
        inputs = {"punch_kick": test["x"][:64], "sequence": clips["x"][:16]}
    for name, x in inputs.items():
        expected = trained[name].predict(x, verbose=0)
        got = run_graph_model(out / name, x)
        # uint8 kernels move a probability by a few hundredths (0.023 seen on the sequence head);
        # what the game does must not change
        atol = 0.05 if page["quantization"][name] == "uint8" else 0.01
        np.testing.assert_allclose(got, expected, atol=atol)
        # the same decisions, where Keras's two best classes are not within the tolerance
        top_two = np.sort(expected, axis=1)[:, -2:]
        clear = top_two[:, 1] - top_two[:, 0] > 2 * atol
        assert clear.any() and (got.argmax(axis=1) == expected.argmax(axis=1))[clear].all(), name
