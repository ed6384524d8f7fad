"""Training the heads on real MobileNet 0.75 features of rendered fighters: they must learn."""

import json
import shutil

import keras
import numpy as np
import pytest
from conftest import HOSTILE_NAME, assert_escaped

from tfjs_kombat import cli, train
from tfjs_kombat.config import BINARY_CLASS_NAMES, CLASS_NAMES
from tfjs_kombat.errors import UserError


def test_heads_learn_on_held_out_frames(pipeline, article_pipeline):
    # Chance is 1/3 for punch/kick/other and 1/2 for punch/other: these need real learning.
    _, pose = pipeline
    assert set(pose) == {"punch_kick"}
    assert pose["punch_kick"]["test_accuracy"] >= 0.8
    assert pose["punch_kick"]["decision_accuracy"] >= 0.7  # 48 held-out frames: 0.79 measured
    _, article = article_pipeline
    assert article["punch_kick"]["test_accuracy"] >= 0.7
    assert article["punch"]["test_accuracy"] >= 0.75
    for reports in (pose, article):
        assert min(c["recall"] for c in reports["punch_kick"]["per_class"].values()) >= 0.5


def test_pose_head_fine_tunes_mobilenets_last_blocks(pipeline):
    root, _ = pipeline
    model = keras.models.load_model(root / "models" / "punch_kick.keras")
    assert model.input_shape == (None, 10, 18, 384)  # block 11's map of a 160x288 frame, alpha 0.75
    tuned = {layer.name for layer in model.layers if layer.trainable and layer.weights}
    assert {"conv_pw_12", "conv_pw_13", "conv_dw_13", "punch_kick_output"} <= tuned
    assert not [layer.name for layer in model.layers if "bn" in layer.name and layer.trainable]
    assert json.loads((root / "models" / "recipe.json").read_text()) == {"alpha": 0.75, "recipe": "pose"}


def test_a_recipe_replaces_the_other_recipes_heads(article_pipeline, tmp_path):
    root, _ = article_pipeline
    models = tmp_path / "models"
    shutil.copytree(root / "models", models)
    (models / "punch_kick.keras").unlink()
    x = np.zeros((6, 10, 18, 384), np.float16)
    for split in ("train", "test"):
        np.savez(tmp_path / f"{split}.npz", x=x, y=np.arange(6) % 3, alpha=0.75, recipe="pose")
    train.train_heads(tmp_path, models, epochs={"punch_kick": 1})
    assert sorted(p.name for p in models.glob("*.keras")) == ["punch_kick.keras"]
    assert not list(models.glob("punch_c*.png"))  # the article's punch head's plots went with it
    written = json.loads((models / "metrics.json").read_text())
    assert "punch_kick" in written and "punch" not in written


def test_reports_and_models_are_written(article_pipeline):
    root, reports = article_pipeline
    written = json.loads((root / "models" / "metrics.json").read_text())
    assert set(written) == {"punch", "punch_kick"}
    assert written["punch_kick"]["class_names"] == list(CLASS_NAMES)
    assert written["punch"]["class_names"] == list(BINARY_CLASS_NAMES)
    confusion = np.array(written["punch_kick"]["confusion_matrix"])
    assert confusion.shape == (3, 3) and confusion.sum() == written["punch_kick"]["samples"]["test"]
    assert confusion.sum(axis=1).tolist() == [
        written["punch_kick"]["per_class"][c]["support"] for c in CLASS_NAMES
    ]
    for name in ("punch", "punch_kick"):
        assert (root / "models" / f"{name}_curves.png").stat().st_size > 5000
        assert (root / "models" / f"{name}_confusion.png").stat().st_size > 5000
        model = keras.models.load_model(root / "models" / f"{name}.keras")
        assert model.input_shape == (None, 768)


def test_held_out_frames_were_never_trained_on(article_pipeline):
    root, _ = article_pipeline
    split = json.loads((root / "split.json").read_text())
    index = json.loads((root / "frames" / "index.json").read_text())
    test_sources = {p for paths in split["test"].values() for p in paths}
    train_sources = {record["source"] for record in index["files"] if record["split"] == "train"}
    assert test_sources and train_sources and not test_sources & train_sources


def test_one_class_of_features_is_refused(tmp_path):
    np.savez(
        tmp_path / "train.npz", x=np.ones((4, 8)), y=np.zeros(4, int), paths=np.array(["a"] * 4), alpha=0.75
    )
    np.savez(
        tmp_path / "test.npz", x=np.ones((2, 8)), y=np.zeros(2, int), paths=np.array(["a"] * 2), alpha=0.75
    )
    with pytest.raises(UserError, match="fewer than two classes"):
        train.train_heads(tmp_path, tmp_path / "models")


def test_cli_validates_settings(tmp_path, capsys):
    assert cli.main(["train", str(tmp_path), "--punch-epochs", "0"]) == 2
    assert cli.main(["train", str(tmp_path / "nothing")]) == 2
    assert "run `tfjs-kombat features` first" in capsys.readouterr().err


def test_names_are_printed_escaped(tmp_path, capsys):
    assert cli.main(["train", str(tmp_path / f"features{HOSTILE_NAME}")]) == 2
    assert_escaped(capsys.readouterr().err)  # <features>/train.npz not found
