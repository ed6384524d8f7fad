"""Train: fit the recipe's heads on the cached features, then report.

Reads build/features/{train,test}.npz (the features stage; they say which recipe and MobileNet
width made them) and writes models/<head>.keras for every frame head of that recipe
(Recipe.frame_heads), models/recipe.json, their entries in models/metrics.json, and curve /
confusion PNGs. The held-out set is the dataset stage's test split: frames never augmented nor
trained on.

When the folder holds clips (clips_{train,test}.npz: windows of the last T frame vectors, their
clip's class and the clip each window comes from), train also fits the sequence head
(models/sequence.keras) and, to measure it against, the frame baseline: the article's head shape
on the single frames of the same training clips. Both are scored per held-out clip (metrics.json
key "sequence"). A folder with clips only trains just these.

The new set is written whole in a folder beside models/ and swapped in at the end (what stays
valid, the season MLP or a sequence head on the same features, is carried over): a failed or
interrupted training leaves models/ as it was.
"""

import json
import shutil
import time
from pathlib import Path

import keras
import numpy as np

from tfjs_kombat import files, heads, metrics, recipes
from tfjs_kombat.config import CLASS_DIRS, CLIP_CLASS_NAMES, OTHER, PUNCH, SEED
from tfjs_kombat.errors import UserError, say, shown, warn
from tfjs_kombat.features import CLIP_FILES, load_clips, load_split

# The sequence head's files in models/ (the frame baseline is measured, not kept).
SEQUENCE_FILES = (
    "sequence.keras",
    "sequence_curves.png",
    "sequence_confusion.png",
    "frame_baseline_curves.png",
    "frame_baseline_confusion.png",
)


def fit_and_report(head, build, data, epochs, models_dir, seed):
    """Fit on train (fit_head), evaluate on test, save the model, metrics and plots."""
    (x_train, y_train), (x_test, y_test), labels_test = data
    batch_size = head.batch(len(x_train))
    say(f"{head.name}: {len(x_train)} training / {len(x_test)} held-out, {epochs} epochs, batch {batch_size}")
    groups = np.arange(len(x_train))  # a frame each: one generated person, or one picture
    model, history = fit_head(
        head, build, x_train, y_train, groups, epochs, head.class_weight, seed, (x_test, y_test)
    )
    loss, _ = model.evaluate(x_test, y_test, verbose=0)
    report = metrics.head_report(head, labels_test, model.predict(x_test, verbose=0))
    report.update(
        samples={"train": len(x_train), "test": len(x_test)},
        test_loss=float(loss),
        epochs=len(history.history["loss"]),
    )
    say(f"{head.name}: held-out\n{metrics.format_report(report)}")

    files.save_model(model, models_dir / f"{head.name}.keras")
    metrics.update_metrics(models_dir / "metrics.json", head.name, report)
    metrics.plot_history(history.history, models_dir / f"{head.name}_curves.png", head.name)
    metrics.plot_confusion(report, models_dir / f"{head.name}_confusion.png", head.name)
    return report


def train_frame_heads(frames, recipe, alpha, models_dir, epochs, learning_rates, seed):
    """The recipe's heads on single frames (train.npz, test.npz)."""
    (x_train, y_train), (x_test, y_test) = frames
    present = sorted(set(y_train.tolist()))
    made_by = f"MobileNet alpha {alpha}" if alpha is not None else "the pose model's keypoints"
    say(
        f"recipe {recipe.name}: features {'x'.join(map(str, x_train.shape[1:]))} ({made_by}); "
        f"classes in training: {[CLASS_DIRS[i] for i in present]}"
    )
    reports = {}
    for head in recipe.frame_heads:
        if head.name == "punch" and not (PUNCH in present and OTHER in present):
            warn("the punch head needs punches and others to learn from: not trained")
            continue
        rows_train, targets_train = head.rows(y_train)
        rows_test, targets_test = head.rows(y_test)
        data = (
            (x_train[rows_train], targets_train),
            (x_test[rows_test], targets_test),
            heads.target_classes(targets_test),
        )
        rate = learning_rates.get(head.name, head.learning_rate)

        def build(head=head, rate=rate):
            return head.build(x_train.shape[1:], alpha, rate)

        reports[head.name] = fit_and_report(
            head, build, data, epochs.get(head.name, head.epochs), models_dir, seed
        )
    return reports


