"""Train: fit the recipe's heads on the cached features, then report.

Reads build/features/{train,test}.npz (the features stage; they say which recipe and MobileNet
width made them) and writes models/<head>.keras for every head of that recipe (heads.HEADS),
models/recipe.json, their entries in models/metrics.json, and curve / confusion PNGs. The
held-out set is the dataset stage's test split: frames never augmented nor trained on.
"""

from pathlib import Path

import keras

from tfjs_kombat import files, heads, metrics
from tfjs_kombat.config import CLASS_DIRS, OTHER, PUNCH, SEED
from tfjs_kombat.errors import UserError, say, shown, warn
from tfjs_kombat.features import load_split


def fit_and_report(head, model, data, epochs, models_dir):
    """Fit on train, evaluate on test, save the model, metrics and plots."""
    (x_train, y_train), (x_test, y_test), labels_test = data
    batch_size = head.batch(len(x_train))
    say(f"{head.name}: {len(x_train)} training / {len(x_test)} held-out, {epochs} epochs, batch {batch_size}")
    history = model.fit(
        x_train,
        y_train,
        batch_size=batch_size,
        epochs=epochs,
        validation_data=(x_test, y_test),
        class_weight=head.class_weight,
        verbose=0,
        callbacks=[metrics.progress(head.name, epochs)],
    )
    loss, _ = model.evaluate(x_test, y_test, verbose=0)
    report = metrics.head_report(head, labels_test, model.predict(x_test, verbose=0))
    report.update(samples={"train": len(x_train), "test": len(x_test)}, test_loss=float(loss), epochs=epochs)
    say(f"{head.name}: held-out\n{metrics.format_report(report)}")

    files.save_model(model, models_dir / f"{head.name}.keras")
    metrics.update_metrics(models_dir / "metrics.json", head.name, report)
    metrics.plot_history(history.history, models_dir / f"{head.name}_curves.png", head.name)
    metrics.plot_confusion(report, models_dir / f"{head.name}_confusion.png", head.name)
    return report


def forget_other_recipes_heads(models_dir, keep):
    """A head left by another recipe would not match the new features: remove it and its files."""
    for name in set(heads.HEAD_NAMES) - set(keep):
        for path in (models_dir / f"{name}{end}" for end in (".keras", "_curves.png", "_confusion.png")):
            if path.exists():
                path.unlink()
                say(f"removed {shown(path)} (another recipe's head)")
        metrics.update_metrics(models_dir / "metrics.json", name, None)


def train_heads(
    features_dir="build/features", models_dir="models", epochs=None, learning_rates=None, seed=SEED
):
    """epochs, learning_rates: {head name: value} overriding the recipe's own."""
    x_train, y_train, made_by = load_split(features_dir, "train")
    x_test, y_test, _ = load_split(features_dir, "test")
    present = sorted(set(y_train.tolist()))
    if len(present) < 2:
        raise UserError("the training features hold fewer than two classes; nothing to tell apart")
    models_dir, recipe, alpha = Path(models_dir), made_by["recipe"], made_by["alpha"]
    say(
        f"recipe {recipe}: features {'x'.join(map(str, x_train.shape[1:]))} (MobileNet alpha {alpha}); "
        f"classes in training: {[CLASS_DIRS[i] for i in present]}"
    )
    epochs, learning_rates = epochs or {}, learning_rates or {}
    recipe_heads = heads.HEADS[recipe]
    forget_other_recipes_heads(models_dir, [head.name for head in recipe_heads])
    files.write_json(models_dir / "recipe.json", made_by)
    reports = {}
    for head in recipe_heads:
        if head.name == "punch" and not (PUNCH in present and OTHER in present):
            warn("the punch head needs punches and others to learn from: not trained")
            continue
        keras.utils.set_random_seed(seed)
        rows_train, targets_train = head.rows(y_train)
        rows_test, targets_test = head.rows(y_test)
        data = (
            (x_train[rows_train], targets_train),
            (x_test[rows_test], targets_test),
            heads.target_classes(targets_test),
        )
        rate = learning_rates.get(head.name, head.learning_rate)
        model = head.build(x_train.shape[1:], alpha, rate)
        reports[head.name] = fit_and_report(head, model, data, epochs.get(head.name, head.epochs), models_dir)
    return reports


def add_arguments(parser):
    parser.add_argument(
        "features_dir", nargs="?", default="build/features", help="the features stage's output"
    )
    parser.add_argument("--models", default="models", help="folder for the .keras models, metrics and plots")
    parser.add_argument("--punch-epochs", type=int, help="the punch head's epochs (default: the recipe's)")
    parser.add_argument("--punch-kick-epochs", type=int, help="the punch/kick head's epochs (the recipe's)")
    parser.add_argument("--punch-lr", type=float, help="the punch head's learning rate (the recipe's)")
    parser.add_argument("--punch-kick-lr", type=float, help="the punch/kick head's learning rate")
    parser.add_argument("--seed", type=int, default=SEED)


def run(args):
    epochs = {"punch": args.punch_epochs, "punch_kick": args.punch_kick_epochs}
    rates = {"punch": args.punch_lr, "punch_kick": args.punch_kick_lr}
    if any(value is not None and value < 1 for value in epochs.values()):
        raise UserError("epochs must be at least 1")
    if any(value is not None and value <= 0 for value in rates.values()):
        raise UserError("learning rates must be positive")
    train_heads(
        args.features_dir,
        args.models,
        {name: value for name, value in epochs.items() if value is not None},
        {name: value for name, value in rates.items() if value is not None},
        args.seed,
    )
