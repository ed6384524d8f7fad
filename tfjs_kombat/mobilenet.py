"""The ImageNet MobileNet v1: its widths, where its weights live, and the models built on them.

Keras' `MobileNet(weights="imagenet")` looks in its cache ($KERAS_HOME, else ~/.keras) and
downloads into it, with no time limit. We look in the same cache and download a missing file into
it with a short timeout, so an offline machine fails in about a second instead of hanging. (The
Makefile points KERAS_HOME at an offline cache beside the checkout when there is one.)

`alpha="auto"` picks the article's 1.0 when its weights are cached or can be downloaded, else
the widest width whose weights are cached.
"""

import argparse
import http.client
import json
import os
import urllib.request
import warnings
from pathlib import Path

import keras
from keras.src.applications.imagenet_utils import CLASS_INDEX_PATH
from keras.src.applications.mobilenet import BASE_WEIGHT_PATH

from tfjs_kombat import files
from tfjs_kombat.config import ARTICLE_ALPHA, DEFAULT_ALPHA, MOBILENET_SIZE
from tfjs_kombat.errors import UserError, say, shown, warn

ALPHAS = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}  # Keras' names for the widths
DOWNLOAD_TIMEOUT = 10  # seconds without an answer before a download counts as failed


def weights_file(alpha, include_top=False):
    """The name Keras gives a width's weights file (with or without the ImageNet classifier)."""
    return f"mobilenet_{ALPHAS[alpha]}_{MOBILENET_SIZE}_tf{'' if include_top else '_no_top'}.h5"


def keras_home():
    """Keras' cache: $KERAS_HOME, else ~/.keras."""
    return Path(os.environ.get("KERAS_HOME") or "~/.keras").expanduser()


def find_cached(relative):
    """The cached file at `relative` (e.g. models/NAME) in Keras' cache, or None."""
    path = keras_home() / relative
    return path if path.is_file() else None


def download(url, target):
    """url -> target, whole or not at all; raises OSError when offline or too slow."""
    say(f"downloading {url}")
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT) as response:
            files.write_bytes(target, response.read())
    except http.client.HTTPException as error:  # a connection cut mid-file
        raise OSError(f"download cut short: {error!r}") from error


def download_failure(error):
    """Why a download failed, in words: a URLError's reason reads better than its str."""
    return getattr(error, "reason", error)


def fetch(relative, url):
    """A cached file, downloaded into Keras' cache when no cache holds it."""
    found = find_cached(relative)
    if found:
        return found
    target = keras_home() / relative
    download(url, target)
    return target


def weights_path(alpha, include_top=False):
    """A width's ImageNet weights file: cached, or downloaded now; UserError when neither."""
    check_alpha(alpha)
    name = weights_file(alpha, include_top)
    try:
        return fetch(Path("models") / name, BASE_WEIGHT_PATH + name)
    except OSError as error:  # no network, a timeout, an HTTP error, an unwritable cache
        folder = shown(keras_home() / "models")
        reason = download_failure(error)
        raise UserError(
            f"MobileNet {alpha} ImageNet weights ({name}) are not in {folder} and could not be "
            f"downloaded ({reason}). Run `tfjs-kombat weights --alpha {alpha}` once on a machine with "
            "internet, or copy the file into that folder, or point KERAS_HOME at a Keras "
            "cache whose models/ holds it; or use --alpha auto to take the widest cached width."
        ) from error


def check_alpha(alpha):
    if alpha not in ALPHAS:
        raise UserError(f"MobileNet alpha must be auto or one of {sorted(ALPHAS)}, not {alpha}")


def cached_alphas():
    """The widths whose (no-top) weights some cache holds, widest first."""
    widths = sorted(ALPHAS, reverse=True)
    return [alpha for alpha in widths if find_cached(Path("models") / weights_file(alpha))]


