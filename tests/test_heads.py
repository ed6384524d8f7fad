"""The article's two heads, layer by layer."""

import keras
import pytest

from tfjs_kombat import heads


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