VALIDATION_SHARE = 0.2  # of the training groups, held out for early stopping


def fit_head(head, build, x, targets, groups, epochs, class_weight, seed, curves=None):
    """A model from build() fitted on x: (model, history).

    Without head.patience: one run of `epochs`; curves (x, targets), when given, are scored each
    epoch for the plots only. With it: a share of the groups (a group: one person's frame, one
    clip's windows) is held out, and each of head.seeds runs stops when their loss has not
    improved for head.patience epochs, keeping its best weights; the run with the lowest such
    loss is kept. The test set chooses nothing."""
    if not head.patience:
        keras.utils.set_random_seed(seed)
        model = build()
        return model, fit_quietly(model, x, targets, head, epochs, class_weight, curves)
    names = np.unique(groups)
    held = np.random.default_rng(seed).permutation(names)[: max(1, round(VALIDATION_SHARE * len(names)))]
    out = np.isin(groups, held)
    validation = x[out], targets[out]
    best = None
    for run in range(head.seeds):
        keras.utils.set_random_seed(seed + run)
        model = build()
        stop = keras.callbacks.EarlyStopping(patience=head.patience, restore_best_weights=True)
        history = fit_quietly(model, x[~out], targets[~out], head, epochs, class_weight, validation, [stop])
        loss = min(history.history["val_loss"])
        say(
            f"  {head.name} seed {seed + run}: best held-out loss {loss:.4f} at epoch "
            f"{int(np.argmin(history.history['val_loss'])) + 1} of {len(history.history['val_loss'])}"
        )
        if best is None or loss < best[0]:
            best = loss, model, history
    return best[1], best[2]


# ---------------------------------------------------------------------------------------------
# Clips


def distinct_frames(windows, clips):
    """The distinct frames in each clip's windows (windows overlap, so a frame is in up to T of
    them), in order of first appearance, and the clip of each. All-zero vectors are padding, not
    frames, and are left out (unless a clip has nothing else)."""
    frames, owners = [], []
    for clip in np.unique(clips):
        rows = np.ascontiguousarray(windows[clips == clip].reshape(-1, windows.shape[-1]))
        keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
        first = np.sort(np.unique(keys, return_index=True)[1])
        real = first[rows[first].any(axis=1)]
        first = real if len(real) else first
        frames.append(rows[first])
        owners.append(np.full(len(first), clip))
    if not frames:
        return np.zeros((0, windows.shape[-1]), np.float32), np.zeros(0, int)
    return np.concatenate(frames), np.concatenate(owners)


def balanced_weights(labels):
    """{class: weight} making every class present count as much in total."""
    counts = np.bincount(labels)
    present = np.flatnonzero(counts)
    return {int(c): float(len(labels) / (len(present) * counts[c])) for c in present}


def sequence_input(clips):
    """What the page needs to feed the sequence head: recipe.json's and config.json's "sequence"."""
    return {
        "length": int(clips.x.shape[1]),
        "size": int(np.prod(clips.x.shape[2:])),  # numbers per step: 33 x 4 for keypoints
        "pool": clips.made_by["pool"],
        "classes": list(CLIP_CLASS_NAMES),
    }


def fit_quietly(model, x, targets, head, epochs, class_weight, validation=None, callbacks=()):
    return model.fit(
        x,
        targets,
        batch_size=head.batch(len(x)),
        epochs=epochs,
        validation_data=validation,
        class_weight=class_weight,
        verbose=0,
        callbacks=[metrics.progress(head.name, epochs), *callbacks],
    )


