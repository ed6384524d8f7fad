"""End to end through a fake camera: a rendered person's moves drive the player's fighter.

Chromium plays a clip from the default-data renderer as its camera; the play page crops, greys
and classifies it with the converted models (trained by the `pipeline` fixture on real MobileNet
0.75 features) and calls window.Detect. The opponent stands still (?ai=off) within reach.
"""

import time

import pytest

from tfjs_kombat import render


def play(browser, url):
    """The play page on WASM, the player walked up to the opponent; returns (page, decisions so far)."""
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(f"{url}/index.html?ai=off&backend=wasm")
    page.wait_for_function("() => window.kombatCamera?.stats().ready", timeout=120_000)
    assert page.evaluate("() => window.kombatCamera.stats().error") is None
    page.keyboard.down("ArrowRight")
    page.wait_for_function(
        "() => { const s = window.kombat.state(); return s.x.opponent - s.x.player < 100; }"
    )
    page.keyboard.up("ArrowRight")
    return page, stats(page)["decisions"]


def stats(page):
    return page.evaluate("() => window.kombatCamera.stats()")


def watch(page, until, seconds):
    """Poll the game every 50 ms until `until(state)` or the time is up; the player's states seen."""
    seen, deadline = set(), time.monotonic() + seconds
    while time.monotonic() < deadline:
        state = page.evaluate("() => window.kombat.state()")
        seen.add(state["player"])
        if until(state):
            break
        time.sleep(0.05)
    return seen, state


@pytest.fixture(scope="module")
def still_browser(launch_chromium, tmp_path_factory):
    clip = tmp_path_factory.mktemp("still") / "still.y4m"
    render.render_clip(clip, script=render.STILL_SCRIPT)
    return launch_chromium(f"--use-file-for-fake-video-capture={clip}")


def test_a_punch_on_camera_punches_the_opponent(
    fighter_browser, fighter_clip, web_root_with_models, serve_web
):
    clip_seconds = fighter_clip[1][-1][1]
    with serve_web(web_root_with_models) as url:
        page, before = play(fighter_browser, url)
        # Within two loops of the clip the figure punches twice; one landed punch is enough.
        seen, state = watch(
            page, lambda s: s["life"]["opponent"] < 100 and s["player"] != "punch", 2 * clip_seconds
        )
        after = stats(page)
        page.screenshot(path="/tmp/camera_e2e.png")
        page.close()
    assert after["backend"] == "wasm"
    assert after["decisions"]["punch"] > before["punch"] and "punch" in seen
    assert state["life"]["opponent"] < 100


def test_standing_still_on_camera_does_nothing(still_browser, web_root_with_models, serve_web):
    with serve_web(web_root_with_models) as url:
        page, before = play(still_browser, url)
        frames = stats(page)["frames"]
        seen, state = watch(page, lambda s: False, seconds=6)
        after = stats(page)
        page.close()
    assert after["frames"] - frames >= 30
    assert after["decisions"]["punch"] == before["punch"] and after["decisions"]["kick"] == before["kick"]
    assert not seen & {"punch", "kick"} and state["life"]["opponent"] == 100
