"""Heads: the small classifiers on top of the MobileNet features.

Each head (a `Head`) says how it is built, which rows of the training set it learns from, how long
it trains, and the game's decision rule on its outputs; a recipe (recipes.py) names the heads it
trains, and train, evaluate, predict and convert loop over them. `load_heads` reads a trained set.

The article's two heads (recipes.ARTICLE) are exactly the article's: Input [1024] ->
Dense(1024, relu) -> output. The binary head ends in one sigmoid unit (P(punch)), the n-ary head
in three softmax units (punch, kick, other). Losses: the article compiled BOTH with sigmoid
cross-entropy. For the sigmoid head that is right (binary cross-entropy). For the softmax head it
is a mistake: sigmoid cross-entropy treats the three outputs as independent yes/no answers, while
softmax already makes them one distribution; categorical cross-entropy is the loss that matches a
softmax, so we use it.

The pose recipe's head (recipes.POSE) reads MobileNet's block-11 map and runs blocks 12-13 itself, starting
from their ImageNet weights and fine-tuning them (batch norm statistics kept as they are), then
averages and decides: the blocks learn what a stretched arm looks like wherever it is in the
picture, which the article's frozen global average cannot.

The sequence head (any recipe, when the data holds clips) reads the last T frame vectors and
names the clip class, the article's closing sketch; the frame baseline is the article's head
shape on single frames of the same clips, trained only to measure the sequence head against.
"""

import json
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np

from tfjs_kombat.config import (
    ACTION_THRESHOLD,
    BINARY_CLASS_NAMES,
    CLASS_NAMES,
    CLIP_CLASS_NAMES,
    KICK,
    OTHER,
    OTHER_THRESHOLD,
    PUNCH,
    PUNCH_THRESHOLD,
)
from tfjs_kombat.errors import UserError, shown

# The article's optimiser settings. Its text says Adam(1e-6) for the punch head; its own training
# script used 1e-5, which is what learns in the article's 50 epochs, so that is our default.
PUNCH_LEARNING_RATE = 1e-5
PUNCH_EPOCHS = 50
PUNCH_KICK_LEARNING_RATE = 1e-6
PUNCH_KICK_EPOCHS = 500
BATCH_FRACTION = 0.1  # batch = 10% of the training set
HIDDEN_UNITS = 1024

# The pose head: fine-tuning wants small steps and few epochs (measured on the new-player
# benchmark: accuracy on new players levels off after ~20 epochs of 64-frame batches).
POSE_LEARNING_RATE = 1e-4
POSE_EPOCHS = 20
POSE_BATCH = 64
POSE_DROPOUT = 0.5
# A missed punch costs a moment; a punch nobody threw spoils the game. Counting an "other" frame
# 1.5 times moves the head's doubt toward standing (new-player benchmark: at 1.0, 2-3% of idle
# frames acted; at 2.0 none did, but a third of the punches were missed).
POSE_CLASS_WEIGHT = {PUNCH: 1.0, KICK: 1.0, OTHER: 1.5}


# Keras (and so TensorFlow) is imported where a model is built or loaded, not when this module is:
# recipes.py names these heads, and the augment stage's workers read a recipe without TensorFlow.


def build_head(feature_size, outputs, activation, loss, learning_rate, name):
    """Input [features] -> Dense(1024, relu) -> Dense(outputs, activation), compiled with Adam."""
    import keras

    model = keras.Sequential(
        [
            keras.Input((feature_size,), name="features"),
            keras.layers.Dense(HIDDEN_UNITS, activation="relu", name="hidden"),
            keras.layers.Dense(outputs, activation=activation, name=f"{name}_output"),
        ],
        name=name,
    )
    model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss=loss, metrics=["accuracy"])
    return model


def build_punch_head(feature_size, learning_rate=PUNCH_LEARNING_RATE):
    """One sigmoid unit: P(punch)."""
    return build_head(feature_size, 1, "sigmoid", "binary_crossentropy", learning_rate, "punch")


