"""The ImageNet MobileNet: where its weights are found, which width "auto" picks, the weights
command, and the ImageNet classifier. Resolution tests use dummy files and never the network."""

import argparse
import json

import numpy as np
import pytest
from conftest import TEST_ALPHA, requires_weights

from tfjs_kombat import cli, mobilenet
from tfjs_kombat.errors import UserError
from tfjs_kombat.recipes import ARTICLE


@pytest.fixture
def caches(tmp_path, monkeypatch):
    """KERAS_HOME as an empty temporary folder; downloads fail (offline) and are recorded as
    (url, target)."""
    home = tmp_path / "keras-home"
    home.mkdir()
    monkeypatch.setenv("KERAS_HOME", str(home))
    downloads = []

    def offline(url, target):
        downloads.append((url, target))
        raise OSError("offline")

    monkeypatch.setattr(mobilenet, "download", offline)
    return home, downloads


def cache_weights(home, *alphas):
    """Dummy files named like Keras' weight files: resolution must not need to read them."""
    for alpha in alphas:
        path = home / "models" / mobilenet.weights_file(alpha)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"not really weights")


def test_auto_takes_the_articles_width_when_cached(caches):
    home, downloads = caches
    cache_weights(home, 1.0, 0.75)
    assert mobilenet.resolve_alpha("auto") == 1.0
    assert downloads == []


def test_auto_downloads_the_articles_width_when_it_can(caches, monkeypatch):
    home, downloads = caches
    cache_weights(home, 0.75)

    def online(url, target):
        downloads.append((url, target))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"downloaded")

    monkeypatch.setattr(mobilenet, "download", online)
    assert mobilenet.resolve_alpha("auto") == 1.0
    name = "mobilenet_1_0_224_tf_no_top.h5"
    assert downloads == [(mobilenet.BASE_WEIGHT_PATH + name, home / "models" / name)]
    assert mobilenet.weights_path(1.0) == home / "models" / name  # now cached: no second download
    assert len(downloads) == 1


def test_auto_falls_back_to_the_widest_cached_width(caches, capsys):
    home, downloads = caches
    cache_weights(home, 0.25, 0.75)
    assert mobilenet.resolve_alpha("auto") == 0.75
    assert [url.rsplit("/", 1)[1] for url, _ in downloads] == ["mobilenet_1_0_224_tf_no_top.h5"]
    assert "using 0.75, the widest cached width" in capsys.readouterr().err


def test_auto_without_any_weights_says_what_to_do(caches):
    with pytest.raises(UserError, match="Run `tfjs-kombat weights` once on a machine with internet"):
        mobilenet.resolve_alpha("auto")


def test_a_given_width_is_checked_not_looked_up(caches):
    _, downloads = caches
    assert mobilenet.resolve_alpha(0.5) == 0.5
    assert downloads == []
    with pytest.raises(UserError, match="alpha must be auto or one of"):
        mobilenet.resolve_alpha(0.3)


def test_missing_weights_say_where_they_were_looked_for(caches):
    home, _ = caches
    with pytest.raises(UserError, match="KERAS_HOME") as raised:
        mobilenet.weights_path(0.5)
    message = str(raised.value)
    assert "mobilenet_5_0_224_tf_no_top.h5" in message and "offline" in message
    assert f"not in {home / 'models'} and could not be downloaded" in message


def test_keras_own_cache_when_keras_home_is_unset(caches, monkeypatch, tmp_path):
    monkeypatch.delenv("KERAS_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    own = tmp_path / "user" / ".keras"
    cache_weights(own, 0.75)
    assert mobilenet.weights_path(0.75) == own / "models" / "mobilenet_7_5_224_tf_no_top.h5"
    assert mobilenet.resolve_alpha("auto") == 0.75


@pytest.mark.parametrize(("text", "alpha"), [("auto", "auto"), ("1.0", 1.0), ("0.75", 0.75), ("1", 1.0)])
def test_alpha_argument_accepts(text, alpha):
    assert mobilenet.alpha_argument(text) == alpha


@pytest.mark.parametrize("text", ["0.3", "wide", ""])
def test_alpha_argument_refuses(text):
    with pytest.raises(argparse.ArgumentTypeError, match="auto or one of 0.25, 0.5, 0.75, 1.0"):
        mobilenet.alpha_argument(text)


def test_weights_command_says_which_width_and_where(caches, capsys):
    home, _ = caches
    cache_weights(home, 0.75)
    assert cli.main(["weights"]) == 0
    last_line = capsys.readouterr().out.splitlines()[-1]
    assert last_line == f"MobileNet alpha 0.75: {home / 'models' / 'mobilenet_7_5_224_tf_no_top.h5'}"


def test_weights_command_without_weights_is_an_error(caches, capsys):
    assert cli.main(["weights", "--alpha", "auto"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no MobileNet ImageNet weights found") and "Traceback" not in err
    assert cli.main(["weights", "--alpha", "0.25"]) == 2
    assert capsys.readouterr().err.startswith("error: MobileNet 0.25 ImageNet weights")


def test_imagenet_labels_from_keras_index_or_plain_file(caches):
    home, _ = caches
    assert mobilenet.imagenet_labels() is None  # none cached, and the download fails
    (home / "imagenet-labels.json").write_text(json.dumps({"labels": ["tench", "goldfish"]}))
    assert mobilenet.imagenet_labels() == ["tench", "goldfish"]
    (home / "models").mkdir()
    index = {"0": ["n01440764", "tench"], "1": ["n01443537", "goldfish"], "2": ["n01484850", "shark"]}
    (home / "models" / "imagenet_class_index.json").write_text(json.dumps(index))
    assert mobilenet.imagenet_labels() == ["tench", "goldfish", "shark"]


@requires_weights
def test_real_offline_labels():
    labels = mobilenet.imagenet_labels()
    assert len(labels) == 1000 and "Egyptian" in labels[285]


@requires_weights
def test_imagenet_top_on_pooled_features_is_mobilenets_classifier():
    import keras

    images = np.random.default_rng(0).uniform(-1, 1, (2, 224, 224, 3)).astype("float32")
    full = keras.applications.MobileNet(
        alpha=TEST_ALPHA, weights=str(mobilenet.weights_path(TEST_ALPHA, include_top=True))
    )
    features = mobilenet.load_mobilenet(TEST_ALPHA).predict_on_batch(images)
    top = mobilenet.imagenet_top(TEST_ALPHA, ARTICLE.features)
    assert top.input_shape == (None, 768) and top.output_shape == (None, 1000)
    np.testing.assert_allclose(top.predict_on_batch(features), full.predict_on_batch(images), atol=1e-5)
