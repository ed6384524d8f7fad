"""The article's warm-up: guess the season from the day of the year with a 7-10-4 MLP.

Days are 0-based days of a non-leap year; input is day / 365. One-hot order is the article's:
summer [1,0,0,0], spring [0,1,0,0], fall [0,0,1,0], winter [0,0,0,1]. Winter wraps around
New Year (21 Dec - 19 Mar), which is why the net needs its two hidden layers.
"""

from pathlib import Path

import keras
import numpy as np

from tfjs_kombat import files, metrics
from tfjs_kombat.config import DAYS_PER_YEAR, SEASONS, SEED
from tfjs_kombat.errors import UserError, say

# First and last day of each season (0-based day of year); winter's range wraps past day 364.
SEASON_DAYS = {
    "summer": (171, 264),
    "spring": (78, 170),
    "fall": (265, 353),
    "winter": (354, DAYS_PER_YEAR + 77),
}
DAYS_PER_SEASON = 89  # distinct days, like the article's `picked` set; fall and winter have 89
EPOCHS = 200
LEARNING_RATE = 0.01
BATCH_FRACTION = 0.4
TEST_FRACTION = 0.2


def season_of(day):
    """The season of a 0-based day of the year (the ground truth the net learns)."""
    for index, (first, last) in enumerate(SEASON_DAYS.values()):
        if first <= day <= last or first <= day + DAYS_PER_YEAR <= last:
            return index
    raise ValueError(f"day {day} is outside 0..364")


def generate_days(rng, per_season=DAYS_PER_SEASON):
    """The article's generateData: `per_season` distinct days of every season, with its label."""
    days, labels = [], []
    for index, (first, last) in enumerate(SEASON_DAYS.values()):
        if per_season > last - first + 1:
            raise UserError(f"a season has only {last - first + 1} days; asked for {per_season}")
        picked = rng.choice(np.arange(first, last + 1), size=per_season, replace=False) % DAYS_PER_YEAR
        days += picked.tolist()
        labels += [index] * per_season
    return np.array(days), np.array(labels)


def build_season_model(learning_rate=LEARNING_RATE):
    model = keras.Sequential(
        [
            keras.Input((1,), name="day_of_year"),
            keras.layers.Dense(7, activation="relu"),
            keras.layers.Dense(10, activation="relu"),
            keras.layers.Dense(len(SEASONS), activation="softmax", name="season"),
        ],
        name="season",
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss="categorical_crossentropy",  # = the article's softmaxCrossEntropy
        metrics=["accuracy"],
    )
    return model


def train_season(models_dir="models", epochs=EPOCHS, seed=SEED, per_season=DAYS_PER_SEASON):
    """Shuffle, 80/20 split, fit with batch = 40% of the training set, evaluate on the 20%."""
    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    days, labels = generate_days(rng, per_season)
    order = rng.permutation(len(days))
    days, labels = days[order], labels[order]
    cut = int(len(days) * (1 - TEST_FRACTION))
    x, y = days[:, None] / DAYS_PER_YEAR, keras.utils.to_categorical(labels, len(SEASONS))

    model = build_season_model()
    say(f"season: training on {cut} days, testing on {len(days) - cut}, {epochs} epochs")
    history = model.fit(
        x[:cut],
        y[:cut],
        batch_size=int(BATCH_FRACTION * cut),
        epochs=epochs,
        validation_data=(x[cut:], y[cut:]),
        verbose=0,
        callbacks=[metrics.progress("season", epochs)],
    )
    loss, accuracy = model.evaluate(x[cut:], y[cut:], verbose=0)
    predicted = model.predict(x[cut:], verbose=0).argmax(axis=1)
    report = metrics.classification_report(labels[cut:], predicted, SEASONS)
    report.update(samples={"train": cut, "test": len(days) - cut}, test_loss=float(loss))
    say(f"season: held-out accuracy {accuracy:.3f}\n{metrics.format_report(report)}")

    models_dir = Path(models_dir)
    files.save_model(model, models_dir / "season.keras")
    metrics.update_metrics(models_dir / "metrics.json", "season", report)
    metrics.plot_history(history.history, models_dir / "season_curves.png", "season")
    metrics.plot_confusion(report, models_dir / "season_confusion.png", "season")
    return report


def add_arguments(parser):
    parser.add_argument("--models", default="models", help="folder for season.keras and metrics")
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--seed", type=int, default=SEED)


def run(args):
    if args.epochs < 1:
        raise UserError("--epochs must be at least 1")
    train_season(args.models, args.epochs, args.seed)
