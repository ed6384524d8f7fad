"""Browser tests of the camera controller (web/js/camera-loop.js and friends) and the try-it page.

Chromium's fake camera (a moving test pattern) feeds the play page; the models are the real,
small ones the `pipeline` fixture trains, converted to TensorFlow.js (conftest.py). Failing
cameras are simulated by replacing getUserMedia before the page's scripts run.
"""

import json
import urllib.parse
from pathlib import Path

import numpy as np
import pytest

from tfjs_kombat.config import (
    CLASS_NAMES,
    CLASSIFY_INTERVAL_MS,
    CLIP_CLASS_NAMES,
    FRAME_HEIGHT,
    FRAME_WIDTH,
    SEQUENCE_LENGTH,
)
from tfjs_kombat.frames import grayscale, to_frame
from tfjs_kombat.heads import decide_punch_kick
from tfjs_kombat.predict import DECISION_NAMES
from tfjs_kombat.season import SEASONS
from tfjs_kombat.synth.scene import render_nobody, render_pose

PLAY_SCREENSHOT = Path("/tmp/play.png")
TRY_SCREENSHOT = Path("/tmp/try.png")
SEQUENCE_SCREENSHOT = Path("/tmp/play-sequence.png")
REJECT_CAMERA = (
    "navigator.mediaDevices.getUserMedia = async () => { throw new DOMException('simulated', '%s'); };"
)
NO_MEDIA_DEVICES = "Object.defineProperty(Navigator.prototype, 'mediaDevices', { get: () => undefined });"
READ_CROP = """(widget) => {
  const canvas = document.querySelector(`${widget} canvas.crop`);
  return Array.from(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data);
}"""
# Fail from inside a frame, as a camera unplugged mid-classification would: that frame ends later.
END_THE_CAMERA_MID_FRAME = """() => {
  const track = document.querySelector('#camera-panel video').srcObject.getVideoTracks()[0];
  const tidy = tf.tidy;
  tf.tidy = (...args) => {
    tf.tidy = tidy;
    track.dispatchEvent(new Event('ended'));
    return tidy(...args);
  };
}"""
RECORD_CAMERAS_AND_BITMAPS = """
  window.cameras = [];
  window.bitmaps = [];
  const getUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    window.cameras.push(await getUserMedia(constraints));
    return window.cameras.at(-1);
  };
  const createImageBitmap = window.createImageBitmap;
  window.createImageBitmap = async (...args) => {
    window.bitmaps.push(await createImageBitmap(...args));
    return window.bitmaps.at(-1);
  };
"""
COUNT_CAMERA_REQUESTS = """
  const realGetUserMedia = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  navigator.mediaDevices.getUserMedia = (constraints) => {
    window.cameraRequests = (window.cameraRequests || 0) + 1;
    return realGetUserMedia(constraints);
  };
"""


@pytest.fixture(scope="module")
def models_url(serve_web, web_root_with_models):
    with serve_web(web_root_with_models) as url:
        yield url


@pytest.fixture
def open_page(browser):
    """open_page(url, init_script=None) -> a page whose JS errors are collected in page.errors."""
    pages = []

    def open_page(url, init_script=None, viewport=(1400, 900)):
        page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]})
        page.errors = []
        page.on("pageerror", lambda error: page.errors.append(str(error)))
        page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
        if init_script:
            page.add_init_script(init_script)
        pages.append(page)
        page.goto(url)
        return page

    yield open_page
    for page in pages:
        page.close()


def stats(page):
    return page.evaluate("window.kombatCamera.stats()")


def wait_for_stats(page, condition, timeout_s=20):
    """Wait for a JS condition on `s`, the loop's stats (e.g. "s.frames >= 10")."""
    script = f"() => {{ const s = window.kombatCamera?.stats(); return Boolean(s) && ({condition}); }}"
    page.wait_for_function(script, timeout=timeout_s * 1000)
    return stats(page)


def punch_by_keyboard(page):
    """Walk up to the opponent and punch: the game works whatever the camera does."""
    page.wait_for_function("window.kombat.state().phase === 'fight'", timeout=10_000)
    page.keyboard.down("ArrowRight")
    page.wait_for_function("(s => s.x.opponent - s.x.player <= 100)(window.kombat.state())", timeout=10_000)
    page.keyboard.up("ArrowRight")
    page.wait_for_function("window.kombat.state().player === 'idle'", timeout=3000)
    life = page.evaluate("window.kombat.state().life.opponent")
    page.keyboard.press("j")
    page.wait_for_function(f"window.kombat.state().life.opponent < {life}", timeout=3000)


