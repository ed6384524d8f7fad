"""Train: fit the punch head and the punch/kick head on the cached features, then report.

Reads build/features/{train,test}.npz (the features stage) and writes models/punch.keras,
models/punch_kick.keras, their entries in models/metrics.json, and curve / confusion PNGs.
The held-out set is the dataset stage's test split: frames never augmented nor trained on.
"""

from pathlib import Path

import keras

from tfjs_kombat import files, heads, metrics
from tfjs_kombat.config import BINARY_CLASS_NAMES, CLASS_DIRS, CLASS_NAMES, KICK, OTHER, PUNCH, SEED
from tfjs_kombat.errors import UserError, say, warn
from tfjs_kombat.features import load_split


def fit_and_report(model, name, data, class_names, epochs, models_dir, predict_classes):
    """Fit on train (batch = 10% of it), evaluate on test, save the model, metrics and plots."""
    (x_train, y_train), (x_test, y_test), labels_test = data
    batch_size = max(1, round(heads.BATCH_FRACTION * len(x_train)))
    say(f"{name}: {len(x_train)} training / {len(x_test)} held-out, {epochs} epochs, batch {batch_size}")
    history = model.fit(
        x_train,
        y_train,
        batch_size=batch_size,
        epochs=epochs,
        validation_data=(x_test, y_test),
        verbose=0,
        callbacks=[metrics.progress(name, epochs)],
    )
    loss, _ = model.evaluate(x_test, y_test, verbose=0)
    report = metrics.classification_report(
        labels_test, predict_classes(model.predict(x_test, verbose=0)), class_names
    )
    report.update(samples={"train": len(x_train), "test": len(x_test)}, test_loss=float(loss), epochs=epochs)
    say(f"{name}: held-out\n{metrics.format_report(report)}")

    files.save_model(model, models_dir / f"{name}.keras")
    metrics.update_metrics(models_dir / "metrics.json", name, report)
    metrics.plot_history(history.history, models_dir / f"{name}_curves.png", name)
    metrics.plot_confusion(report, models_dir / f"{name}_confusion.png", name)
    return report


def train_heads(
    features_dir="build/features",
    models_dir="models",
    punch_epochs=heads.PUNCH_EPOCHS,
    punch_kick_epochs=heads.PUNCH_KICK_EPOCHS,
    punch_learning_rate=heads.PUNCH_LEARNING_RATE,
    punch_kick_learning_rate=heads.PUNCH_KICK_LEARNING_RATE,
    seed=SEED,
):
    x_train, y_train, alpha = load_split(features_dir, "train")
    x_test, y_test, _ = load_split(features_dir, "test")
    present = sorted(set(y_train.tolist()))
    if len(present) < 2:
        raise UserError("the training features hold fewer than two classes; nothing to tell apart")
    models_dir, size = Path(models_dir), x_train.shape[1]
    names = [CLASS_DIRS[i] for i in present]
    say(f"features: {size}-d (MobileNet alpha {alpha}); classes in training: {names}")
    reports = {}

    # The article's binary experiment: punches against others. Kicks are the n-ary head's job.
    if PUNCH in present and OTHER in present:
        keras.utils.set_random_seed(seed)
        rows_train, rows_test = y_train != KICK, y_test != KICK
        punch_train = (y_train[rows_train] == PUNCH).astype("float32")
        punch_test = (y_test[rows_test] == PUNCH).astype("float32")
        data = (x_train[rows_train], punch_train), (x_test[rows_test], punch_test), punch_test.astype(int)
        model = heads.build_punch_head(size, punch_learning_rate)
        reports["punch"] = fit_and_report(
            model,
            "punch",
            data,
            BINARY_CLASS_NAMES,
            punch_epochs,
            models_dir,
            lambda p: (p[:, 0] >= 0.5).astype(int),
        )
    else:
        warn("the punch head needs punches and others to learn from: not trained")

    keras.utils.set_random_seed(seed)
    one_hot = (
        keras.utils.to_categorical(y_train, len(CLASS_NAMES)),
        keras.utils.to_categorical(y_test, len(CLASS_NAMES)),
    )
    data = (x_train, one_hot[0]), (x_test, one_hot[1]), y_test
    model = heads.build_punch_kick_head(size, punch_kick_learning_rate)
    reports["punch_kick"] = fit_and_report(
        model, "punch_kick", data, CLASS_NAMES, punch_kick_epochs, models_dir, lambda p: p.argmax(axis=1)
    )
    return reports


def add_arguments(parser):
    parser.add_argument(
        "features_dir", nargs="?", default="build/features", help="the features stage's output"
    )
    parser.add_argument("--models", default="models", help="folder for the .keras models, metrics and plots")
    parser.add_argument("--punch-epochs", type=int, default=heads.PUNCH_EPOCHS)
    parser.add_argument("--punch-kick-epochs", type=int, default=heads.PUNCH_KICK_EPOCHS)
    parser.add_argument("--punch-lr", type=float, default=heads.PUNCH_LEARNING_RATE)
    parser.add_argument("--punch-kick-lr", type=float, default=heads.PUNCH_KICK_LEARNING_RATE)
    parser.add_argument("--seed", type=int, default=SEED)


def run(args):
    if min(args.punch_epochs, args.punch_kick_epochs) < 1:
        raise UserError("epochs must be at least 1")
    if min(args.punch_lr, args.punch_kick_lr) <= 0:
        raise UserError("learning rates must be positive")
    train_heads(
        args.features_dir,
        args.models,
        args.punch_epochs,
        args.punch_kick_epochs,
        args.punch_lr,
        args.punch_kick_lr,
        args.seed,
    )