def fit_sequence_head(train, test, epochs, learning_rate, seed, kind="gru", head=heads.SEQUENCE_HEAD):
    """The sequence head (a recipe's; kind: the MobileNet one's recurrent layer) fitted on the
    training windows: (model, history, seconds it took)."""
    if head is heads.SEQUENCE_HEAD:

        def build():
            return heads.build_sequence_head(*train.x.shape[1:], learning_rate, kind)
    else:

        def build():
            return head.build(train.x.shape[1:], None, learning_rate)

    say(f"sequence ({kind}): {epochs} epochs, batch {head.batch(len(train.x))}")
    started = time.monotonic()
    curves = test.x, head.rows(test.y)[1]  # for the curves only: nothing is chosen by it
    targets, weights = head.rows(train.y)[1], balanced_weights(train.y)
    model, history = fit_head(head, build, train.x, targets, train.clip, epochs, weights, seed, curves)
    return model, history, time.monotonic() - started


def fit_frame_baseline(train, epochs, learning_rate, seed):
    """The frame baseline fitted on every distinct frame of the training clips, each labelled with
    its clip's class: (model, history, how many frames)."""
    baseline = heads.FRAME_BASELINE
    frames, owners = distinct_frames(train.x, train.clip)
    labels = metrics.clip_labels(train.y, train.clip)[np.searchsorted(np.unique(train.clip), owners)]
    say(f"frame baseline: {len(frames)} training frames, {epochs} epochs")
    keras.utils.set_random_seed(seed)
    model = heads.build_frame_baseline(frames.shape[1], learning_rate)
    history = fit_quietly(model, frames, baseline.rows(labels)[1], baseline, epochs, balanced_weights(labels))
    return model, history, len(frames)


def train_sequence_head(clips, recipe, models_dir, epochs, learning_rates, seed):
    """The recipe's sequence head on the training clips' windows, the frame baseline on their
    frames (MobileNet recipes: the baseline is the article's head on a frame's vector), both scored
    per held-out clip; writes models/sequence.keras, its metrics.json entry and plots."""
    train, test = clips
    present = sorted(set(train.y.tolist()))
    if len(present) < 2:
        raise UserError("the training clips hold fewer than two classes; nothing to tell apart")
    if not len(test.x):
        raise UserError("no held-out clips (clips_test.npz is empty); the sequence head cannot be scored")
    if test.x.shape[1:] != train.x.shape[1:]:
        raise UserError(
            f"training windows are {list(train.x.shape[1:])}, held-out ones {list(test.x.shape[1:])}"
        )
    absent = [name for index, name in enumerate(CLIP_CLASS_NAMES) if index not in present]
    if absent:
        warn(f"no training clips of {', '.join(absent)}: the sequence head will never name them")
    length, size = train.x.shape[1], "x".join(map(str, train.x.shape[2:]))
    clip_count = {split: len(np.unique(part.clip)) for split, part in (("train", train), ("test", test))}
    say(
        f"sequence: {clip_count['train']} training clips ({len(train.x)} windows of {length} frames "
        f"x {size}), {clip_count['test']} held-out clips ({len(test.x)} windows); "
        f"pool {train.made_by['pool']}"
    )

    head, baseline = recipe.sequence_head, heads.FRAME_BASELINE
    sequence_epochs = epochs.get(head.name, head.epochs)
    rate = learning_rates.get(head.name, head.learning_rate)
    model, history, seconds = fit_sequence_head(train, test, sequence_epochs, rate, seed, head=head)
    window_outputs = model.predict(test.x, verbose=0)  # once: the loss comes from these outputs too
    test_loss = float(
        keras.ops.mean(keras.losses.categorical_crossentropy(head.rows(test.y)[1], window_outputs))
    )

    # The baseline is the article's head on one frame's vector: keypoints have no such vector.
    has_baseline = isinstance(recipe.features, recipes.MobileNetCut)
    frame_count, test_frames, test_owners, frame_outputs = 0, (), test.clip, None
    if has_baseline:
        baseline_epochs = epochs.get(baseline.name, baseline.epochs)
        rate = learning_rates.get(baseline.name, baseline.learning_rate)
        baseline_model, baseline_history, frame_count = fit_frame_baseline(train, baseline_epochs, rate, seed)
        test_frames, test_owners = distinct_frames(test.x, test.clip)
        frame_outputs = baseline_model.predict(test_frames, verbose=0)

    report = metrics.sequence_report(head, test.y, test.clip, window_outputs, test_owners, frame_outputs)
    report.update(
        sequence_length=int(length),
        classes=list(CLIP_CLASS_NAMES),
        pool=train.made_by["pool"],
        architecture="gru",
        clips=clip_count,
        samples={"train": len(train.x), "test": len(test.x)},
        test_loss=test_loss,
        epochs=len(history.history["loss"]),
        train_seconds=round(seconds, 1),
    )
    if has_baseline:
        report.update(
            frames={"train": frame_count, "test": len(test_frames)}, frame_baseline_epochs=baseline_epochs
        )
    say(f"sequence: held-out clips (trained in {seconds:.0f} s)\n{metrics.format_report(report, 'clips')}")
    say(metrics.format_sequence_summary(report))

    files.save_model(model, models_dir / "sequence.keras")
    metrics.update_metrics(models_dir / "metrics.json", head.name, report)
    metrics.plot_history(history.history, models_dir / "sequence_curves.png", "sequence")
    metrics.plot_confusion(report, models_dir / "sequence_confusion.png", "sequence (per clip)")
    if not has_baseline:
        return report
    metrics.plot_history(baseline_history.history, models_dir / "frame_baseline_curves.png", "frame baseline")
    baseline_confusion = {
        "class_names": report["class_names"],
        "confusion_matrix": report["frame_baseline_confusion_matrix"],
        "test_accuracy": report["frame_baseline_accuracy"],
    }
    metrics.plot_confusion(
        baseline_confusion, models_dir / "frame_baseline_confusion.png", "frame baseline (per clip)"
    )
    return report