@pytest.mark.parametrize(
    ("init_script", "kind", "says"),
    [
        (REJECT_CAMERA % "NotAllowedError", "denied", "Camera access was denied"),
        (REJECT_CAMERA % "NotFoundError", "missing", "No camera was found"),
        (NO_MEDIA_DEVICES, "insecure", "secure pages"),
    ],
    ids=["denied", "missing", "insecure"],
)
def test_camera_failures_are_explained_and_the_keyboard_still_plays(
    open_page, models_url, init_script, kind, says
):
    page = open_page(f"{models_url}/index.html?ai=off", init_script)
    state = wait_for_stats(page, "s.error !== null")
    assert state["error"]["kind"] == kind
    assert not state["ready"] and state["frames"] == 0
    message = page.locator("#camera-panel .message.error").inner_text()
    assert says in message and "still plays by keyboard" in message
    punch_by_keyboard(page)
    assert page.errors == []


def test_missing_models_say_make_convert_and_never_ask_for_the_camera(
    open_page, serve_web, web_root_without_models
):
    with serve_web(web_root_without_models) as url:
        page = open_page(f"{url}/index.html?ai=off", COUNT_CAMERA_REQUESTS)
        state = wait_for_stats(page, "s.error !== null")
        assert state["error"]["kind"] == "models-missing"
        message = page.locator("#camera-panel .message.error").inner_text()
        assert "make convert" in message and "still plays by keyboard" in message
        assert page.evaluate("window.cameraRequests ?? 0") == 0, "no camera prompt when nothing could use it"
        punch_by_keyboard(page)

        try_page = open_page(f"{url}/try.html")
        try_page.wait_for_selector("#try-status.error")
        assert "make convert" in try_page.locator("#try-status").inner_text()
        assert try_page.locator("#season-date").is_disabled()
    # The only console errors allowed are the browser's own lines about config.json's 404.
    assert all("404" in error for error in page.errors + try_page.errors), page.errors + try_page.errors


def test_models_converted_for_another_frame_size_ask_for_a_convert(open_page, serve_web, copy_web, tmp_path):
    root = copy_web(tmp_path / "web")
    (root / "models").mkdir()
    shapes = {"mobilenet": [FRAME_HEIGHT + 8, FRAME_WIDTH, 3]}
    config = {"models": {"mobilenet": "mobilenet/model.json"}, "inputShapes": shapes}
    (root / "models" / "config.json").write_text(json.dumps(config))
    with serve_web(root) as url:
        page = open_page(f"{url}/try.html")
        page.wait_for_selector("#try-status.error")
        message = page.locator("#try-status").inner_text()
    converted = f"converted for {FRAME_WIDTH}x{FRAME_HEIGHT + 8} frames"
    assert converted in message and f"use {FRAME_WIDTH}x{FRAME_HEIGHT}" in message
    assert "make convert" in message


def test_the_camera_loop_classifies_frames_on_wasm_without_leaking(open_page, models_url):
    page = open_page(f"{models_url}/index.html?ai=off")
    at_10 = wait_for_stats(page, "s.frames >= 10")
    # Count what the loop tells the game from now on (Detect is looked up on every frame).
    page.evaluate(
        """() => {
          window.told = { punch: 0, kick: 0, stand: 0 };
          window.toldFrom = window.kombatCamera.stats();
          window.Detect = {
            onPunch: () => window.told.punch++,
            onKick: () => window.told.kick++,
            onStand: () => window.told.stand++,
          };
        }"""
    )
    at_100 = wait_for_stats(page, "s.frames >= 100", timeout_s=40)
    assert at_100["backend"] == "wasm", "no GPU here: software WebGL is skipped for WASM"
    assert at_100["ready"] and at_100["error"] is None
    assert at_100["numTensors"] == at_10["numTensors"], "tensors leak per frame"
    assert 0 < at_100["latencyMs"] < 1000
    assert sum(at_100["decisions"].values()) == at_100["frames"]
    assert at_100["maxInFlight"] == 1

    told, since, now = page.evaluate("[window.told, window.toldFrom, window.kombatCamera.stats()]")
    for move in ("punch", "kick"):
        assert told[move] == now["decisions"][move] - since["decisions"][move], move
    assert told["stand"] <= now["decisions"]["stand"] - since["decisions"]["stand"]

    panel = page.locator("#camera-panel")
    assert panel.locator(".bars li").all_inner_texts()[0].startswith(CLASS_NAMES[0])
    assert [li.get_attribute("data-label") for li in panel.locator(".bars li").all()] == list(CLASS_NAMES)
    assert panel.locator(".decision").inner_text().lower() in ("punch", "kick", "stand")
    assert "wasm" in panel.locator(".numbers").inner_text()
    crop = page.evaluate("(c => [c.width, c.height])(document.querySelector('#camera-panel canvas.crop'))")
    assert crop == [FRAME_WIDTH, FRAME_HEIGHT]
    page.screenshot(path=str(PLAY_SCREENSHOT))
    assert page.errors == []


