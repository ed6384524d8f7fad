"""End to end through a fake camera: a rendered person's moves drive the player's fighter.

Like a user of the product (and the article, which played in the room it recorded in), the test
first records the player: the heads of `personal_web_root` (conftest.py) learnt the clip's person.
Then Chromium plays the clip as its camera, and the play page crops, greys and classifies it and
calls window.Detect. The opponent stands still (?ai=off) within reach.
"""

import time

import pytest

from tfjs_kombat.synth import webcam


def play(browser, url):
    """The play page on WASM with the player walked up to the opponent; (page, decisions so far)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{url}/index.html?ai=off&backend=wasm")
    page.wait_for_function("() => window.kombatCamera?.stats().ready", timeout=120_000)
    assert page.evaluate("() => window.kombatCamera.stats().error") is None
    # The camera's onStand() after a move cancels a held walk key, so walk in short steps.
    for _ in range(100):
        state = page.evaluate("() => window.kombat.state()")
        if state["x"]["opponent"] - state["x"]["player"] < 100:
            break
        page.keyboard.down("ArrowRight")
        page.wait_for_timeout(150)
        page.keyboard.up("ArrowRight")
    else:
        pytest.fail("the player never reached the opponent")
    return page, stats(page)["decisions"]


def stats(page):
    return page.evaluate("() => window.kombatCamera.stats()")


def watch(page, until, seconds):
    """Poll the game every 50 ms until `until(state, seen)` or the time is up; the player's states seen."""
    seen, deadline = set(), time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = page.evaluate("() => window.kombat.state()")
        seen.add(state["player"])
        if until(state, seen):
            break
        time.sleep(0.05)
    return seen, state


def test_a_punch_on_camera_punches_the_opponent(fighter_browser, fighter_clip, personal_web_root, serve_web):
    clip_seconds = fighter_clip[1][-1][1]
    with serve_web(personal_web_root) as url:
        page, before = play(fighter_browser, url)
        life = page.evaluate("() => window.kombat.state().life.opponent")
        # Within two loops of the clip the figure punches twice; one landed punch is enough.
        seen, state = watch(
            page, lambda s, seen: "punch" in seen and s["life"]["opponent"] < life, 2 * clip_seconds
        )
        after = stats(page)
        page.screenshot(path="/tmp/camera_e2e.png")
        page.close()
    assert after["backend"] == "wasm"
    assert after["decisions"]["punch"] > before["punch"] and "punch" in seen
    assert state["life"]["opponent"] < life


def test_standing_still_on_camera_does_nothing(still_browser, personal_web_root, serve_web):
    with serve_web(personal_web_root) as url:
        page, before = play(still_browser, url)
        frames_before = stats(page)["frames"]
        seen, state = watch(page, lambda s, seen: False, seconds=6)
        after = stats(page)
        page.close()
    assert after["frames"] - frames_before >= 30
    assert after["decisions"]["punch"] == before["punch"] and after["decisions"]["kick"] == before["kick"]
    assert not seen & {"punch", "kick"} and state["life"]["opponent"] == 100


# The sequence head: one move, looped by Chromium's fake camera; 3 sways long, so the loop is seamless.
AROUND_THE_MOVE = (3 * webcam.SWAY_SECONDS - 1.5) / 2
MOVE_SCRIPTS = {
    move: (("other", AROUND_THE_MOVE), (move, 1.5), ("other", AROUND_THE_MOVE))
    for move in ("roundhouse", "back_kick")
}


@pytest.fixture(scope="module")
def move_browser(launch_chromium, tmp_path_factory):
    """move_browser(move) -> Chromium whose fake camera loops the clip's person doing that move."""

    def launch(move):
        clip = tmp_path_factory.mktemp(move) / f"{move}.y4m"
        webcam.render_clip(clip, script=MOVE_SCRIPTS[move])
        return launch_chromium(f"--use-file-for-fake-video-capture={clip}")

    return launch


def test_a_roundhouse_on_camera_is_the_games_roundhouse(move_browser, personal_sequence_web_root, serve_web):
    loop_seconds = sum(seconds for _, seconds in MOVE_SCRIPTS["roundhouse"])
    with serve_web(personal_sequence_web_root) as url:
        page, before = play(move_browser("roundhouse"), url)
        seen, _ = watch(page, lambda s, seen: "roundhouse" in seen, 2 * loop_seconds)
        after = stats(page)
        page.close()
    assert after["head"] == "sequence"
    assert "roundhouse" in seen and after["decisions"]["roundhouse"] > before["roundhouse"]


def test_a_back_kick_on_camera_is_a_kick(move_browser, personal_sequence_web_root, serve_web):
    loop_seconds = sum(seconds for _, seconds in MOVE_SCRIPTS["back_kick"])
    with serve_web(personal_sequence_web_root) as url:
        page, before = play(move_browser("back_kick"), url)
        seen, _ = watch(page, lambda s, seen: False, 2 * loop_seconds)
        after = stats(page)
        page.close()
    kicks, roundhouses = (after["decisions"][move] - before[move] for move in ("kick", "roundhouse"))
    assert "kick" in seen and kicks > roundhouses


def test_standing_still_before_the_sequence_head_does_nothing(
    still_browser, personal_sequence_web_root, serve_web
):
    with serve_web(personal_sequence_web_root) as url:
        page, before = play(still_browser, url)
        seen, state = watch(page, lambda s, seen: False, seconds=6)
        after = stats(page)
        page.close()
    assert after["head"] == "sequence" and after["window"]["frames"] == after["window"]["length"]
    moves = ("punch", "kick", "roundhouse")
    assert all(after["decisions"][move] == before[move] for move in moves), (before, after["decisions"])
    assert not seen & set(moves) and state["life"]["opponent"] == 100
