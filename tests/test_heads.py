"""The heads: the article's two, layer by layer; the pose head; the game's decision rules."""

import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest
from conftest import TEST_ALPHA, requires_weights

from tfjs_kombat import features, files, heads, recipes
from tfjs_kombat.config import BACK_KICK, CLIP_CLASS_NAMES, KICK, OTHER, PUNCH, ROUNDHOUSE
from tfjs_kombat.errors import UserError


def dense_layers(model):
    return [(layer.units, layer.activation.__name__) for layer in model.layers]


@pytest.mark.parametrize("size", [1024, 768])
def test_punch_head_is_the_articles(size):
    model = heads.build_punch_head(size)
    assert model.input_shape == (None, size)
    assert dense_layers(model) == [(1024, "relu"), (1, "sigmoid")]
    assert model.output_shape == (None, 1)
    assert model.loss == "binary_crossentropy"
    assert isinstance(model.optimizer, keras.optimizers.Adam)


@pytest.mark.parametrize("size", [1024, 768])
def test_punch_kick_head_is_the_articles(size):
    model = heads.build_punch_kick_head(size)
    assert model.input_shape == (None, size)
    assert dense_layers(model) == [(1024, "relu"), (3, "softmax")]
    assert model.loss == "categorical_crossentropy"  # not the article's sigmoid cross-entropy, see heads.py


def test_learning_rate_is_overridable():
    assert float(heads.build_punch_kick_head(8, learning_rate=3e-4).optimizer.learning_rate) == pytest.approx(
        3e-4
    )


def test_every_recipe_has_a_punch_kick_head_the_page_can_play_with():
    for recipe in recipes.RECIPES:
        names = [head.name for head in recipe.frame_heads]
        assert "punch_kick" in names and set(names) <= set(recipes.FRAME_HEAD_NAMES), recipe.name
        assert recipe.head("punch_kick").name == "punch_kick" and recipes.named(recipe.name) is recipe


def test_an_unknown_recipe_is_a_clear_error():
    with pytest.raises(UserError, match="no recipe 'posture': the recipes are pose, article"):
        recipes.named("posture")
    with pytest.raises(UserError, match="recipe article has no head 'sequel'"):
        recipes.ARTICLE.head("sequel")