def test_the_sequence_head_plays_the_roundhouse_and_leaks_nothing_over_200_ticks(
    open_page, serve_web, roundhouse_web_root
):
    """config.json lists a sequence head (one that always answers "roundhouse"): the loop keeps the
    last T frame vectors, stands until they are in, then every tick plays the head's decision,
    which reaches the game as Detect.onRoundhouse; its panel shows the head's five classes."""
    with serve_web(roundhouse_web_root) as url:
        page = open_page(f"{url}/index.html?ai=off")
        start = wait_for_stats(page, f"s.frames >= {SEQUENCE_LENGTH + 5}", timeout_s=60)
        assert start["head"] == "sequence" and start["backend"] == "wasm"
        assert start["window"] == {"frames": SEQUENCE_LENGTH, "length": SEQUENCE_LENGTH}
        # The window filled before the head ran: the fighter stood for T - 1 frames, no more.
        assert start["decisions"]["stand"] == SEQUENCE_LENGTH - 1, start["decisions"]
        page.wait_for_function("window.kombat.state().player === 'roundhouse'", timeout=10_000)

        frames = start["frames"] + 200
        end = wait_for_stats(page, f"s.frames >= {frames}", timeout_s=200 * CLASSIFY_INTERVAL_MS / 1000 + 60)
        assert end["numTensors"] == start["numTensors"], "tensors leak per tick"
        assert end["error"] is None and end["maxInFlight"] == 1
        assert end["decisions"]["stand"] == SEQUENCE_LENGTH - 1
        assert end["decisions"]["roundhouse"] == end["frames"] - (SEQUENCE_LENGTH - 1)
        assert end["decisions"]["punch"] == end["decisions"]["kick"] == 0

        panel = page.locator("#camera-panel")
        assert [li.get_attribute("data-label") for li in panel.locator(".bars li").all()] == list(
            CLIP_CLASS_NAMES
        )
        assert panel.locator(".decision").inner_text().lower() == "roundhouse"
        assert f"last {SEQUENCE_LENGTH} frames" in panel.locator(".numbers").inner_text()
        values = [float(text) for text in panel.locator(".bars li .value").all_inner_texts()]
        assert values.index(max(values)) == CLIP_CLASS_NAMES.index("roundhouse")
        page.screenshot(path=str(SEQUENCE_SCREENSHOT))
        assert page.errors == []


# Chromium's plain fake camera shows its test card: nobody, and a pie slice that sweeps round.
NOBODY_TICKS = 120


def assert_stands_with_nobody_on_camera(page, head):
    """Over NOBODY_TICKS ticks of the test card, the head that plays makes no move."""
    seen = wait_for_stats(
        page, f"s.frames >= {NOBODY_TICKS}", timeout_s=NOBODY_TICKS * CLASSIFY_INTERVAL_MS / 1000 + 60
    )
    assert seen["head"] == head
    moves = {decision: count for decision, count in seen["decisions"].items() if decision != "stand"}
    assert set(moves.values()) == {0}, seen["decisions"]
    assert page.evaluate("window.kombat.state().player") == "idle"


def test_with_nobody_on_camera_the_frame_head_stands(open_page, models_url):
    """The default recipe's frame head (pictures of nobody among its others) makes no move."""
    page = open_page(f"{models_url}/index.html?ai=off&backend=wasm")
    assert_stands_with_nobody_on_camera(page, "punch_kick")


