"""Reports computed by hand on small examples."""

import json

import pytest

from tfjs_kombat import metrics


def test_classification_report_counts_by_hand():
    truth = [0, 0, 0, 1, 1, 2, 2, 2]
    guess = [0, 0, 1, 1, 2, 2, 2, 0]
    report = metrics.classification_report(truth, guess, ["punch", "kick", "other"])
    assert report["confusion_matrix"] == [[2, 1, 0], [0, 1, 1], [1, 0, 2]]  # rows = truth
    assert report["test_accuracy"] == pytest.approx(5 / 8)
    assert report["per_class"]["punch"] == {
        "precision": pytest.approx(2 / 3),
        "recall": pytest.approx(2 / 3),
        "support": 3,
    }
    assert report["per_class"]["kick"]["precision"] == pytest.approx(1 / 2)
    assert report["per_class"]["other"]["recall"] == pytest.approx(2 / 3)


def test_class_never_predicted_has_zero_precision_not_a_crash():
    report = metrics.classification_report([False, True], [False, False], ["a", "b"])  # booleans: 0, 1
    assert report["per_class"]["b"] == {"precision": 0.0, "recall": 0.0, "support": 1}
    assert "accuracy 0.500" in metrics.format_report(report)


def test_update_metrics_keeps_other_models(tmp_path):
    path = tmp_path / "metrics.json"
    metrics.update_metrics(path, "season", {"test_accuracy": 0.9})
    metrics.update_metrics(path, "punch", {"test_accuracy": 0.8})
    metrics.update_metrics(path, "season", {"test_accuracy": 0.95})
    assert json.loads(path.read_text()) == {
        "season": {"test_accuracy": 0.95},
        "punch": {"test_accuracy": 0.8},
    }


def test_plots_are_written(tmp_path):
    report = metrics.classification_report([0, 1, 1], [0, 1, 0], ["a", "b"])
    metrics.plot_confusion(report, tmp_path / "c.png", "t")
    metrics.plot_history(
        {"loss": [1, 0.5], "val_loss": [1.1, 0.7], "accuracy": [0.5, 0.9]}, tmp_path / "h.png", "t"
    )
    assert (tmp_path / "c.png").read_bytes()[:4] == b"\x89PNG"
    assert (tmp_path / "h.png").stat().st_size > 5000
