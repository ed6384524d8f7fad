"""Parity: the converted TensorFlow.js models, run in Chromium, compute what Keras computes.

Float32 weights must give the same probabilities (within 1e-3); the default quantization (auto:
uint8 where a model's kernels allow it, else float16) must decide the same class on at least 99% of
held-out frames.
"""

import shutil

import numpy as np
import pytest

from tfjs_kombat import features, figure, heads, predict, scene
from tfjs_kombat.frames import grayscale, to_frame

# A bare page with TensorFlow.js: the play page would also start the camera loop.
BARE_PAGE = '<script src="vendor/tf.min.js"></script><script src="vendor/tf-backend-wasm.min.js"></script>'

RUN_IN_PAGE = """async ([base, frames]) => {
    const classifier = await import('/js/classifier.js');
    await classifier.chooseBackend('wasm');
    const models = await classifier.loadClassifier(base);
    const results = [];
    for (const frame of frames) results.push(await classifier.classifyPixels(models, frame));
    return {backend: tf.getBackend(), results};
}"""


@pytest.fixture(scope="module")
def held_out_frames(pipeline):
    """The pipeline's held-out frames and fresh renders of people never trained on: 150 frames."""
    root, _ = pipeline
    frames = [features.load_frame(p) for p in sorted((root / "frames" / "test").glob("*/*.png"))]
    rng = np.random.default_rng(2024)
    while len(frames) < 150:
        for pose in figure.POSES:
            frames.append(grayscale(np.asarray(to_frame(scene.render_pose(pose, rng)))))
    return np.stack(frames[:150])


@pytest.fixture(scope="module")
def keras_outputs(pipeline, held_out_frames):
    root, _ = pipeline
    loaded, made_by = predict.load_heads(root / "models")
    extractor = features.build_feature_extractor(made_by["alpha"], made_by["recipe"])
    x = extractor.predict(held_out_frames.astype("float32"), verbose=0)
    return loaded["punch_kick"].predict(x, verbose=0)


@pytest.fixture(scope="module")
def page(browser, web_root_with_models, serve_web, converted):
    shutil.copytree(converted[0], web_root_with_models / "models-default")
    (web_root_with_models / "parity.html").write_text(BARE_PAGE)
    with serve_web(web_root_with_models) as url:
        page = browser.new_page()
        page.goto(f"{url}/parity.html")
        yield page
        page.close()


def run_in_browser(page, base, frames):
    flat = frames.reshape(len(frames), -1).tolist()
    outcome = page.evaluate(RUN_IN_PAGE, [base, flat])
    assert outcome["backend"] == "wasm"
    results = outcome["results"]
    return np.array([r["punchKick"] for r in results]), results


def test_float32_models_match_keras(page, held_out_frames, keras_outputs):
    frames = held_out_frames[:40]
    punch_kick, _ = run_in_browser(page, "models/", frames)
    np.testing.assert_allclose(punch_kick, keras_outputs[:40], atol=1e-3)
    assert punch_kick.std() > 0.05  # real, varied outputs, not all-equal


def test_default_quantization_decides_like_keras(page, held_out_frames, keras_outputs):
    punch_kick, results = run_in_browser(page, "models-default/", held_out_frames)
    keras_decisions = [predict.DECISION_NAMES[d] for d in heads.decide_punch_kick(keras_outputs)]
    browser_decisions = [r["decision"] for r in results]
    same = np.mean([a == b for a, b in zip(keras_decisions, browser_decisions, strict=True)])
    assert len(results) == 150 and same >= 0.99
    assert np.abs(punch_kick - keras_outputs).max() < 0.05  # quantized, yet close
