"""MK.js, the article's game, from the user's own checkout into web/vendor/mkjs/ for mkjs.html.

Minko Gechev's MK.js (MIT) is not on npm and the project never commits its files, so the user
clones it (`git clone https://github.com/mgechev/mk.js`) and this copies what the page uses from
its `game/` folder: the scripts, styles and images (not its index.html, which is the network
mode's page). The folder is checked before anything is written, and the copy is built beside the
target and renamed into place, so a wrong folder or a failed copy leaves web/ as it was.
"""

from pathlib import Path
from shutil import copytree

from tfjs_kombat.errors import UserError, say, shown
from tfjs_kombat.files import replacing_dir

DEFAULT_WEB = Path(__file__).resolve().parents[1] / "web"
CLONE = "git clone https://github.com/mgechev/mk.js"
COPIED = ("src", "styles", "images")  # of game/
# What web/js/mkjs.js loads: the game script, the arena it picks and the two fighters' sprites.
REQUIRED = ("src/mk.js", "images/arenas/1/arena.png", "images/fighters/subzero", "images/fighters/kano")


def game_folder(checkout):
    """The checkout's game/ folder (or the folder itself if it is that game/), once checked."""
    checkout = Path(checkout).expanduser()
    if not checkout.is_dir():
        raise UserError(f"{shown(checkout)} is not a folder; clone MK.js ({CLONE}) and pass that folder")
    game = checkout if (checkout / "src" / "mk.js").is_file() else checkout / "game"
    missing = [f"game/{name}" for name in REQUIRED if not (game / name).exists()]
    if missing:
        raise UserError(
            f"{shown(checkout)} is not an MK.js checkout: it has no {', '.join(missing)}. "
            f"Clone MK.js ({CLONE}) and pass that folder: make mkjs MKJS=path/to/mk.js"
        )
    return game


def install(checkout, web=DEFAULT_WEB):
    """Copy the checkout's game scripts, styles and images into web/vendor/mkjs/; returns that folder."""
    game = game_folder(checkout)
    target = Path(web) / "vendor" / "mkjs"
    with replacing_dir(target) as tmp:
        for name in COPIED:
            if (game / name).is_dir():
                copytree(game / name, tmp / name)
    say(f"copied MK.js from {shown(game)} into {shown(target)}; play it at mkjs.html (make serve)")
    return target


def add_arguments(parser):
    parser.add_argument("checkout", help=f"a checkout of MK.js ({CLONE})")
    parser.add_argument("--web", default=str(DEFAULT_WEB), help="the web folder (default: web/)")


def run(args):
    install(args.checkout, args.web)
