"""Parity: the page's body-pose tracker (web/js/bodypose.js on the graph models `make web` converts)
follows a rendered person as Python's (tfjs_kombat/bodypose/) does, on the same frames, on WASM:
the same frames with nobody, the detector run on the same frames, and every joint within 1% of the
frame's width and height of Python's. Over 200 ticks the page holds no more tensors than after one.
"""

import os

import numpy as np
import pytest

from tfjs_kombat.bodypose import modelfiles
from tfjs_kombat.bodypose.tracker import Tracker
from tfjs_kombat.synth import scene

SIZE = (640, 480)
TICKS = 200
BARE_PAGE = '<script src="vendor/tf.min.js"></script><script src="vendor/tf-backend-wasm.min.js"></script>'

# Track the frames of frames.bin (RGB, one after another) with one tracker, then go on around them
# until `ticks` frames have been tracked; the tensors held after each.
RUN_TRACKER = """async ([count, width, height, ticks]) => {
    const classifier = await import('/js/classifier.js');
    const pose = await import('/js/bodypose.js');
    await classifier.chooseBackend('wasm');
    const models = await pose.loadBodyPose();
    const bytes = new Uint8Array(await (await fetch('frames.bin')).arrayBuffer());
    const size = width * height * 3;
    const tracker = pose.createTracker(models);
    const results = [];
    const tensors = [];
    const detectorRuns = [];
    for (let tick = 0; tick < ticks; tick++) {
      const i = tick % count;
      const frame = tf.tensor3d(bytes.subarray(i * size, (i + 1) * size), [height, width, 3], 'int32');
      const found = await pose.track(tracker, frame);
      frame.dispose();
      if (tick < count) results.push(found);
      tensors.push(tf.memory().numTensors);
      detectorRuns.push(tracker.detectorRuns);
    }
    return { backend: tf.getBackend(), results, tensors, detectorRuns };
}"""


@pytest.fixture(scope="module")
def frames():
    """A person punching, the empty room after they stepped out, another person kicking: 17 frames."""
    rng = np.random.default_rng(21)
    take = scene.render_moving("punch", rng, size=SIZE, length=8)
    room = scene.random_room(rng)
    empty = [scene.render_empty(room, rng, SIZE) for _ in range(3)]
    another = scene.render_moving("kick", rng, size=SIZE, length=6)
    return [np.asarray(frame) for frame in (*take, *empty, *another)]


@pytest.fixture(scope="module")
def page(browser, copy_web, serve_web, frames, tmp_path_factory):
    if not (modelfiles.WEB_MODELS / modelfiles.DETECTOR / "model.json").is_file():
        message = f"needs BlazePose's graph models in {modelfiles.WEB_MODELS} (run `make web`)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    root = copy_web(tmp_path_factory.mktemp("bodypose") / "web")
    (root / "parity.html").write_text(BARE_PAGE)
    (root / "frames.bin").write_bytes(b"".join(frame.tobytes() for frame in frames))
    with serve_web(root) as url:
        page = browser.new_page()
        page.goto(f"{url}/parity.html")
        yield page
        page.close()


@pytest.fixture(scope="module")
def tracked(page, frames):
    """(Python's landmarks and detector runs per frame, the page's run)."""
    from tfjs_kombat.bodypose import networks

    tracker = Tracker(networks.load("lite"))
    python = []
    for frame in frames:
        python.append((tracker.track(frame), tracker.detector_runs))
    outcome = page.evaluate(RUN_TRACKER, [len(frames), *SIZE, TICKS])
    assert outcome["backend"] == "wasm"
    return python, outcome


def test_the_page_tracks_as_python_does(tracked):
    python, outcome = tracked
    found = [landmarks is not None for landmarks, _ in python]
    assert found == [True] * 8 + [False] * 3 + [True] * 6  # the people found, the empty room not
    assert [result is not None for result in outcome["results"]] == found
    assert outcome["detectorRuns"][: len(python)] == [runs for _, runs in python]
    for (landmarks, _), result in zip(python, outcome["results"], strict=True):
        if landmarks is None:
            continue
        page_landmarks = np.array(result)
        assert page_landmarks.shape == landmarks.shape
        # x and y are fractions of the frame's width and height: 1% of the frame size.
        assert np.abs(page_landmarks[:, :2] - landmarks[:, :2]).max() < 0.01
        assert np.abs(page_landmarks[:, 3] - landmarks[:, 3]).max() < 0.05  # visibility


def test_the_page_holds_no_more_tensors_over_200_ticks(tracked):
    _, outcome = tracked
    tensors = outcome["tensors"]
    assert len(tensors) == TICKS and len(set(tensors)) == 1, tensors
    assert outcome["detectorRuns"][-1] > outcome["detectorRuns"][16]  # the detector ran again, around
