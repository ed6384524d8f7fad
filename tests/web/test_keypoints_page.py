"""The play page on the keypoint recipe's models (web/js/keypoint-classifier.js in camera-loop.js):
BlazePose tracks the person in the whole camera frame, the keypoint heads decide, the panel draws
the skeleton, and with nobody in view the page says so and the fighter stands.

The heads are stand-ins that always act (conftest.py's always_moving_keypoints_web_root: the
frame head punches, the sequence head answers "roundhouse"), so whatever the page plays shows
what it does with the pose model's answer, not what a trained head learnt.
"""

import pytest

from tfjs_kombat.config import CLASSIFY_INTERVAL_MS, CLIP_CLASS_NAMES, SEQUENCE_LENGTH

NOBODY_TICKS = 100
LEAK_TICKS = 200
# The skeleton canvas's pixels that something was drawn on.
DRAWN_PIXELS = """() => {
  const canvas = document.querySelector('#camera-panel canvas.skeleton');
  const alpha = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < alpha.length; i += 4) drawn += alpha[i] > 0;
  return drawn;
}"""


@pytest.fixture
def open_page(serve_web, always_moving_keypoints_web_root):
    """open_page(browser) -> the play page on WASM, its JS errors collected in page.errors."""
    pages = []
    with serve_web(always_moving_keypoints_web_root) as url:

        def open_page(browser):
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.errors = []
            page.on("pageerror", lambda error: page.errors.append(str(error)))
            page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
            pages.append(page)
            page.goto(f"{url}/index.html?ai=off&backend=wasm")
            return page

        yield open_page
        for page in pages:
            page.close()


def wait_for_stats(page, condition, ticks):
    """Wait (a tick's time for each of `ticks`, and a minute to load) for a JS condition on `s`."""
    script = f"() => {{ const s = window.kombatCamera?.stats(); return Boolean(s) && ({condition}); }}"
    page.wait_for_function(script, timeout=(ticks * CLASSIFY_INTERVAL_MS / 1000 + 60) * 1000)
    return page.evaluate("window.kombatCamera.stats()")


def test_with_nobody_on_camera_the_page_says_step_into_view_and_stands(open_page, browser):
    """Chromium's test card: nobody. Heads that would act on anything never run."""
    page = open_page(browser)
    seen = wait_for_stats(page, f"s.frames >= {NOBODY_TICKS}", NOBODY_TICKS)
    assert seen["features"] == "keypoints" and seen["recipe"] == "keypoints"
    assert seen["head"] == "sequence" and seen["backend"] == "wasm"
    assert seen["decisions"]["stand"] == seen["frames"], seen["decisions"]
    assert seen["pose"]["nobody"] == seen["frames"]
    assert seen["window"]["frames"] == 0  # emptied on every frame with nobody
    assert "step into view" in page.locator("#camera-panel .message").inner_text()
    assert page.locator("#camera-panel .decision").inner_text().lower() == "stand"
    assert page.evaluate("window.kombat.state().player") == "idle"
    assert page.evaluate(DRAWN_PIXELS) == 0
    assert page.locator("#camera-panel canvas.crop").is_hidden()  # no grey band: the whole frame is read
    assert page.errors == []


def test_a_person_on_camera_is_tracked_drawn_and_played_without_leaking(open_page, fighter_browser):
    """The rendered fighter: found, then tracked frame after frame; the skeleton is drawn over the
    camera; the window fills and the sequence head's move (vouched for by the frame head) reaches
    the game; over 200 ticks the page holds no more tensors than the window's."""
    page = open_page(fighter_browser)
    start = wait_for_stats(page, f"s.window?.frames === {SEQUENCE_LENGTH} && s.frames >= 20", 80)
    assert start["features"] == "keypoints"
    assert start["pose"]["tracked"] > start["pose"]["searched"] >= 1
    assert start["decisions"]["roundhouse"] > 0 and start["decisions"]["punch"] == 0
    page.wait_for_function("window.kombat.state().player === 'roundhouse'", timeout=10_000)
    assert page.evaluate(DRAWN_PIXELS) > 500
    assert "step into view" not in page.locator("#camera-panel .message").inner_text()
    labels = [li.get_attribute("data-label") for li in page.locator("#camera-panel .bars li").all()]
    assert labels == list(CLIP_CLASS_NAMES)

    end = wait_for_stats(page, f"s.frames >= {start['frames'] + LEAK_TICKS}", LEAK_TICKS)
    # The window holds one tensor per frame in it; nothing else is kept from tick to tick.
    held = [stats["numTensors"] - stats["window"]["frames"] for stats in (start, end)]
    assert held[0] == held[1], (start["numTensors"], end["numTensors"])
    assert end["error"] is None and end["maxInFlight"] == 1
    assert end["decisions"]["roundhouse"] > start["decisions"]["roundhouse"]
    page.screenshot(path="/tmp/play-keypoints.png")
    assert page.errors == []
