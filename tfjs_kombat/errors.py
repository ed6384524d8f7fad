"""How stages talk to the user: UserError ends a command with a message, warn() keeps going.

Every file or entry name in a message goes through shown(): names come from zips and folders
that other people made, and may hold control characters.
"""

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
