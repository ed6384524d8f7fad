"""The article's season MLP: data, architecture, and that it really learns."""

import json

import keras
import numpy as np
import pytest

from tfjs_kombat import season


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (1, "winter"),
        (77, "winter"),
        (78, "spring"),
        (170, "spring"),
        (205, "summer"),
        (264, "summer"),
        (265, "fall"),
        (353, "fall"),
        (354, "winter"),
        (364, "winter"),
    ],
)
def test_ground_truth(day, name):
    assert season.SEASONS[season.season_of(day)] == name


def test_generated_days_are_distinct_and_labelled():
    days, labels = season.generate_days(np.random.default_rng(0), per_season=50)
    assert len(days) == 200 and np.bincount(labels).tolist() == [50] * 4
    for index in range(4):
        assert len(set(days[labels == index])) == 50
    assert all(season.season_of(d) == label for d, label in zip(days, labels, strict=True))
    assert days.min() >= 0 and days.max() <= 364


def test_too_many_days_per_season_is_refused():
    with pytest.raises(season.UserError):
        season.generate_days(np.random.default_rng(0), per_season=95)


def test_model_is_7_10_4():
    model = season.build_season_model()
    assert model.input_shape == (None, 1)
    assert [(layer.units, layer.activation.__name__) for layer in model.layers] == [
        (7, "relu"),
        (10, "relu"),
        (4, "softmax"),
    ]
    assert model.output_shape == (None, len(season.SEASONS))


def test_learns_the_seasons_with_the_articles_settings(season_models):
    models = season_models  # `tfjs-kombat season --models <folder>`
    entry = json.loads((models / "metrics.json").read_text())["season"]
    assert entry["test_accuracy"] >= 0.9
    train, test = entry["samples"]["train"], entry["samples"]["test"]
    assert test / (train + test) == pytest.approx(0.2, abs=0.01)  # the article's 80/20 split
    assert np.array(entry["confusion_matrix"]).sum() == test  # scored on the held-out days only
    model = keras.models.load_model(models / "season.keras")
    assert season.SEASONS[model.predict(np.array([[205 / 365]]), verbose=0).argmax()] == "summer"
    assert (models / "season_curves.png").exists() and (models / "season_confusion.png").exists()
    assert "held-out accuracy" in (models / "output.txt").read_text()