def test_with_nobody_on_camera_the_sequence_head_stands(open_page, serve_web, frame_and_roundhouse_web_root):
    """The sequence head reads only how the picture changes, and the test card changes: even a head
    that answers "roundhouse" to everything plays nothing, because the frame head (pictures of
    nobody among its others) sees no move in the window."""
    with serve_web(frame_and_roundhouse_web_root) as url:
        page = open_page(f"{url}/index.html?ai=off&backend=wasm")
        assert_stands_with_nobody_on_camera(page, "sequence")
        assert page.locator("#camera-panel .decision").inner_text().lower() == "stand"
        values = [float(text) for text in page.locator("#camera-panel .bars li .value").all_inner_texts()]
        assert values.index(max(values)) == CLIP_CLASS_NAMES.index("roundhouse")  # what it would play


def page_pixels(image):
    """A rendered picture as the page's grey frame, a flat list of RGB values."""
    return grayscale(np.asarray(to_frame(image))).flatten().tolist()


# Through the page's own path: pick a picture the frame head kicks on, then play nobody for a
# window, the kick once, and nobody again until the kick has left the window.
PLAY_A_KICK_AMONG_NOBODY = """async ([nobody, kicks, length]) => {
    const c = await import('/js/classifier.js');
    await c.chooseBackend('wasm');
    const models = await c.loadClassifier('models/', { extras: false });
    const frameDecision = async (frame) => c.decide((await c.classifyPixels(models, frame)).punchKick);
    const nobodyDecision = await frameDecision(nobody);
    let kick = null;
    for (const frame of kicks) if (kick === null && (await frameDecision(frame)) === 'kick') kick = frame;
    c.resetSequence(models);
    const played = [];
    const play = async (frame) => played.push((await c.classifyPixels(models, frame)).decision);
    for (let i = 0; i < length; i++) await play(nobody);
    await play(kick);
    for (let i = 0; i < length; i++) await play(nobody);
    return { nobodyDecision, found: kick !== null, played: played.slice(length - 1) };
}"""


def test_the_sequence_head_plays_while_the_frame_head_saw_a_move_in_its_window(
    open_page, serve_web, frame_and_roundhouse_web_root
):
    """The always-"roundhouse" head plays once the frame head would have acted on one frame of the
    window, for as long as that frame is in it."""
    rng = np.random.default_rng(12)
    kicks = [page_pixels(render_pose("kick", rng)) for _ in range(12)]
    nobody = page_pixels(render_nobody(rng))
    with serve_web(frame_and_roundhouse_web_root) as url:
        page = open_page(f"{url}/try.html")
        result = page.evaluate(PLAY_A_KICK_AMONG_NOBODY, [nobody, kicks, SEQUENCE_LENGTH])
    assert result["nobodyDecision"] == "stand" and result["found"], result
    # The last tick of nobody, the kick's tick and the T - 1 after it, then the kick has left.
    expected = ["stand"] + ["roundhouse"] * SEQUENCE_LENGTH + ["stand"]
    assert result["played"] == expected
    assert page.errors == []


def test_slow_frames_are_skipped_never_stacked(open_page, models_url):
    # Software WebGL: ~0.7 s a frame, read back asynchronously, so timer ticks fire mid-frame.
    # (The cpu backend is slow too but synchronous: it blocks the ticks instead of overlapping.)
    page = open_page(f"{models_url}/index.html?ai=off&backend=webgl")
    state = wait_for_stats(page, "s.frames >= 3 && s.skipped > 0", timeout_s=40)
    assert state["backend"] == "webgl"
    assert state["maxInFlight"] == 1
    assert state["latencyMs"] > CLASSIFY_INTERVAL_MS and state["skipped"] >= state["frames"]
    assert f"longer than the {CLASSIFY_INTERVAL_MS} ms" in page.locator("#camera-panel .message").inner_text()


def test_a_failure_stops_the_camera_and_a_late_frame_leaves_its_message(open_page, models_url):
    page = open_page(f"{models_url}/index.html?ai=off")
    wait_for_stats(page, "s.frames >= 3")
    page.evaluate(END_THE_CAMERA_MID_FRAME)
    failed = wait_for_stats(page, "s.error !== null")
    page.wait_for_timeout(1000)  # the frame that was being classified has ended, ten ticks have passed
    assert failed["error"]["kind"] == "failed" and not failed["ready"]
    assert stats(page)["frames"] == failed["frames"]
    message = page.locator("#camera-panel .message.error").inner_text()
    assert "The camera stopped" in message and "still plays by keyboard" in message
    track_state = "document.querySelector('#camera-panel video').srcObject.getVideoTracks()[0].readyState"
    assert page.evaluate(track_state) == "ended"
    punch_by_keyboard(page)
    assert page.errors == []


