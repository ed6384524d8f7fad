"""`tfjs-kombat COMMAND ...`: one subcommand per pipeline stage.

Only the chosen stage's module is imported, so `tfjs-kombat frames` does not pay for TensorFlow.
Every module offers `add_arguments(parser)` and `run(args)` on top of its plain functions.
"""

import argparse
import importlib
import logging
import os
import signal
import sys

from tfjs_kombat.errors import UserError, native_stderr_silenced, shown

COMMANDS = {
    "season": ("season", "train the article's day-of-year -> season MLP (7-10-4)"),
    "render": ("synth.render", "render the default dataset (or a clip) of procedural fighters"),
    "frames": ("frames", "extract JPEG frames from a video with ffmpeg"),
    "dataset": ("dataset", "check class folders, balance them and split train/test"),
    "augment": ("augment", "write the recipe's imgaug variations of every training image and clip"),
    "weights": ("mobilenet", "find (or download) the ImageNet MobileNet weights; say which width is used"),
    "features": ("features", "the recipe's MobileNet features of the augmented frames (cached)"),
    "train": ("train", "train the recipe's heads (and the sequence head, with clips) and report"),
    "evaluate": ("evaluate", "score a trained head on another dataset folder"),
    "predict": ("predict", "class probabilities and decisions for images"),
    "import": ("importer", "unpack a recorded zip or class-named videos into a dataset folder"),
    "convert": ("convert", "export the models to TensorFlow.js graph models in web/models"),
    "webconfig": ("webconfig", "write web/js/constants.js, the pages' numbers, from tfjs_kombat/config.py"),
    "serve": ("serve", "serve web/ on 127.0.0.1 (COOP/COEP headers for WASM threads)"),
    "keypoints": (
        "bodypose.keypoints",
        "BlazePose's 33 body landmarks of images (or frames of one take), as JSON",
    ),
    "posemodels": (
        "bodypose.webmodels",
        "convert BlazePose's networks for the page, into web/vendor/bodypose/",
    ),
    "mkjs": ("mkjs", "copy an MK.js checkout's game into web/vendor/mkjs/ to play it (mkjs.html)"),
}


def usage():
    lines = ["usage: tfjs-kombat COMMAND [options]   (tfjs-kombat COMMAND --help)", "", "commands:"]
    lines += [f"  {name:<10} {summary}" for name, (_, summary) in COMMANDS.items()]
    return "\n".join(lines)


def interrupt(signum, frame):
    """SIGTERM (kill, service managers, CI timeouts) stops a command like Ctrl-C does,
    so its `finally` blocks and context managers remove what it staged."""
    raise KeyboardInterrupt


def os_error_message(error):
    """'name: reason' for an OSError. Two-name calls (rename, replace) name the target second,
    and the target is the user's file; a failed write() (a full disk) names none."""
    name = error.filename2 if error.filename2 is not None else error.filename
    reason = error.strerror or str(error)
    return reason if name is None else f"{shown(name)}: {reason}"


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(usage())
        return 0
    if argv[0] not in COMMANDS:
        print(f"error: unknown command {argv[0]!r}\n\n{usage()}", file=sys.stderr)
        return 2

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's start-up notices (no GPU, ...)
    module_name, summary = COMMANDS[argv[0]]
    with native_stderr_silenced():  # the stage's import is what loads TensorFlow, if it needs it
        module = importlib.import_module(f"tfjs_kombat.{module_name}")
    # TensorFlow's Python warnings are about its internals (a tf.function retraced as each newly
    # trained head first predicts), never the user's input: its errors only.
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser(prog=f"tfjs-kombat {argv[0]}", description=summary)
    module.add_arguments(parser)
    args = parser.parse_args(argv[1:])
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        module.run(args)
    except UserError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except OSError as error:  # a read-only or full disk, a file where a folder should be, ...
        print(f"error: {os_error_message(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)
    return 0


if __name__ == "__main__":
    sys.exit(main())
