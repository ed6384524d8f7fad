"""How stages talk to the user: UserError ends a command with a message, warn() keeps going,
native_stderr_silenced() keeps TensorFlow's own C++ notices off the terminal.

Every file or entry name in a message goes through shown(): names come from zips and folders
that other people made, and may hold control characters.
"""

import contextlib
import os
import sys


class UserError(Exception):
    """A problem with the user's input or setup; the CLI prints it without a traceback."""


def shown(name):
    """A name fit to print: as it is when plain, else repr-style (quoted, escaped), so that escape
    sequences, carriage returns or newlines in it cannot clear the screen or forge a line."""
    text = str(name)
    return text if text.isprintable() else repr(text)


def warn(message):
    print(f"warning: {message}", file=sys.stderr, flush=True)


def say(message):
    print(message, flush=True)


@contextlib.contextmanager
def native_stderr_silenced():
    """Send file descriptor 2 to /dev/null for the block, then restore it. TensorFlow's C++ side
    writes lines there while it is imported (absl, cuDNN, cuBLAS, "computation placer") and while
    the converter optimizes a graph (grappler), whatever TF_CPP_MIN_LOG_LEVEL says; our own
    messages come later, on the restored stderr."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 2)
    os.close(devnull)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
