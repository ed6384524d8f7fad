"""Reports: accuracy, per-class precision/recall, confusion matrices and training curves."""

import json
from pathlib import Path

import keras
import matplotlib

matplotlib.use("Agg")  # files only; no display on these machines
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from tfjs_kombat import files  # noqa: E402
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
    decisions, idle = head.decide(outputs), np.asarray(labels) == head.idle_class
    report["decision_accuracy"] = float((decisions == labels).mean()) if len(labels) else 0.0
    report["false_action_rate"] = float((decisions[idle] != head.idle_class).mean()) if idle.any() else 0.0
    return report


def format_report(report):
    names = report["class_names"]
    width = max(len(n) for n in names) + 2
    lines = [f"accuracy {report['test_accuracy']:.3f}"]
    if "decision_accuracy" in report:
        lines.append(
            f"game decisions: accuracy {report['decision_accuracy']:.3f}, "
            f"idle frames acting {100 * report['false_action_rate']:.1f}%"
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