def build_punch_kick_head(feature_size, learning_rate=PUNCH_KICK_LEARNING_RATE):
    """Three softmax units: P(punch), P(kick), P(other)."""
    return build_head(
        feature_size, len(CLASS_NAMES), "softmax", "categorical_crossentropy", learning_rate, "punch_kick"
    )


def build_fine_tuned_head(feature_shape, alpha, cut, learning_rate=POSE_LEARNING_RATE):
    """MobileNet's map at a recipe's cut (recipes.MobileNetCut) -> MobileNet's blocks after it
    (ImageNet start, fine-tuned) -> average -> dropout -> three softmax units: P(punch), P(kick),
    P(other). The pose recipe cuts after block 11, so the head runs blocks 12-13."""
    import keras

    from tfjs_kombat.mobilenet import blocks_after_cut

    features = keras.Input(feature_shape, name="features")
    x = features
    for layer in blocks_after_cut(alpha, cut):
        if isinstance(layer, keras.layers.BatchNormalization):
            layer.trainable = False  # few frames: keep ImageNet's statistics, tune the kernels
        x = layer(x)
    x = keras.layers.GlobalAveragePooling2D(name="average")(x)
    x = keras.layers.Dropout(POSE_DROPOUT, name="dropout")(x)
    output = keras.layers.Dense(len(CLASS_NAMES), activation="softmax", name="punch_kick_output")(x)
    model = keras.Model(features, output, name="punch_kick")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy", metrics=["accuracy"]
    )
    return model


# The sequence head: the article's closing sketch, a recurrent network over the per-frame
# features of the last T frames (config.SEQUENCE_LENGTH), one step per frame vector (the recipe's
# features, pooled as the recipe's sequence_pool says).
# - First it subtracts the window's own mean from every step, so that it reads how the picture
#   CHANGES over the window: what stays (the person's looks, the room, the light) cancels out.
#   Measured on the rendered clips (pose recipe, alpha 0.75, 160 training clips x 16 variations,
#   40 held-out clips of new people in new rooms): without it the head learnt the 160 people and
#   rooms and scored 0.38-0.45 per held-out clip; with it 0.93-0.95. A still player's window is
#   all zeros: "other".
# - Each step goes through a shared Dense(128, relu), which shrinks 2304 (pose) or 768-1024
#   (article) numbers to what the recurrence needs, then a GRU(64) reads the steps in order and a
#   softmax names the clip class.
# Why a GRU: the look-alike kicks pass through the same poses in another order, which a
# recurrent layer reads over the whole window; it is the article's sketch (LSTM or GRU). On the
# same clips, three seeds each (benchmarks/sequence_heads.py), per held-out clip: GRU 0.925-0.95
# (look-alikes 0.94-1.0), temporal Conv1D 0.85-0.925 (it sees order only within its kernels'
# reach), LSTM 0.80-0.875 (a quarter more weights, fitting the few training people more).
# The GRU is unrolled over its fixed window: TensorFlow.js then runs it as a plain graph of
# MatMul/Sigmoid/Tanh (a tf.while loop would need executeAsync on every tick).
SEQUENCE_UNITS = 64
SEQUENCE_FRAME_UNITS = 128
SEQUENCE_DROPOUT = 0.5  # 0.3 let it fit the training people more: 0.88 against 0.93 (5 seeds)
SEQUENCE_LEARNING_RATE = 1e-3
SEQUENCE_EPOCHS = 30
SEQUENCE_BATCH = 32
SEQUENCE_KINDS = ("gru", "lstm", "conv")

# The frame baseline: the article's head shape (Dense(1024, relu) -> softmax) over the same clip
# classes, trained on single frames of the training clips, each labelled with its clip's class.
# It is what a single-frame model can do on these clips: the sequence head must beat it. Adam at
# the article's 1e-6 would need its 500 epochs; 1e-4 levels off within 10.
FRAME_BASELINE_LEARNING_RATE = 1e-4
FRAME_BASELINE_EPOCHS = 10
FRAME_BASELINE_BATCH = 64