def test_a_backend_that_cannot_start_is_named_with_the_one_used(open_page, models_url):
    page = open_page(f"{models_url}/index.html?ai=off&backend=bogus")
    state = wait_for_stats(page, "s.frames >= 3")
    assert state["backend"] == "wasm"
    notice = "The bogus backend (?backend=bogus) could not start: using wasm."
    assert notice in page.locator("#camera-panel .message").inner_text()
    try_page = open_page(f"{models_url}/try.html?backend=bogus")
    try_page.wait_for_function(
        "document.getElementById('try-status').textContent.startsWith('Models loaded')"
    )
    assert notice in try_page.locator("#try-status").inner_text()
    assert page.errors == try_page.errors == []


def test_plays_with_every_other_host_blocked(open_page, models_url, browser):
    outside = []

    def only_local(route):
        host = urllib.parse.urlsplit(route.request.url).hostname
        if host == "127.0.0.1":
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page = browser.new_page()
    try:
        page.route("**/*", only_local)
        page.goto(f"{models_url}/index.html?ai=off")
        state = wait_for_stats(page, "s.frames > 10")
        assert state["error"] is None
        assert outside == []
    finally:
        page.close()


def test_classify_pixels_decides_like_python_and_leaks_nothing(open_page, models_url):
    page = open_page(f"{models_url}/try.html")
    rng = np.random.default_rng(5)
    frame = grayscale(np.asarray(to_frame(render_pose("kick", rng))))
    triples = rng.dirichlet((0.7, 0.7, 0.7), size=300).tolist() + [
        [0.3, 0.3, 0.4],
        [0.35, 0.3, 0.35],
        [0.4, 0.4, 0.2],
    ]
    result = page.evaluate(
        """async ([pixels, triples]) => {
          const c = await import('/js/classifier.js');
          const classifier = await c.loadClassifier();
          const first = await c.classifyPixels(classifier, pixels, { withFeatures: true });
          for (let i = 1; i < 10; i++) await c.classifyPixels(classifier, pixels);
          const after10 = tf.memory().numTensors;
          for (let i = 10; i < 100; i++) await c.classifyPixels(classifier, pixels);
          const after100 = tf.memory().numTensors;
          const decisions = triples.map((probs) => c.decide(probs));
          const featureSize = classifier.config.inputShapes.punch_kick.reduce((a, b) => a * b);
          return { first, after10, after100, decisions, featureSize };
        }""",
        [frame.flatten().tolist(), triples],
    )
    assert result["after10"] == result["after100"]
    first = result["first"]
    assert len(first["features"]) == result["featureSize"]
    assert sum(first["punchKick"]) == pytest.approx(1, abs=1e-5) and first["punch"] is None  # pose: one head
    assert first["decision"] == DECISION_NAMES[decide_punch_kick(np.array([first["punchKick"]]))[0]]
    assert result["decisions"] == [DECISION_NAMES[d] for d in decide_punch_kick(np.array(triples))]