def resolve_alpha(alpha):
    """A width from a number or "auto" (the article's 1.0 if its weights can be had, else the
    widest cached). What is recorded downstream is always this number, never "auto"."""
    if alpha != "auto":
        check_alpha(alpha)
        return alpha
    try:
        weights_path(ARTICLE_ALPHA)
        return ARTICLE_ALPHA
    except UserError as error:
        reason = download_failure(error.__cause__)
    cached = cached_alphas()
    if not cached:
        raise UserError(
            f"no MobileNet ImageNet weights found, and the article's {ARTICLE_ALPHA} could not be "
            f"downloaded ({reason}). Run `tfjs-kombat weights` once on a machine with internet, or "
            "point KERAS_HOME at a Keras cache whose models/ holds a "
            f"mobilenet_*_{MOBILENET_SIZE}_tf_no_top.h5 (any width)."
        )
    warn(
        f"the article's MobileNet {ARTICLE_ALPHA} weights could not be downloaded ({reason}); "
        f"using {cached[0]}, the widest cached width"
    )
    return cached[0]


def alpha_argument(text):
    """argparse type for --alpha: "auto" or one of the widths."""
    if text == "auto":
        return text
    try:
        alpha = float(text)
    except ValueError:
        alpha = None
    if alpha not in ALPHAS:
        raise argparse.ArgumentTypeError(f"must be auto or one of {', '.join(map(str, sorted(ALPHAS)))}")
    return alpha


def load_mobilenet(alpha, input_tensor=None, pooling="avg", size=(MOBILENET_SIZE, MOBILENET_SIZE)):
    """ImageNet MobileNet v1 without its classifier; built on input_tensor when given. Its
    convolutions read any size: the 224x224 weights serve a 160x288 frame as well."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "`input_shape` is undefined or non-square")
        return keras.applications.MobileNet(
            input_shape=(*size, 3),
            input_tensor=input_tensor,
            alpha=alpha,
            include_top=False,
            pooling=pooling,
            weights=str(weights_path(alpha)),
        )


def blocks_after_cut(alpha, cut):
    """MobileNet's ImageNet layers after a recipe's cut (recipes.MobileNetCut), for a head to run
    (and fine-tune)."""
    mobilenet = load_mobilenet(alpha, keras.Input((*cut.size, 3)), pooling=None, size=cut.size)
    names = [layer.name for layer in mobilenet.layers]
    return mobilenet.layers[names.index(cut.layer) + 1 :]


def imagenet_top(alpha, cut):
    """MobileNet's own ImageNet classifier on the features a recipe cuts (recipes.MobileNetCut),
    as a small model.

    MobileNet's top is dropout + a 1x1 convolution over the pooled features + softmax, which at
    inference is exactly a Dense layer on a pooled feature vector; on a recipe's cut feature map,
    the blocks after the cut and the average pool come first. UserError without the weights.
    """
    full = keras.applications.MobileNet(
        alpha=alpha, include_top=True, weights=str(weights_path(alpha, include_top=True))
    )
    kernel, bias = full.get_layer("conv_preds").get_weights()
    classify = keras.layers.Dense(kernel.shape[3], activation="softmax", name="imagenet_classes")
    if cut.layer is None:
        pooled = inputs = keras.Input((kernel.shape[2],))
    else:
        blocks = blocks_after_cut(alpha, cut)
        pooled = inputs = keras.Input(blocks[0].input.shape[1:])
        for layer in blocks:
            pooled = layer(pooled)
        pooled = keras.layers.GlobalAveragePooling2D()(pooled)
    top = keras.Model(inputs, classify(pooled), name="imagenet")
    classify.set_weights([kernel[0, 0], bias])
    return top


def imagenet_labels():
    """The 1000 class names: Keras' class index, else a plain labels file in a cache (the offline
    one holds imagenet-labels.json), else Keras' index downloaded; None when none of these works."""
    index = Path("models") / "imagenet_class_index.json"
    plain = find_cached("imagenet-labels.json")
    if plain and not find_cached(index):
        return json.loads(plain.read_text())["labels"]
    try:
        classes = json.loads(fetch(index, CLASS_INDEX_PATH).read_text())
    except OSError:
        return None
    return [classes[str(i)][1] for i in range(len(classes))]


def add_arguments(parser):
    parser.add_argument(
        "--alpha", type=alpha_argument, default=DEFAULT_ALPHA, help="MobileNet width (default: %(default)s)"
    )


def run(args):
    alpha = resolve_alpha(args.alpha)
    say(f"MobileNet alpha {alpha}: {shown(weights_path(alpha))}")
