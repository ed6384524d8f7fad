"""How stages talk to the user: UserError ends a command with a message, warn() keeps going."""

import sys


class UserError(Exception):
    """A problem with the user's input or setup; the CLI prints it without a traceback."""


def warn(message):
    print(f"warning: {message}", file=sys.stderr, flush=True)


def say(message):
    print(message, flush=True)