def build_sequence_head(sequence_length, vector_size, learning_rate=SEQUENCE_LEARNING_RATE, kind="gru"):
    """[T, features] -> minus the window's mean -> per-step Dense(128, relu) -> GRU(64) -> softmax
    over CLIP_CLASS_NAMES.

    kind "lstm" or "conv" (two temporal convolutions of width 3, then the maximum over time)
    swaps the GRU for the alternatives benchmarks/sequence_heads.py compares it with."""
    import keras

    if kind not in SEQUENCE_KINDS:
        raise ValueError(f"kind must be one of {SEQUENCE_KINDS}, not {kind!r}")
    layers = keras.layers
    over_time = {
        "gru": [layers.GRU(SEQUENCE_UNITS, unroll=True, name="over_time")],
        "lstm": [layers.LSTM(SEQUENCE_UNITS, unroll=True, name="over_time")],
        "conv": [
            layers.Conv1D(SEQUENCE_UNITS, 3, activation="relu", name="over_time"),
            layers.Conv1D(SEQUENCE_UNITS, 3, activation="relu", name="over_time_2"),
            layers.GlobalMaxPooling1D(name="strongest"),
        ],
    }[kind]
    frames = keras.Input((sequence_length, vector_size), name="frames")
    mean = layers.GlobalAveragePooling1D(keepdims=True, name="window_mean")(frames)
    x = layers.Subtract(name="change")([frames, mean])
    x = layers.Dense(SEQUENCE_FRAME_UNITS, activation="relu", name="per_frame")(x)
    x = layers.Dropout(SEQUENCE_DROPOUT, name="dropout_frames")(x)
    for layer in over_time:
        x = layer(x)
    x = layers.Dropout(SEQUENCE_DROPOUT, name="dropout")(x)
    output = layers.Dense(len(CLIP_CLASS_NAMES), activation="softmax", name="sequence_output")(x)
    model = keras.Model(frames, output, name="sequence")
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def build_frame_baseline(vector_size, learning_rate=FRAME_BASELINE_LEARNING_RATE):
    """The article's head on one frame vector: Dense(1024, relu) -> softmax over CLIP_CLASS_NAMES."""
    return build_head(
        vector_size,
        len(CLIP_CLASS_NAMES),
        "softmax",
        "categorical_crossentropy",
        learning_rate,
        "frame_baseline",
    )


# The keypoint heads (body.py): they read the pose model's 33 landmarks, not MobileNet's pictures.
# Small enough to train in seconds, so they train on many generated people. Both answer the
# same for a body and its mirror image (body.mirror_averaged).
KEYPOINT_UNITS = 128
KEYPOINT_DROPOUT = 0.2
KEYPOINT_LEARNING_RATE = 1e-3


def _compiled(model, learning_rate):
    import keras

    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate), loss="categorical_crossentropy", metrics=["accuracy"]
    )
    return model


