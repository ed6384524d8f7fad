"""Reports computed by hand on small examples."""

import json

import numpy as np
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


def test_clip_scores_by_hand():
    clips = [30, 10, 30, 10, 20]
    outputs = np.array([[0.6, 0.4], [0.2, 0.8], [0.6, 0.4], [0.9, 0.1], [0.3, 0.7]])
    assert metrics.clip_labels([1, 0, 1, 0, 1], clips).tolist() == [0, 1, 1]  # clips 10, 20, 30
    np.testing.assert_allclose(metrics.mean_by_clip(outputs, clips), [[0.55, 0.45], [0.3, 0.7], [0.6, 0.4]])
    # Clip 10 votes 1 for each class: the tie goes to the higher mean probability (class 0).
    assert metrics.vote_by_clip(outputs, clips).tolist() == [0, 1, 0]
    with pytest.raises(ValueError, match="clip 30 has windows of different classes"):
        metrics.clip_labels([1, 0, 0, 0, 1], clips)


def test_accuracy_among_some_classes():
    truth, guesses = np.array([0, 3, 4, 4]), np.array([0, 4, 4, 0])
    assert metrics.accuracy_among(truth, guesses, (3, 4)) == pytest.approx(1 / 3)
    assert metrics.accuracy_among(truth, guesses, (0, 1, 2)) == 1.0
    assert metrics.accuracy_among(truth, guesses, (1,)) is None  # no such clip: no score


def test_the_sequence_summary_names_both_models_scores():
    report = {
        "test_accuracy": 0.9,
        "frame_baseline_accuracy": 0.5,
        "lookalike_accuracy": 1.0,
        "frame_baseline_lookalike_accuracy": 0.5,
        "punch_kick_other_accuracy": None,
        "frame_baseline_punch_kick_other_accuracy": None,
        "decision_accuracy": 0.8,
        "false_action_rate": 0.25,
    }
    lines = metrics.format_sequence_summary(report).splitlines()
    assert lines[1].split() == ["all", "clips", "0.900", "0.500"]
    assert lines[2].split() == ["look-alike", "kicks", "1.000", "0.500"]
    assert lines[3].split() == ["punch/kick/other", "-", "-"]
    assert "idle clips acting 25.0%" in lines[4]
