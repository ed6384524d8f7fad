"""Browser tests of the play page (web/index.html) in Debian's Chromium, driven by Playwright.

The page is served by the project's server on 127.0.0.1 (shared fixtures in conftest.py); the
game is played by keyboard and through `window.Detect` (what the camera classifier calls), and
read through `window.kombat`. The camera controller is switched off (?camera=off) here: it has
its own tests in test_play_page.py.
"""

import time
from pathlib import Path

import pytest

SCREENSHOT = Path("/tmp/game.png")
# Must match web/js/game/fighter.js.
MAX_LIFE = 100
PUNCH_DAMAGE = 6
KICK_DAMAGE = 10
ROUNDHOUSE_DAMAGE = 16
ROUNDHOUSE_SCREENSHOT = Path("/tmp/roundhouse.png")


class Game:
    """One open play page, with the console errors it raised."""

    def __init__(self, browser, base_url):
        self.page = browser.new_page(viewport={"width": 1100, "height": 900})
        self.base_url = base_url
        self.errors = []
        self.page.on("console", lambda message: message.type == "error" and self.errors.append(message.text))
        self.page.on("pageerror", lambda error: self.errors.append(str(error)))

    def open(self, query=""):
        query = f"{query}&camera=off" if query else "?camera=off"
        self.page.goto(f"{self.base_url}/index.html{query}")
        self.page.wait_for_function("window.kombat !== undefined")

    def state(self):
        return self.page.evaluate("window.kombat.state()")

    def wait_until(self, condition, timeout_s=10):
        """Wait for a JS condition on `s`, the game state (e.g. "s.phase === 'fight'")."""
        script = f"() => {{ const s = window.kombat.state(); return {condition}; }}"
        self.page.wait_for_function(script, timeout=timeout_s * 1000)

    def distance(self):
        x = self.state()["x"]
        return x["opponent"] - x["player"]

    def walk_up_to(self, distance):
        if self.distance() <= distance:
            return
        self.page.keyboard.down("ArrowRight")
        self.wait_until(f"s.x.opponent - s.x.player <= {distance}")
        self.page.keyboard.up("ArrowRight")

    def strike(self, key):
        """Press an attack key; wait until it has landed and the player can act again."""
        before = self.state()["life"]["opponent"]
        self.page.keyboard.press(key)
        self.wait_until(f"s.life.opponent < {before}", timeout_s=3)
        self.wait_until("s.player === 'idle' || s.phase !== 'fight'", timeout_s=3)

    def knock_out_by_keyboard(self, screenshot=None):
        self.wait_until("s.phase === 'fight'")
        self.walk_up_to(100)
        self.strike("j")
        assert self.state()["life"]["opponent"] == MAX_LIFE - PUNCH_DAMAGE
        if screenshot:
            self.page.keyboard.press("k")
            self.wait_until(f"s.life.opponent < {MAX_LIFE - PUNCH_DAMAGE}", timeout_s=3)
            self.page.locator("#arena").screenshot(path=str(screenshot))
            self.wait_until("s.player === 'idle'", timeout_s=3)
        deadline = time.monotonic() + 20
        while self.state()["life"]["opponent"] > 0:
            assert time.monotonic() < deadline, self.state()
            self.walk_up_to(110)  # the kicks push the opponent back
            self.strike("k")


@pytest.fixture
def game(browser, web_server):
    game = Game(browser, web_server)
    yield game
    game.page.close()


def test_page_loads_and_draws_without_errors(game):
    game.open()
    game.page.wait_for_timeout(1500)
    page = game.page
    assert page.title() == "tfjs-kombat"
    assert page.locator("section#camera-panel").count() == 1
    legend = page.locator("#controls-legend").inner_text()
    assert "punch" in legend and "roundhouse" in legend
    detect = page.evaluate("Object.keys(window.Detect).filter((k) => typeof window.Detect[k] === 'function')")
    assert sorted(detect) == ["onKick", "onPunch", "onRoundhouse", "onStand"]
    colours = page.evaluate(
        """() => {
          const canvas = document.getElementById('arena');
          const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
          const seen = new Set();
          for (let i = 0; i < pixels.length; i += 4 * 97) {
            seen.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
          }
          return [canvas.width, canvas.height, seen.size];
        }"""
    )
    assert colours[:2] == [960, 540]
    assert colours[2] > 100, "the stage and the fighters are drawn"
    state = game.state()
    assert state["round"] == 1 and state["life"] == {"player": MAX_LIFE, "opponent": MAX_LIFE}
    assert game.errors == []