def test_try_page_widgets_answer_for_an_uploaded_photo_and_a_date(open_page, models_url, tmp_path):
    photo = tmp_path / "punch.png"
    image = render_pose("punch", np.random.default_rng(3))
    image.save(photo)
    page = open_page(f"{models_url}/try.html", viewport=(1400, 1000))
    page.wait_for_function("document.getElementById('try-status').textContent.startsWith('Models loaded')")
    for widget in ("mobilenet-widget", "punch-kick-widget"):
        page.set_input_files(f"#{widget} input[type=file]", str(photo))
        page.wait_for_selector(f"#{widget} .result .bars li")
    # The default recipe (pose) has no punch head: its widget says so and how to get one.
    assert "RECIPE=article" in page.locator("#punch-widget").inner_text()

    top5 = page.locator("#mobilenet-widget .result li .label").all_inner_texts()
    assert len(top5) == 5 and all(label.strip() for label in top5)
    labels = [li.get_attribute("data-label") for li in page.locator("#punch-kick-widget .result li").all()]
    assert labels == list(CLASS_NAMES)
    assert page.locator("#punch-kick-widget .decision").inner_text().lower() in ("punch", "kick", "stand")

    # The page cuts the same grey frame that training used (frames.py), up to resampling.
    expected = grayscale(np.asarray(to_frame(image)))
    uploaded = page.evaluate(READ_CROP, "#punch-kick-widget")
    page_frame = np.array(uploaded).reshape(*expected.shape[:2], 4)[:, :, :3]
    # Up to resampling: 1.1 grey levels on average with striped clothes (1.4 more with "low" smoothing).
    assert np.abs(page_frame.astype(int) - expected).mean() < 2

    # A snapshot of the fake camera, after a countdown, replaces the photo.
    snap = "#mobilenet-widget button.snap"
    before = page.evaluate(READ_CROP, "#mobilenet-widget")
    page.click(snap)
    page.wait_for_function(f"document.querySelector('{snap}').textContent.startsWith('Snapping in')")
    page.wait_for_function(
        f"(before) => ({READ_CROP})('#mobilenet-widget').some((value, i) => value !== before[i])",
        arg=before,
        timeout=10_000,
    )
    assert len(page.locator("#mobilenet-widget .result li").all()) == 5

    page.fill("#season-date", "2024-07-15")
    page.wait_for_function("document.querySelector('#season-widget .decision').textContent === 'summer'")
    assert len(page.locator("#season-widget .bars li").all()) == len(SEASONS)
    page.screenshot(path=str(TRY_SCREENSHOT), full_page=True)
    assert page.errors == []


def test_try_page_closes_its_bitmaps_on_error_and_its_camera_after_a_snapshot(
    open_page, models_url, tmp_path
):
    photo = tmp_path / "kick.png"
    render_pose("kick", np.random.default_rng(4)).save(photo)
    page = open_page(f"{models_url}/try.html", RECORD_CAMERAS_AND_BITMAPS)
    page.wait_for_function("document.getElementById('try-status').textContent.startsWith('Models loaded')")
    page.evaluate(
        "() => { const tidy = tf.tidy; tf.tidy = () => { tf.tidy = tidy; throw new Error('simulated'); }; }"
    )
    page.set_input_files("#punch-kick-widget input[type=file]", str(photo))
    page.wait_for_selector("#punch-kick-widget .message.error")
    assert page.locator("#punch-kick-widget .message.error").inner_text() == "simulated"
    assert page.evaluate("window.bitmaps.map((bitmap) => bitmap.width)") == [0], "a closed bitmap has no size"

    page.click("#punch-kick-widget button.snap")
    page.wait_for_selector("#punch-kick-widget .result .bars li", timeout=10_000)
    page.wait_for_function("!document.querySelector('#punch-kick-widget button.snap').disabled")
    tracks = "window.cameras.flatMap((camera) => camera.getTracks().map((track) => track.readyState))"
    assert page.evaluate(tracks) == ["ended"]
    assert page.locator("video").count() == 0
    assert page.errors == []


def test_a_failed_upload_clears_the_previous_pictures_answer(open_page, models_url, tmp_path):
    photo, not_an_image = tmp_path / "punch.png", tmp_path / "notes.png"
    render_pose("punch", np.random.default_rng(3)).save(photo)
    not_an_image.write_text("not an image")
    page = open_page(f"{models_url}/try.html")
    page.wait_for_function("document.getElementById('try-status').textContent.startsWith('Models loaded')")
    widget = "#punch-kick-widget"
    page.set_input_files(f"{widget} input[type=file]", str(photo))
    page.wait_for_selector(f"{widget} .result .bars li")
    assert page.locator(f"{widget} .views").is_visible()

    page.set_input_files(f"{widget} input[type=file]", str(not_an_image))
    page.wait_for_selector(f"{widget} .message.error")
    assert (
        page.locator(f"{widget} .message.error").inner_text()
        == "notes.png is not an image this browser can read."
    )
    assert page.locator(f"{widget} .result").inner_html() == ""  # no answer left standing under the error
    assert page.locator(f"{widget} .views").is_hidden()  # nor the picture it was about

    page.set_input_files(f"{widget} input[type=file]", str(photo))  # a good one again: the error goes
    page.wait_for_selector(f"{widget} .result .bars li")
    assert (
        page.locator(f"{widget} .message").inner_text() == ""
        and page.locator(f"{widget} .views").is_visible()
    )
    assert page.errors == []
