"""Heads: the article's two small classifiers on top of the MobileNet features.

Both are exactly the article's: Input [1024] -> Dense(1024, relu) -> output. The binary head ends
in one sigmoid unit (P(punch)), the n-ary head in three softmax units (punch, kick, other).

Losses: the article compiled BOTH with sigmoid cross-entropy. For the sigmoid head that is right
(binary cross-entropy). For the softmax head it is a mistake: sigmoid cross-entropy treats the
three outputs as independent yes/no answers, while softmax already makes them one distribution;
categorical cross-entropy is the loss that matches a softmax, so we use it.
"""

import keras

from tfjs_kombat.config import CLASS_NAMES

# The article's optimiser settings. Its text says Adam(1e-6) for the punch head; its own training
# script used 1e-5, which is what learns in the article's 50 epochs, so that is our default.
PUNCH_LEARNING_RATE = 1e-5
PUNCH_EPOCHS = 50
PUNCH_KICK_LEARNING_RATE = 1e-6
PUNCH_KICK_EPOCHS = 500
BATCH_FRACTION = 0.1  # batch = 10% of the training set
HIDDEN_UNITS = 1024


def build_head(feature_size, outputs, activation, loss, learning_rate, name):
    """Input [features] -> Dense(1024, relu) -> Dense(outputs, activation), compiled with Adam."""
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