def test_keyboard_play_wins_rounds_and_the_match(game):
    game.open("?ai=off&seed=1")
    game.knock_out_by_keyboard(screenshot=SCREENSHOT)
    game.wait_until("s.phase === 'roundEnd'")
    state = game.state()
    assert state["wins"] == {"player": 1, "opponent": 0}
    assert state["opponent"] == "fall"
    game.wait_until("s.round === 2")
    assert game.state()["life"] == {"player": MAX_LIFE, "opponent": MAX_LIFE}

    game.knock_out_by_keyboard()
    game.wait_until("s.matchOver")
    state = game.state()
    assert state["winner"] == "player"
    assert state["wins"] == {"player": 2, "opponent": 0}

    game.page.keyboard.press("Enter")
    game.wait_until("!s.matchOver")
    state = game.state()
    assert (state["round"], state["wins"]) == (1, {"player": 0, "opponent": 0})
    assert game.errors == []


def test_detect_api_makes_the_player_punch_kick_and_stand(game):
    game.open("?ai=off")
    game.wait_until("s.phase === 'fight'")
    game.walk_up_to(100)
    game.wait_until("s.player === 'idle'")

    game.page.evaluate("window.Detect.onPunch()")
    game.wait_until("s.player === 'punch'", timeout_s=2)
    game.wait_until(f"s.life.opponent === {MAX_LIFE - PUNCH_DAMAGE}", timeout_s=2)
    game.wait_until("s.player === 'idle'", timeout_s=2)

    game.page.evaluate("window.Detect.onKick()")
    game.wait_until("s.player === 'kick'", timeout_s=2)
    game.wait_until(f"s.life.opponent === {MAX_LIFE - PUNCH_DAMAGE - KICK_DAMAGE}", timeout_s=2)
    game.wait_until("s.player === 'idle'", timeout_s=2)

    game.page.evaluate("window.Detect.onRoundhouse()")
    game.wait_until("s.player === 'roundhouse'", timeout_s=2)
    game.wait_until(
        f"s.life.opponent === {MAX_LIFE - PUNCH_DAMAGE - KICK_DAMAGE - ROUNDHOUSE_DAMAGE}", timeout_s=2
    )
    game.wait_until("s.player === 'idle'", timeout_s=2)

    # onStand stops walking even while the walk key is still held down.
    game.page.keyboard.down("ArrowLeft")
    game.wait_until("s.player === 'walk'", timeout_s=2)
    game.page.evaluate("window.Detect.onStand()")
    game.wait_until("s.player === 'idle'", timeout_s=2)
    stopped_at = game.state()["x"]["player"]
    game.page.wait_for_timeout(300)
    assert game.state()["x"]["player"] == stopped_at
    game.page.keyboard.up("ArrowLeft")
    assert game.errors == []


def test_keyboard_roundhouse_hits_the_opponent_harder_and_slower(game):
    game.open("?ai=off")
    game.wait_until("s.phase === 'fight'")
    legend = game.page.locator("#controls-legend").inner_text()
    assert "I or V" in " ".join(legend.split()) and "roundhouse" in legend
    game.walk_up_to(120)
    game.wait_until("s.player === 'idle'")
    # Record the game tick and the player's state at every drawn frame of the move.
    game.page.evaluate(
        """() => {
          window.seen = [];
          const watch = () => {
            const { tick, player } = window.kombat.state();
            window.seen.push([tick, player]);
            requestAnimationFrame(watch);
          };
          watch();
        }"""
    )
    game.page.keyboard.press("i")
    game.wait_until("s.player === 'roundhouse'", timeout_s=2)
    game.page.wait_for_timeout(200)  # the leg is sweeping: its trail is drawn
    game.page.locator("#arena").screenshot(path=str(ROUNDHOUSE_SCREENSHOT))
    game.wait_until(f"s.life.opponent === {MAX_LIFE - ROUNDHOUSE_DAMAGE}", timeout_s=3)
    game.wait_until("s.player === 'idle'", timeout_s=3)
    seen = game.page.evaluate("window.seen")
    started = next(tick for tick, state in seen if state == "roundhouse")
    ended = next(tick for tick, state in seen if tick > started and state != "roundhouse")
    # Counted in game ticks, so a slow machine drawing fewer frames measures the same: the
    # roundhouse lasts 47 ticks, the kick 30 (give or take the ticks between two drawn frames).
    assert 40 <= ended - started <= 60, (started, ended)

    # The other key does the same, from kicking distance.
    game.walk_up_to(130)
    game.wait_until("s.player === 'idle'")
    game.strike("v")
    assert game.state()["life"]["opponent"] == MAX_LIFE - 2 * ROUNDHOUSE_DAMAGE
    assert game.errors == []


def test_round_time_parameter_and_time_out(game):
    game.open("?ai=off&roundTime=2")
    assert game.state()["secondsLeft"] == 2
    game.wait_until("s.phase === 'roundEnd'")
    state = game.state()
    assert state["round"] == 1 and state["wins"] == {"player": 0, "opponent": 0}, "equal life: a draw"
    assert game.errors == []