# ---------------------------------------------------------------------------------------------
# Both


def features_of(made_by):
    return {"alpha": made_by["alpha"], "recipe": made_by["recipe"]}


def train_heads(
    features_dir="build/features", models_dir="models", epochs=None, learning_rates=None, seed=SEED
):
    """Every head the features folder has data for: the recipe's frame heads (train.npz), the
    sequence head (clips_train.npz), or both, as a new models_dir set. epochs, learning_rates:
    {head name: value} overriding the heads' own ("punch", "punch_kick", "sequence",
    "frame_baseline")."""
    features_dir, models_dir = Path(features_dir), Path(models_dir)
    epochs, learning_rates = epochs or {}, learning_rates or {}
    has_clips = (features_dir / CLIP_FILES["train"]).exists()
    frames = clips = None
    if (features_dir / "train.npz").exists() or not has_clips:
        (x_train, y_train, made_by), (x_test, y_test, _) = (
            load_split(features_dir, s) for s in ("train", "test")
        )
        if len(set(y_train.tolist())) < 2:
            raise UserError("the training features hold fewer than two classes; nothing to tell apart")
        frames = (x_train, y_train), (x_test, y_test)
    if has_clips:
        clips = load_clips(features_dir, "train"), load_clips(features_dir, "test")
        for part in clips:
            if frames and features_of(part.made_by) != made_by:
                raise UserError(
                    f"the clip features were made by {features_of(part.made_by)}, the frame features by "
                    f"{made_by}: run `tfjs-kombat features` again"
                )
        made_by = features_of(clips[0].made_by)
        if features_of(clips[1].made_by) != made_by or clips[1].made_by["pool"] != clips[0].made_by["pool"]:
            raise UserError("clips_train.npz and clips_test.npz were made with different settings")
        if frames and not len(clips[1].x):  # the frame heads can still be trained and scored
            warn("no held-out clips (clips_test.npz is empty): the sequence head is not trained")
            clips = None

    # Every model in models/ reads the same MobileNet: drop those made from other features.
    recipe_path = models_dir / "recipe.json"
    previous = json.loads(recipe_path.read_text()) if recipe_path.exists() else {}
    same_features = features_of({"alpha": None, "recipe": None, **previous}) == made_by
    recipe = recipes.named(made_by["recipe"])
    dropped = set(recipes.FRAME_HEAD_NAMES)
    if frames:
        dropped -= {head.name for head in recipe.frame_heads}
    elif same_features:
        dropped = set()
    made = dict(made_by)
    if clips:
        made["sequence"] = sequence_input(clips[0])
    elif same_features and "sequence" in previous and (models_dir / "sequence.keras").exists():
        made["sequence"] = previous["sequence"]  # the sequence head stays; the frame heads change
    else:
        dropped.add(heads.SEQUENCE_HEAD.name)

    reports = {}
    with files.replacing_dir(models_dir) as new_set:
        carry_over(models_dir, new_set, dropped)
        files.write_json(new_set / "recipe.json", made)
        if frames:
            alpha = made_by["alpha"]
            reports.update(train_frame_heads(frames, recipe, alpha, new_set, epochs, learning_rates, seed))
        if clips:
            reports["sequence"] = train_sequence_head(clips, recipe, new_set, epochs, learning_rates, seed)
    return reports


