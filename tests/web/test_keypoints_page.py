"""The play page on the keypoint recipe's models (web/js/keypoint-classifier.js in camera-loop.js):
BlazePose tracks the person in the whole camera frame, the keypoint heads decide, the panel draws
the skeleton, and with nobody in view the page says so and the fighter stands.

The heads are stand-ins that always act (conftest.py's always_moving_keypoints_web_root: the
frame head punches, the sequence head answers "roundhouse"), so whatever the page plays shows
what it does with the pose model's answer, not what a trained head learnt.
"""

import numpy as np
import pytest

from tfjs_kombat.config import CLASSIFY_INTERVAL_MS, CLIP_CLASS_NAMES, OTHER, PUNCH, SEQUENCE_LENGTH

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


# The page's own path (keypoint-classifier.js) on keypoints given to it: each frame's outputs, and
# the sequence head's once its window is full; then nobody, then one frame more.
CLASSIFY_KEYPOINTS = """async ([frames]) => {
    const classifier = await import('/js/classifier.js');
    const keypoints = await import('/js/keypoint-classifier.js');
    await classifier.chooseBackend('wasm');
    const config = await classifier.loadConfig('models/');
    const models = await keypoints.loadKeypointClassifier('models/', config);
    const results = [];
    for (const frame of frames) results.push(await keypoints.classifyKeypoints(models, frame));
    const nobody = await keypoints.classifyKeypoints(models, null);
    const after = await keypoints.classifyKeypoints(models, frames[0]);
    return { results, nobody, after, tensors: tf.memory().numTensors, backend: tf.getBackend() };
}"""


@pytest.fixture(scope="module")
def random_heads_page(browser, copy_web, serve_web, keypoint_models, tmp_path_factory):
    """A bare page over keypoint heads with random weights (varied outputs to compare), float32."""
    import keras

    from tfjs_kombat import heads

    keras.utils.set_random_seed(3)
    frame_head, sequence_head = (
        heads.build_keypoint_frame_head(),
        heads.build_keypoint_sequence_head(SEQUENCE_LENGTH),
    )
    root = copy_web(tmp_path_factory.mktemp("keypoint-heads") / "web")
    keypoint_models(root / "models", frame_head, sequence_head)
    (root / "bare.html").write_text(
        '<script src="vendor/tf.min.js"></script><script src="vendor/tf-backend-wasm.min.js"></script>'
    )
    with serve_web(root) as url:
        page = browser.new_page()
        page.goto(f"{url}/bare.html")
        yield page, frame_head, sequence_head
        page.close()


def test_the_keypoint_heads_answer_in_the_page_as_in_keras(random_heads_page):
    """Generated keypoints (width units, as the page feeds them): the frame head's outputs on each
    frame and the sequence head's on the last T are Keras's; with nobody, no head runs and the
    window starts again."""
    from tfjs_kombat.body import in_width_units
    from tfjs_kombat.synth.keypoint_data import keypoint_clips

    page, frame_head, sequence_head = random_heads_page
    clips = keypoint_clips(1, seed=4)
    clip = in_width_units(clips.keypoints[3], clips.aspects[3], 1.0)  # a roundhouse, 12 frames
    frames = np.concatenate([in_width_units(clips.keypoints[0], clips.aspects[0], 1.0)[:4], clip])
    outcome = page.evaluate(CLASSIFY_KEYPOINTS, [frames.tolist()])
    assert outcome["backend"] == "wasm"
    results = outcome["results"]
    page_frames = np.array([result["punchKick"] for result in results])
    np.testing.assert_allclose(page_frames, frame_head.predict(frames, verbose=0), atol=1e-4)
    assert [result["sequenceFrames"] for result in results] == [
        min(i + 1, SEQUENCE_LENGTH) for i in range(16)
    ]
    assert all(result["sequence"] is None for result in results[: SEQUENCE_LENGTH - 1])
    page_sequence = np.array(results[-1]["sequence"])
    np.testing.assert_allclose(page_sequence, sequence_head.predict(clip[None], verbose=0)[0], atol=1e-4)
    nobody, after = outcome["nobody"], outcome["after"]
    assert nobody["found"] is False and nobody["decision"] == "stand" and nobody["punchKick"] is None
    assert nobody["sequenceFrames"] == 0 and after["sequenceFrames"] == 1 and after["sequence"] is None