def test_recipes_and_heads_load_without_tensorflow():
    """The augment stage's worker processes read a recipe: they must not pay for TensorFlow."""
    code = "import sys, tfjs_kombat.recipes, tfjs_kombat.augment; print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_heads_load_for_inference_without_an_optimizer(tmp_path):
    """predict, evaluate and convert only run the heads: a head saved before any training (its
    optimizer never built) loads without Keras' "Skipping variable loading for optimizer"."""
    files.save_model(heads.build_punch_kick_head(8), tmp_path / "punch_kick.keras")
    files.write_json(tmp_path / "recipe.json", {"alpha": 0.75, "recipe": "article"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded, made_by = heads.load_heads(tmp_path, ["punch_kick", "punch"])
    assert list(loaded) == ["punch_kick"] and loaded["punch_kick"].output_shape == (None, 3)
    assert made_by == {"alpha": 0.75, "recipe": "article"}


def test_decisions_follow_the_pages_thresholds():
    outputs = np.array([[0.5, 0.1, 0.4], [0.6, 0.05, 0.35], [0.3, 0.36, 0.34], [0.34, 0.32, 0.34]])
    assert heads.decide_punch_kick(outputs).tolist() == [OTHER, PUNCH, KICK, OTHER]
    assert heads.decide_punch(np.array([[0.41], [0.39]])).tolist() == [1, 0]


def test_a_head_decides_with_its_own_rule():
    outputs = np.array([[0.6, 0.05, 0.35], [0.75, 0.1, 0.15], [0.1, 0.72, 0.18], [0.45, 0.3, 0.25]])
    assert heads.PUNCH_KICK_HEAD.decisions(outputs).tolist() == [PUNCH, PUNCH, KICK, PUNCH]
    # the keypoint heads act only when P(other) < 0.3 and a move reaches 0.5
    assert heads.KEYPOINT_FRAME_HEAD.decisions(outputs).tolist() == [OTHER, PUNCH, KICK, OTHER]
    assert heads.KEYPOINT_SEQUENCE_HEAD.rule == heads.KEYPOINT_RULE
    assert heads.decide_punch(np.array([[0.45]]), heads.Rule(punch=0.5)).tolist() == [0]


def test_rows_each_head_learns_from():
    labels = np.array([PUNCH, KICK, OTHER, PUNCH])
    punch, punch_kick = recipes.ARTICLE.frame_heads
    rows, targets = punch.rows(labels)
    assert rows.tolist() == [True, False, True, True] and targets.tolist() == [1, 0, 1]
    rows, targets = punch_kick.rows(labels)
    assert rows.all() and targets.argmax(axis=1).tolist() == labels.tolist()


@requires_weights
def test_pose_head_starts_from_mobilenets_imagenet_blocks():
    model = recipes.POSE.head("punch_kick").build((10, 18, 384), TEST_ALPHA, 1e-4)
    assert model.output_shape == (None, 3) and model.loss == "categorical_crossentropy"
    imagenet = features.load_mobilenet(TEST_ALPHA)
    for name in ("conv_dw_12", "conv_pw_13", "conv_pw_13_bn"):
        for ours, theirs in zip(
            model.get_layer(name).get_weights(), imagenet.get_layer(name).get_weights(), strict=True
        ):
            np.testing.assert_array_equal(ours, theirs)


def test_the_sequence_head_reads_a_window_of_frame_vectors():
    model = heads.build_sequence_head(12, 2304)
    assert model.input_shape == (None, 12, 2304)
    assert model.output_shape == (None, len(CLIP_CLASS_NAMES))
    recurrent = model.get_layer("over_time")
    assert isinstance(recurrent, keras.layers.GRU) and recurrent.unroll  # a plain graph in TensorFlow.js
    assert model.layers[-1].activation.__name__ == "softmax" and model.loss == "categorical_crossentropy"
    # It reads what changes over the window: a constant added to every frame (another room, other
    # clothes) changes nothing.
    window = np.random.default_rng(0).uniform(0, 2, (4, 12, 2304)).astype(np.float32)
    still = np.random.default_rng(1).uniform(0, 2, (4, 1, 2304)).astype(np.float32)
    np.testing.assert_allclose(
        model.predict(window, verbose=0), model.predict(window + still, verbose=0), atol=1e-5
    )
    for kind in ("lstm", "conv"):  # the alternatives benchmarks/sequence_heads.py measures
        other = heads.build_sequence_head(12, 64, kind=kind)
        assert (other.input_shape, other.output_shape) == ((None, 12, 64), (None, 5))
    with pytest.raises(ValueError, match="kind must be one of"):
        heads.build_sequence_head(12, 64, kind="transformer")


def test_the_frame_baseline_is_the_articles_head_over_the_clip_classes():
    model = heads.build_frame_baseline(2304)
    assert model.input_shape == (None, 2304)
    assert dense_layers(model) == [(1024, "relu"), (len(CLIP_CLASS_NAMES), "softmax")]
    assert heads.FRAME_BASELINE.class_names == heads.SEQUENCE_HEAD.class_names == CLIP_CLASS_NAMES


def test_sequence_decisions_follow_the_pages_thresholds():
    outputs = np.array(
        [
            [0.1, 0.1, 0.4, 0.3, 0.1],  # P(other) >= 0.4: stand
            [0.1, 0.1, 0.1, 0.6, 0.1],  # roundhouse
            [0.05, 0.36, 0.2, 0.05, 0.34],  # kick, the most likely move, reaches 0.35
            [0.3, 0.0, 0.39, 0.0, 0.31],  # no move reaches 0.35: stand
            [0.1, 0.1, 0.0, 0.1, 0.7],  # back kick
        ]
    )
    assert heads.decide_sequence(outputs).tolist() == [OTHER, ROUNDHOUSE, KICK, OTHER, BACK_KICK]