def build_keypoint_frame_head(learning_rate=KEYPOINT_LEARNING_RATE):
    """[33, 4] keypoints -> body.BodyNormalisation -> Dense(128) -> Dense(64) -> softmax over punch,
    kick, other; averaged with the mirror image's answer."""
    import keras

    from tfjs_kombat import body

    layers = keras.layers
    body_head = keras.Sequential(
        [
            keras.Input((body.LANDMARKS, body.VALUES)),
            body.BodyNormalisation(name="normalised"),
            layers.Dense(KEYPOINT_UNITS, activation="relu", name="hidden"),
            layers.Dropout(KEYPOINT_DROPOUT, name="dropout"),
            layers.Dense(KEYPOINT_UNITS // 2, activation="relu", name="hidden_2"),
            layers.Dense(len(CLASS_NAMES), activation="softmax", name="punch_kick_output"),
        ],
        name="body_punch_kick",
    )
    keypoints = keras.Input((body.LANDMARKS, body.VALUES), name="keypoints")
    return _compiled(
        keras.Model(keypoints, body.mirror_averaged(keypoints, body_head), name="punch_kick"), learning_rate
    )


def build_keypoint_sequence_head(sequence_length, learning_rate=KEYPOINT_LEARNING_RATE):
    """[T, 33, 4] -> each frame normalised, beside how it moved since the last one -> per-step
    Dense(128, relu) -> GRU(64) -> softmax over CLIP_CLASS_NAMES; averaged with the mirror image's."""
    import keras

    from tfjs_kombat import body

    layers = keras.layers
    steps = keras.Input((sequence_length, body.LANDMARKS, body.VALUES))
    pose = body.BodyNormalisation(name="normalised")(steps)
    # the first step's movement is zero: the window starts from stillness, as the page's does
    previous = layers.Concatenate(axis=1, name="previous")([pose[:, :1], pose[:, :-1]])
    motion = layers.Subtract(name="motion")([pose, previous])
    x = layers.Concatenate(name="pose_and_motion")([pose, motion])
    x = layers.Dense(SEQUENCE_FRAME_UNITS, activation="relu", name="per_frame")(x)
    x = layers.Dropout(KEYPOINT_DROPOUT, name="dropout_frames")(x)
    x = layers.GRU(SEQUENCE_UNITS, unroll=True, name="over_time")(x)
    x = layers.Dropout(KEYPOINT_DROPOUT, name="dropout")(x)
    output = layers.Dense(len(CLIP_CLASS_NAMES), activation="softmax", name="sequence_output")(x)
    body_head = keras.Model(steps, output, name="body_sequence")
    keypoints = keras.Input((sequence_length, body.LANDMARKS, body.VALUES), name="keypoints")
    return _compiled(
        keras.Model(keypoints, body.mirror_averaged(keypoints, body_head), name="sequence"), learning_rate
    )


# ---------------------------------------------------------------------------------------------
# The game's decisions, as the page makes them; outputs are N x outputs arrays.


class Rule(NamedTuple):
    """When the game acts on a head's probabilities; written into config.json for the page."""

    other: float = OTHER_THRESHOLD  # n-ary heads: stand if P(other) >= other ...
    action: float = ACTION_THRESHOLD  # ... else the likeliest move, if it reaches action
    punch: float = PUNCH_THRESHOLD  # the binary head: punch if P(punch) >= punch


ARTICLE_RULE = Rule()  # the article's numbers (config.py)


def decide_punch(outputs, rule=ARTICLE_RULE):
    """The punch head: 1 (punch) where P(punch) >= rule.punch, else 0 (stand)."""
    return (outputs[:, 0] >= rule.punch).astype(int)


def decide_punch_kick(outputs, rule=ARTICLE_RULE):
    """The article's n-ary rule, as class indices: OTHER (stand) if P(other) >= rule.other, else
    the larger of punch and kick if it reaches rule.action, else OTHER."""
    punch, kick, other = outputs[:, PUNCH], outputs[:, KICK], outputs[:, OTHER]
    decisions = np.full(len(outputs), OTHER)
    moving = other < rule.other
    decisions[moving & (kick > punch) & (kick >= rule.action)] = KICK
    decisions[moving & (punch > kick) & (punch >= rule.action)] = PUNCH
    return decisions


def decide_sequence(outputs, rule=ARTICLE_RULE):
    """The n-ary rule over the sequence head's classes: OTHER (stand) if P(other) >= rule.other,
    else the most likely move if it reaches rule.action, else OTHER."""
    moves = np.array([index for index in range(outputs.shape[1]) if index != OTHER])
    best = moves[outputs[:, moves].argmax(axis=1)]
    confident = outputs[np.arange(len(outputs)), best] >= rule.action
    acting = (outputs[:, OTHER] < rule.other) & confident
    return np.where(acting, best, OTHER)


# ---------------------------------------------------------------------------------------------
# The heads, as the recipes name them


def punches_against_others(labels):
    """The article's binary experiment: punches against others; kicks are the n-ary head's job."""
    rows = labels != KICK
    return rows, (labels[rows] == PUNCH).astype("float32")


def target_classes(targets):
    """The class index of each target: a one-hot row's hot column, or a 0/1 value itself."""
    return targets.argmax(axis=1) if targets.ndim > 1 else targets.astype(int)


def most_likely(outputs):
    return outputs.argmax(axis=1)


def one_hot(labels, classes):
    """Rows of 0s and a 1 (float64, as keras.utils.to_categorical makes them)."""
    return np.eye(classes)[labels]


def all_three(labels):
    return np.ones(len(labels), bool), one_hot(labels, len(CLASS_NAMES))


def all_clip_classes(labels):
    return np.ones(len(labels), bool), one_hot(labels, len(CLIP_CLASS_NAMES))


class Head(NamedTuple):
    """A head and its training settings; by default a punch/kick head with the article's rule."""

    name: str  # models/<name>.keras, web/models/<name>/
    build: Callable  # (feature shape, alpha, learning rate) -> compiled model
    epochs: int
    learning_rate: float
    batch: Callable  # training set size -> batch size
    class_names: tuple = CLASS_NAMES  # what its outputs' classes are called
    rows: Callable = all_three  # class labels -> (rows it learns from, their targets)
    classes: Callable = most_likely  # outputs -> its own best guess (argmax, or P >= 0.5)
    decide: Callable = decide_punch_kick  # (outputs, rule) -> what the game does, class_names' indices
    rule: Rule = ARTICLE_RULE  # the thresholds decide applies, in the page too (config.json)
    idle_class: int = OTHER  # the class index whose decision is "stand"
    class_weight: dict | None = None  # how much a training frame of each class counts
    # Early stopping: with a patience, train holds a fifth of the training groups (people, clips)
    # out, stops when their loss has not improved for `patience` epochs and keeps the best
    # weights; of `seeds` such runs it keeps the one with the lowest loss on them.
    patience: int | None = None
    seeds: int = 1

    def decisions(self, outputs):
        """What the game does with these outputs, in class_names' indices."""
        return self.decide(outputs, self.rule)


def article_batch(n):
    return max(1, round(BATCH_FRACTION * n))


PUNCH_KICK_HEAD = Head(
    "punch_kick",
    lambda shape, alpha, rate: build_punch_kick_head(shape[0], rate),
    PUNCH_KICK_EPOCHS,
    PUNCH_KICK_LEARNING_RATE,
    article_batch,
)
# The article's binary experiment: the same batches, its own model, rows, rule and settings.
PUNCH_HEAD = PUNCH_KICK_HEAD._replace(
    name="punch",
    build=lambda shape, alpha, rate: build_punch_head(shape[0], rate),
    epochs=PUNCH_EPOCHS,
    learning_rate=PUNCH_LEARNING_RATE,
    class_names=BINARY_CLASS_NAMES,
    rows=punches_against_others,
    classes=lambda outputs: (outputs[:, 0] >= 0.5).astype(int),
    decide=decide_punch,
    idle_class=0,
)


def fine_tuned_punch_kick_head(cut):
    """The punch/kick head that runs (and fine-tunes) MobileNet's blocks after a recipe's cut."""
    return PUNCH_KICK_HEAD._replace(
        build=lambda shape, alpha, rate: build_fine_tuned_head(shape, alpha, cut, rate),
        epochs=POSE_EPOCHS,
        learning_rate=POSE_LEARNING_RATE,
        batch=lambda n: POSE_BATCH,
        class_weight=POSE_CLASS_WEIGHT,
    )


# The clip heads, for any recipe: trained when the features folder holds clips (train.py).
SEQUENCE_HEAD = Head(
    "sequence",
    lambda shape, alpha, rate: build_sequence_head(*shape, rate),
    SEQUENCE_EPOCHS,
    SEQUENCE_LEARNING_RATE,
    lambda n: SEQUENCE_BATCH,
    class_names=CLIP_CLASS_NAMES,
    rows=all_clip_classes,
    decide=decide_sequence,
)
# Scored as the sequence head is, over the same classes, on single frames.
FRAME_BASELINE = SEQUENCE_HEAD._replace(
    name="frame_baseline",
    build=lambda shape, alpha, rate: build_frame_baseline(shape[0], rate),
    epochs=FRAME_BASELINE_EPOCHS,
    learning_rate=FRAME_BASELINE_LEARNING_RATE,
    batch=lambda n: FRAME_BASELINE_BATCH,
)


# The keypoint heads (recipes.KEYPOINTS): a few thousand weights on 132 numbers a frame train in
# seconds, so they train with early stopping, two seeds, the best kept (train.py). On the default
# generated data they stop after 20-40 epochs; a third seed gained nothing on held-out people.
KEYPOINT_EPOCHS = 200  # at most: early stopping ends them far sooner
KEYPOINT_BATCH = 128
KEYPOINT_PATIENCE = 8
KEYPOINT_SEEDS = 2
# A stricter rule than the article's: act only when P(other) < 0.3 and a move reaches 0.5. Chosen
# on the default data's held-out generated people (not on any benchmark) as the strictest rule
# that costs their decisions at most a point: 0.923 -> 0.918, idle frames acting 9.8 % -> 7.5 %,
# idle clips 17.5 % -> 12.5 %. (P(other) < 0.2 and 0.7: 4.8 % idle, but 0.897 and punch recall
# 0.93 -> 0.85.)
KEYPOINT_RULE = Rule(other=0.3, action=0.5)
KEYPOINT_FRAME_HEAD = PUNCH_KICK_HEAD._replace(
    build=lambda shape, alpha, rate: build_keypoint_frame_head(rate),
    epochs=KEYPOINT_EPOCHS,
    learning_rate=KEYPOINT_LEARNING_RATE,
    batch=lambda n: KEYPOINT_BATCH,
    patience=KEYPOINT_PATIENCE,
    seeds=KEYPOINT_SEEDS,
    rule=KEYPOINT_RULE,
)
KEYPOINT_SEQUENCE_HEAD = SEQUENCE_HEAD._replace(
    build=lambda shape, alpha, rate: build_keypoint_sequence_head(shape[0], rate),
    epochs=KEYPOINT_EPOCHS,
    learning_rate=KEYPOINT_LEARNING_RATE,
    batch=lambda n: KEYPOINT_BATCH,
    patience=KEYPOINT_PATIENCE,
    seeds=KEYPOINT_SEEDS,
    rule=KEYPOINT_RULE,
)


# ---------------------------------------------------------------------------------------------
# A trained set


def load_heads(models_dir, names):
    """The trained heads called `names` found in models_dir, and what made their features:
    models/recipe.json ({"recipe", "alpha"}, and "sequence" with a sequence head), written by train."""
    import keras

    from tfjs_kombat import body  # noqa: F401  (registers the keypoint heads' layers for loading)

    models_dir = Path(models_dir)
    loaded = {}
    for name in names:
        path = models_dir / f"{name}.keras"
        if path.exists():  # run, never trained further: no optimizer to restore
            loaded[name] = keras.models.load_model(path, compile=False)
    if not loaded:
        raise UserError(
            f"no trained head ({', '.join(names)}) in {shown(models_dir)}; run `make train` first"
        )
    try:
        return loaded, json.loads((models_dir / "recipe.json").read_text())
    except FileNotFoundError:
        raise UserError(
            f"{shown(models_dir / 'recipe.json')} not found: train the heads in {shown(models_dir)} again"
        ) from None
