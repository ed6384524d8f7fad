"""Reports: accuracy, per-class precision/recall, confusion matrices and training curves; for the
sequence head, the same per held-out clip, beside the single-frame baseline's on the same clips."""

import json
from pathlib import Path

import keras
import matplotlib

matplotlib.use("Agg")  # files only; no display on these machines
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from tfjs_kombat import files  # noqa: E402
from tfjs_kombat.config import BACK_KICK, CLASS_NAMES, ROUNDHOUSE  # noqa: E402
from tfjs_kombat.errors import say  # noqa: E402


def progress(name, epochs):
    """A Keras callback printing about ten lines per run, so long trainings show they are alive."""
    every = max(1, epochs // 10)

    def on_epoch_end(epoch, logs):
        if (epoch + 1) % every == 0 or epoch + 1 == epochs:
            line = f"  {name} epoch {epoch + 1}/{epochs} loss {logs['loss']:.4f} acc {logs['accuracy']:.3f}"
            if "val_accuracy" in logs:
                line += f" held-out acc {logs['val_accuracy']:.3f}"
            say(line)

    return keras.callbacks.LambdaCallback(on_epoch_end=on_epoch_end)


def classification_report(y_true, y_pred, class_names):
    """Scores of integer predictions; confusion matrix rows are the true class."""
    n = len(class_names)
    confusion = np.zeros((n, n), dtype=int)
    np.add.at(confusion, (np.asarray(y_true, dtype=int), np.asarray(y_pred, dtype=int)), 1)
    per_class = {}
    for i, name in enumerate(class_names):
        predicted, actual = confusion[:, i].sum(), confusion[i, :].sum()
        per_class[name] = {
            "precision": float(confusion[i, i] / predicted) if predicted else 0.0,
            "recall": float(confusion[i, i] / actual) if actual else 0.0,
            "support": int(actual),
        }
    total = confusion.sum()
    return {
        "test_accuracy": float(np.trace(confusion) / total) if total else 0.0,
        "class_names": list(class_names),
        "per_class": per_class,
        "confusion_matrix": confusion.tolist(),
    }


def head_report(head, labels, outputs):
    """A head's scores: its own guesses (argmax, or P >= 0.5) and the game's decisions at the
    page's thresholds: how often they are right, and how often a frame of the idle class (other,
    or no punch) makes the fighter punch or kick."""
    report = classification_report(labels, head.classes(outputs), head.class_names)
    decisions, idle = head.decisions(outputs), np.asarray(labels) == head.idle_class
    report["decision_accuracy"] = float((decisions == labels).mean()) if len(labels) else 0.0
    report["false_action_rate"] = float((decisions[idle] != head.idle_class).mean()) if idle.any() else 0.0
    return report


# ---------------------------------------------------------------------------------------------
# Clips: the sequence head decides on windows of a clip, the frame baseline on its frames; both
# are scored once per held-out clip. Every per-clip array is in the order of np.unique(clips).

LOOKALIKES = (ROUNDHOUSE, BACK_KICK)  # the two kicks that share their key pose
FRAME_MOVES = tuple(range(len(CLASS_NAMES)))  # punch, kick, other: what a single frame can show


def clip_labels(labels, clips):
    """The class of each clip, from the class of its windows (or frames), which must agree."""
    labels, clips = np.asarray(labels, dtype=int), np.asarray(clips)
    ids, inverse = np.unique(clips, return_inverse=True)
    truth = np.zeros(len(ids), dtype=int)
    truth[inverse] = labels
    mixed = truth[inverse] != labels
    if mixed.any():
        raise ValueError(f"clip {clips[mixed][0]} has windows of different classes")
    return truth


def mean_by_clip(outputs, clips):
    """Each clip's mean of its windows' (or frames') probabilities."""
    ids, inverse = np.unique(np.asarray(clips), return_inverse=True)
    sums = np.zeros((len(ids), outputs.shape[1]))
    np.add.at(sums, inverse, outputs)
    return sums / np.bincount(inverse, minlength=len(ids))[:, None]


def vote_by_clip(outputs, clips):
    """Each clip's majority of its frames' decisions (each frame's most likely class). A tie goes
    to the tied class with the higher mean probability: half of it is added to the votes, which
    can never outweigh one vote."""
    ids, inverse = np.unique(np.asarray(clips), return_inverse=True)
    votes = np.zeros((len(ids), outputs.shape[1]))
    np.add.at(votes, (inverse, outputs.argmax(axis=1)), 1)
    return (votes + 0.5 * mean_by_clip(outputs, clips)).argmax(axis=1)


def accuracy_among(truth, guesses, classes):
    """Accuracy over the clips whose true class is one of `classes` (guesses may be any class);
    None when there is no such clip."""
    rows = np.isin(truth, classes)
    return float((guesses[rows] == truth[rows]).mean()) if rows.any() else None


def sequence_report(head, window_labels, window_clips, window_outputs, frame_clips, frame_outputs):
    """The sequence head's scores per held-out clip (the mean of its windows' probabilities, then
    the most likely class), the game's decisions on those means (head.decisions), and the frame
    baseline's on the same clips (the majority of its per-frame decisions); frame_outputs None:
    no baseline (its scores are None)."""
    truth = clip_labels(window_labels, window_clips)
    if not np.array_equal(np.unique(window_clips), np.unique(frame_clips)):
        raise ValueError("the windows and the frames come from different clips")
    means = mean_by_clip(window_outputs, window_clips)
    guesses = means.argmax(axis=1)
    report = classification_report(truth, guesses, head.class_names)
    decisions, idle = head.decisions(means), truth == head.idle_class
    window_labels = np.asarray(window_labels, dtype=int)
    report.update(
        decision_accuracy=float((decisions == truth).mean()) if len(truth) else 0.0,
        false_action_rate=float((decisions[idle] != head.idle_class).mean()) if idle.any() else 0.0,
        lookalike_accuracy=accuracy_among(truth, guesses, LOOKALIKES),
        punch_kick_other_accuracy=accuracy_among(truth, guesses, FRAME_MOVES),
        window_accuracy=float((window_outputs.argmax(axis=1) == window_labels).mean()),
        window_decision_accuracy=float((head.decisions(window_outputs) == window_labels).mean()),
    )
    if frame_outputs is None:
        report.update(
            frame_baseline_accuracy=None,
            frame_baseline_lookalike_accuracy=None,
            frame_baseline_punch_kick_other_accuracy=None,
        )
        return report
    baseline = vote_by_clip(frame_outputs, frame_clips)
    baseline_report = classification_report(truth, baseline, head.class_names)
    frame_labels = truth[np.unique(frame_clips, return_inverse=True)[1]]
    report.update(
        frame_baseline_accuracy=baseline_report["test_accuracy"],
        frame_baseline_lookalike_accuracy=accuracy_among(truth, baseline, LOOKALIKES),
        frame_baseline_punch_kick_other_accuracy=accuracy_among(truth, baseline, FRAME_MOVES),
        frame_baseline_frame_accuracy=float((frame_outputs.argmax(axis=1) == frame_labels).mean()),
        frame_baseline_per_class=baseline_report["per_class"],
        frame_baseline_confusion_matrix=baseline_report["confusion_matrix"],
    )
    return report


def format_score(value):
    return "-" if value is None else f"{value:.3f}"


def format_sequence_summary(report):
    """One line per comparison: the sequence head against the frame baseline, per held-out clip."""
    rows = (
        ("all clips", "test_accuracy", "frame_baseline_accuracy"),
        ("look-alike kicks", "lookalike_accuracy", "frame_baseline_lookalike_accuracy"),
        ("punch/kick/other", "punch_kick_other_accuracy", "frame_baseline_punch_kick_other_accuracy"),
    )
    lines = ["held-out clips        sequence  frame baseline"]
    lines += [
        f"  {name:<20}{format_score(report[ours]):>8}  {format_score(report[theirs]):>14}"
        for name, ours, theirs in rows
    ]
    lines.append(
        f"  game decisions      {format_score(report['decision_accuracy']):>8}  "
        f"(idle clips acting {100 * report['false_action_rate']:.1f}%)"
    )
    return "\n".join(lines)


def format_report(report, unit="frames"):
    names = report["class_names"]
    width = max(len(n) for n in names) + 2
    lines = [f"accuracy {report['test_accuracy']:.3f}"]
    if "decision_accuracy" in report:
        lines.append(
            f"game decisions: accuracy {report['decision_accuracy']:.3f}, "
            f"idle {unit} acting {100 * report['false_action_rate']:.1f}%"
        )
    lines.append(f"{'':{width}}precision  recall  support")
    for name in names:
        c = report["per_class"][name]
        lines.append(f"{name:{width}}{c['precision']:9.3f}  {c['recall']:6.3f}  {c['support']:7d}")
    lines.append("confusion (rows = true, columns = predicted):")
    lines += [
        f"{name:{width}}" + " ".join(f"{v:5d}" for v in row)
        for name, row in zip(names, report["confusion_matrix"], strict=True)
    ]
    return "\n".join(lines)


def update_metrics(path, name, entry):
    """Merge one model's entry into metrics.json, keeping the other models' entries; None removes it."""
    path = Path(path)
    metrics = json.loads(path.read_text()) if path.exists() else {}
    if entry is None:
        metrics.pop(name, None)
    else:
        metrics[name] = entry
    files.write_json(path, metrics)


def save_figure(figure, path):
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(figure)


def plot_history(history, path, title):
    """Loss and accuracy per epoch, on the training set and on the held-out set."""
    figure, (loss_axis, accuracy_axis) = plt.subplots(1, 2, figsize=(10, 3.5))
    for key, label in (("loss", "train"), ("val_loss", "held-out")):
        if key in history:
            loss_axis.plot(history[key], label=label)
    for key, label in (("accuracy", "train"), ("val_accuracy", "held-out")):
        if key in history:
            accuracy_axis.plot(history[key], label=label)
    loss_axis.set(title=f"{title}: loss", xlabel="epoch")
    accuracy_axis.set(title=f"{title}: accuracy", xlabel="epoch", ylim=(0, 1.02))
    loss_axis.legend()
    accuracy_axis.legend()
    save_figure(figure, path)


def plot_confusion(report, path, title):
    names, confusion = report["class_names"], np.array(report["confusion_matrix"])
    figure, axis = plt.subplots(figsize=(1.2 * len(names) + 2, 1.1 * len(names) + 1.5))
    axis.imshow(confusion, cmap="Blues")
    for (row, column), value in np.ndenumerate(confusion):
        color = "white" if value > confusion.max() / 2 else "black"
        axis.text(column, row, str(value), ha="center", va="center", color=color)
    axis.set_xticks(range(len(names)), names)
    axis.set_yticks(range(len(names)), names)
    axis.set(xlabel="predicted", ylabel="true", title=f"{title} (accuracy {report['test_accuracy']:.2f})")
    save_figure(figure, path)