def head_files(name):
    """A head's files in models/: its model and plots (the sequence head's include the baseline's)."""
    if name == heads.SEQUENCE_HEAD.name:
        return SEQUENCE_FILES
    return tuple(f"{name}{end}" for end in (".keras", "_curves.png", "_confusion.png"))


def carry_over(models_dir, new_set, dropped):
    """Copy the old set into the new one, less the heads in `dropped` (they would not match the new
    features) and their metrics.json entries; what this run trains is written over the rest."""
    dropped_files = {name for head in dropped for name in head_files(head)}
    for path in sorted(models_dir.iterdir()) if models_dir.is_dir() else []:
        if path.name.startswith("."):  # another command's partial file
            continue
        if path.name in dropped_files:
            say(f"removed {shown(path)} (made from other features)")
        elif path.is_dir():
            shutil.copytree(path, new_set / path.name)
        else:
            shutil.copy2(path, new_set / path.name)
    if (new_set / "metrics.json").exists():
        for name in dropped:
            metrics.update_metrics(new_set / "metrics.json", name, None)


def summary(reports):
    """The closing lines of `tfjs-kombat train`: each head's held-out accuracy, then the sequence
    head against the frame baseline."""
    lines = ["summary (held-out):"]
    for name, report in reports.items():
        unit = "clips" if name == "sequence" else "frames"
        scored = int(np.sum(report["confusion_matrix"]))
        lines.append(
            f"  {name:<11} accuracy {report['test_accuracy']:.3f} on {scored} {unit}, "
            f"game decisions {report['decision_accuracy']:.3f}"
        )
    if "sequence" in reports:
        lines.append(metrics.format_sequence_summary(reports["sequence"]))
    return "\n".join(lines)


def add_arguments(parser):
    parser.add_argument(
        "features_dir", nargs="?", default="build/features", help="the features stage's output"
    )
    parser.add_argument("--models", default="models", help="folder for the .keras models, metrics and plots")
    parser.add_argument("--punch-epochs", type=int, help="the punch head's epochs (default: the recipe's)")
    parser.add_argument("--punch-kick-epochs", type=int, help="the punch/kick head's epochs (the recipe's)")
    parser.add_argument("--punch-lr", type=float, help="the punch head's learning rate (the recipe's)")
    parser.add_argument("--punch-kick-lr", type=float, help="the punch/kick head's learning rate")
    parser.add_argument(
        "--sequence-epochs", type=int, help=f"the sequence head's epochs ({heads.SEQUENCE_EPOCHS})"
    )
    parser.add_argument("--sequence-lr", type=float, help="the sequence head's learning rate")
    parser.add_argument(
        "--baseline-epochs", type=int, help=f"the frame baseline's epochs ({heads.FRAME_BASELINE_EPOCHS})"
    )
    parser.add_argument("--seed", type=int, default=SEED)


def run(args):
    epochs = {
        "punch": args.punch_epochs,
        "punch_kick": args.punch_kick_epochs,
        "sequence": args.sequence_epochs,
        "frame_baseline": args.baseline_epochs,
    }
    rates = {"punch": args.punch_lr, "punch_kick": args.punch_kick_lr, "sequence": args.sequence_lr}
    if any(value is not None and value < 1 for value in epochs.values()):
        raise UserError("epochs must be at least 1")
    if any(value is not None and value <= 0 for value in rates.values()):
        raise UserError("learning rates must be positive")
    reports = train_heads(
        args.features_dir,
        args.models,
        {name: value for name, value in epochs.items() if value is not None},
        {name: value for name, value in rates.items() if value is not None},
        args.seed,
    )
    say(summary(reports))