RULES_IN_PAGE = """async (probs) => {
    const classifier = await import('/js/classifier.js');
    const config = await classifier.loadConfig('models/');
    const rules = ['punch_kick', 'sequence'].map((head) => classifier.ruleOf(config, head));
    return {
        rules,
        article: classifier.decide(probs),
        keypoints: classifier.decide(probs, rules[0]),
        sequence: classifier.decideSequence([...probs, 0, 0], rules[1]),
    };
}"""


def test_the_page_decides_with_the_rule_config_json_gives_the_keypoint_heads(random_heads_page):
    from tfjs_kombat import heads

    probs = [0.45, 0.2, 0.35]  # P(punch) 0.45, P(other) 0.35: the article's rule punches
    decided = random_heads_page[0].evaluate(RULES_IN_PAGE, probs)
    assert decided["rules"] == [heads.KEYPOINT_RULE._asdict()] * 2
    assert (decided["article"], decided["keypoints"], decided["sequence"]) == ("punch", "stand", "stand")
    outputs = np.array([probs])
    assert heads.KEYPOINT_FRAME_HEAD.decisions(outputs).tolist() == [OTHER]
    assert heads.PUNCH_KICK_HEAD.decisions(outputs).tolist() == [PUNCH]


def test_the_try_page_finds_the_person_in_a_photo_and_asks_the_keypoint_head(
    browser, serve_web, always_moving_keypoints_web_root, tmp_path
):
    """try.html on keypoint models: no MobileNet widgets; the punch/kick widget runs BlazePose on the
    whole photo (portrait here), draws the skeleton and asks the frame head (a stand-in that always
    punches), and says so when the photo holds nobody."""
    from tfjs_kombat.synth.scene import render_nobody, render_pose

    person, nobody = tmp_path / "person.png", tmp_path / "nobody.png"
    rng = np.random.default_rng(5)
    picture = render_pose("punch", rng)
    picture.crop((0, 0, picture.height * 3 // 4, picture.height)).save(person)  # portrait
    render_nobody(rng).save(nobody)
    widget = "#punch-kick-widget"
    with serve_web(always_moving_keypoints_web_root) as url:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(f"{url}/try.html?backend=wasm")
        page.wait_for_function("document.getElementById('try-status').textContent.startsWith('Models')")
        assert "BlazePose keypoints" in page.locator("#try-status").inner_text()
        for off in ("#mobilenet-widget", "#punch-widget"):
            assert "reads body keypoints" in page.locator(off).inner_text()

        page.set_input_files(f"{widget} input[type=file]", str(person))
        page.wait_for_selector(f"{widget} .result .bars li")
        assert page.locator(f"{widget} .decision").get_attribute("data-decision") == "punch"
        assert page.locator(f"{widget} canvas.crop").is_hidden()  # the whole picture is read
        yellow = """() => {
          const c = document.querySelector('#punch-kick-widget canvas.source');
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          for (let i = 0; i < d.length; i += 4) n += d[i] > 240 && d[i + 1] > 200 && d[i + 2] < 100;
          return n;
        }"""
        assert page.evaluate(yellow) > 50, "the skeleton is drawn over the photo"

        page.set_input_files(f"{widget} input[type=file]", str(nobody))
        nobody_said = f"document.querySelector('{widget} .detail')?.textContent.startsWith('Nobody')"
        page.wait_for_function(nobody_said)
        assert page.locator(f"{widget} .decision").get_attribute("data-decision") == "stand"
        page.screenshot(path="/tmp/try-keypoints.png")
        page.close()
    assert errors == []
