"""Browser tests of the MK.js page (web/mkjs.html): MK.js, copied in by `tfjs-kombat mkjs` from the
snapshot in ../shared/mkjs (or $MKJS), driven by the play page's camera loop.

The camera tests reuse the end-to-end set-up of test_camera_e2e.py (conftest.py): heads trained on
the fake camera's person, Chromium playing that person's clip (or standing still) as its camera.
"""

import base64
import io
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tfjs_kombat import mkjs

SHARED_MKJS = Path(__file__).resolve().parents[3] / "shared" / "mkjs"
SCREENSHOT = Path("/tmp/mkjs.png")
MISSING_SCREENSHOT = Path("/tmp/mkjs-missing.png")
PUNCH_PICTURE = Path("/tmp/mkjs-punch.png")
# Per fighter: the share of its sprite's box where the canvas differs from the bare arena.
FIGHTER_PIXELS = """() => {
  const canvas = document.querySelector('#mk-arena canvas');
  const { width, height } = canvas;
  const drawn = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  const bare = new OffscreenCanvas(width, height).getContext('2d');
  bare.drawImage(mk.game.arena.texture, 0, 0, width, height);
  const arena = bare.getImageData(0, 0, width, height).data;
  return mk.game.fighters.map((fighter) => {
    const sprite = fighter.getState();
    let differ = 0;
    for (let y = fighter.getY(); y < fighter.getY() + sprite.height; y++) {
      for (let x = fighter.getX(); x < fighter.getX() + sprite.width; x++) {
        const i = 4 * (y * width + x);
        differ += Math.abs(drawn[i] - arena[i]) + Math.abs(drawn[i + 1] - arena[i + 1]) > 30;
      }
    }
    return differ / (sprite.width * sprite.height);
  });
}"""
# Every move MK.js's player is in, sampled every 20 ms (a high punch lasts about 400 ms), and the
# arena when a high punch is at full reach (its steps 3 and 4 of 5).
WATCH_MOVES = """() => {
  window.movesSeen = new Set();
  setInterval(() => {
    const move = mk.game.fighters[0].getMove();
    if (move.type === 'high-punch' && move._currentStep >= 3) {
      window.punchPicture ??= document.querySelector('#mk-arena canvas').toDataURL();
    }
    window.movesSeen.add(move.type);
  }, 20);
}"""


@pytest.fixture(scope="module")
def mkjs_checkout():
    checkout = Path(os.environ.get("MKJS", SHARED_MKJS))
    if not (checkout / "game" / "src" / "mk.js").is_file():
        message = f"needs an MK.js checkout at {checkout} (set MKJS)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return checkout


@pytest.fixture(scope="module")
def mkjs_url(personal_web_root, mkjs_checkout, copy_web, serve_web, tmp_path_factory):
    """The personal models' web root plus MK.js, installed as `make mkjs MKJS=...` does."""
    root = copy_web(tmp_path_factory.mktemp("mkjs") / "web")
    shutil.copytree(personal_web_root / "models", root / "models")
    mkjs.install(mkjs_checkout, root)
    with serve_web(root) as url:
        yield url


def open_mkjs(browser, url):
    """mkjs.html on WASM; its console errors are collected in page.errors."""
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.errors = []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.goto(f"{url}/mkjs.html?backend=wasm")
    return page


def play(browser, url):
    """An MK.js page whose camera loop runs, watching the player's moves; (page, decisions so far)."""
    page = open_mkjs(browser, url)
    page.wait_for_function("() => window.Detect && window.kombatCamera.stats().ready", timeout=120_000)
    page.evaluate(WATCH_MOVES)
    return page, stats(page)["decisions"]


def stats(page):
    return page.evaluate("() => window.kombatCamera.stats()")


def test_mkjs_draws_its_arena_and_both_fighters_without_a_console_error(browser, mkjs_url):
    page = open_mkjs(browser, mkjs_url)
    page.wait_for_function("() => window.Detect && window.kombatCamera.stats().frames >= 5", timeout=60_000)
    page.wait_for_timeout(500)  # MK.js has redrawn since its arena image arrived
    arena = page.locator("#mk-arena canvas")
    assert arena.evaluate("(canvas) => [canvas.width, canvas.height]") == [600, 400]
    pixels = np.asarray(Image.open(io.BytesIO(arena.screenshot())).convert("RGB"), dtype=float)
    assert (pixels.sum(axis=2) > 60).mean() > 0.9, "the arena is mostly dark: not drawn"
    assert pixels.std(axis=(0, 1)).min() > 20, "the arena is flat: not drawn"
    sub_zero, kano = page.evaluate(FIGHTER_PIXELS)
    assert sub_zero > 0.15 and kano > 0.15, (sub_zero, kano)  # a sprite is ~25-40% figure
    assert stats(page)["error"] is None
    page.screenshot(path=str(SCREENSHOT))
    page.close()
    assert page.errors == []


def test_a_punch_on_camera_is_mkjs_high_punch(fighter_browser, fighter_clip, mkjs_url):
    clip_seconds = fighter_clip[1][-1][1]
    page, before = play(fighter_browser, mkjs_url)
    page.wait_for_function("() => window.punchPicture", timeout=2 * clip_seconds * 1000)
    after = stats(page)
    picture = page.evaluate("() => window.punchPicture")
    PUNCH_PICTURE.write_bytes(base64.b64decode(picture.split(",", 1)[1]))
    page.close()
    # The picture is taken at MK.js's first high punch, which on a loaded machine can come before
    # `before` is read: the camera's punches are counted from the page's start.
    assert after["decisions"]["punch"] >= 1 and after["decisions"]["punch"] >= before["punch"]
    assert page.errors == []


def test_standing_still_on_camera_does_nothing_in_mkjs(still_browser, mkjs_url):
    page, before = play(still_browser, mkjs_url)
    frames = stats(page)["frames"]
    time.sleep(6)
    after, seen = stats(page), page.evaluate("() => [...window.movesSeen]")
    page.close()
    assert after["frames"] - frames >= 30
    assert after["decisions"]["punch"] == before["punch"] and after["decisions"]["kick"] == before["kick"]
    assert seen == ["stand"]


def test_without_mkjs_the_page_says_how_to_get_it(browser, web_root_without_models, serve_web):
    with serve_web(web_root_without_models) as url:
        page = open_mkjs(browser, url)
        message = page.locator("#mk-message.error")
        message.wait_for()
        text = message.inner_text()
        page.screenshot(path=str(MISSING_SCREENSHOT))
        assert "git clone https://github.com/mgechev/mk.js" in text and "make mkjs MKJS=" in text
        assert page.locator("#mk-stage").is_hidden()
        # No camera without a game to drive: the camera loop never started.
        assert (
            page.evaluate("window.kombatCamera === undefined") and page.locator("#camera-panel").is_hidden()
        )
        page.close()
    # The browser's own lines about mk.js: a 404, served as HTML.
    assert page.errors and all("404" in error or "vendor/mkjs/src/mk.js" in error for error in page.errors)
