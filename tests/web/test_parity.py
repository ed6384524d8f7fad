"""Parity: the converted TensorFlow.js models, run in Chromium, compute what Keras computes.

Float32 weights must give the same probabilities (within 1e-3); the default quantization (auto:
uint8 where a model's kernels allow it, else float16) must decide the same class on at least 99% of
held-out frames. The sequence head is compared through the page's own path: MobileNet's output for
each frame -> its frame vector (the pose recipe's pooling) -> the ring buffer of the last T -> the
head, against Keras's AveragePooling2D + Flatten and the Keras head on the same windows.
"""

import base64
import shutil

import keras
import numpy as np
import pytest

from tfjs_kombat import features, heads, predict, recipes
from tfjs_kombat.config import CLIP_CLASS_NAMES, SEQUENCE_LENGTH
from tfjs_kombat.frames import grayscale, to_frame
from tfjs_kombat.synth import scene
from tfjs_kombat.synth.pose import POSES

# A bare page with TensorFlow.js: the play page would also start the camera loop.
BARE_PAGE = '<script src="vendor/tf.min.js"></script><script src="vendor/tf-backend-wasm.min.js"></script>'

# Frames go to the page as one base64 string of their bytes (encoded() below): Playwright passes a
# list a number at a time, and 150 frames as numbers took 75 s and 15 s of CPU here, as bytes 1 s.
RUN_IN_PAGE = """async ([base, encoded, count]) => {
    const classifier = await import('/js/classifier.js');
    await classifier.chooseBackend('wasm');
    const models = await classifier.loadClassifier(base);
    const bytes = Uint8Array.from(atob(encoded), (ch) => ch.charCodeAt(0));
    const size = bytes.length / count;
    const results = [];
    for (let i = 0; i < count; i++) {
      results.push(await classifier.classifyPixels(models, bytes.subarray(i * size, (i + 1) * size)));
    }
    return {backend: tf.getBackend(), results};
}"""


def encoded(values):
    """An array's bytes as base64 text, for the page to read back with atob."""
    return base64.b64encode(np.ascontiguousarray(values).tobytes()).decode()


@pytest.fixture(scope="module")
def held_out_frames(pipeline):
    """The pipeline's held-out frames and fresh renders of people never trained on: 150 frames."""
    root, _ = pipeline
    frames = [features.load_frame(p) for p in sorted((root / "frames" / "test").glob("*/*.png"))]
    rng = np.random.default_rng(2024)
    while len(frames) < 150:
        for pose in POSES:
            frames.append(grayscale(np.asarray(to_frame(scene.render_pose(pose, rng)))))
    return np.stack(frames[:150])


@pytest.fixture(scope="module")
def keras_outputs(pipeline, held_out_frames):
    root, _ = pipeline
    loaded, made_by = heads.load_heads(root / "models", ["punch_kick"])
    extractor = features.build_feature_extractor(made_by["alpha"], recipes.named(made_by["recipe"]))
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
    outcome = page.evaluate(RUN_IN_PAGE, [base, encoded(frames.astype(np.uint8)), len(frames)])
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


# ---------------------------------------------------------------------------------------------
# The sequence head

T = SEQUENCE_LENGTH
SEQUENCES = 20
# The game's move for each of the sequence head's classes (classifier.js's SEQUENCE_MOVES).
GAME_MOVES = {
    "punch": "punch",
    "kick": "kick",
    "other": "stand",
    "roundhouse": "roundhouse",
    "back_kick": "kick",
}

# Feed MobileNet outputs (float32, base64) one frame at a time through the page's classifier; then
# forget them and feed the first T again.
RUN_STREAM = """async ([base, encoded, count]) => {
    const c = await import('/js/classifier.js');
    await c.chooseBackend('wasm');
    const models = await c.loadClassifier(base, { extras: false });
    const bytes = Uint8Array.from(atob(encoded), (ch) => ch.charCodeAt(0));
    const values = new Float32Array(bytes.buffer);
    const size = values.length / count;
    const frame = (i) => values.subarray(i * size, (i + 1) * size);
    const keep = (r) => ({
      sequence: r.sequence, frames: r.sequenceFrames, decision: r.decision, vector: r.vector,
    });
    const results = [];
    const tensors = [];
    for (let i = 0; i < count; i++) {
      results.push(keep(await c.classifyFeatures(models, frame(i), { withFeatures: true })));
      tensors.push(tf.memory().numTensors);
    }
    c.resetSequence(models);
    const again = [];
    for (let i = 0; i < ${T}; i++) again.push(keep(await c.classifyFeatures(models, frame(i))));
    return { backend: tf.getBackend(), results, tensors, again, config: models.config.sequence };
}""".replace("${T}", str(T))

DECIDE_SEQUENCE = """async (probs) => {
    const c = await import('/js/classifier.js');
    return probs.map((p) => c.decideSequence(p));
}"""

RUN_FRAMES = """async ([base, encoded, count]) => {
    const c = await import('/js/classifier.js');
    await c.chooseBackend('wasm');
    const models = await c.loadClassifier(base, { extras: false });
    const bytes = Uint8Array.from(atob(encoded), (ch) => ch.charCodeAt(0));
    const size = bytes.length / count;
    const results = [];
    for (let i = 0; i < count; i++) {
      results.push(await c.classifyPixels(models, bytes.subarray(i * size, (i + 1) * size)));
    }
    return results.map((r) => ({ sequence: r.sequence, decision: r.decision, punchKick: r.punchKick }));
}"""


@pytest.fixture(scope="module")
def sequence_models(copy_web, sequence_kit, tmp_path_factory):
    """A web root with models-pose/: the default recipe's MobileNet 0.75 (float32) and a quickly
    fitted sequence head (float32), listed in config.json as convert lists them. (The article
    recipe's steps are MobileNet's vector as it is: the pose recipe's pooling is the harder path.)"""
    root = copy_web(tmp_path_factory.mktemp("sequence-parity") / "web")
    (root / "parity.html").write_text(BARE_PAGE)
    made = {
        recipe: sequence_kit.models(root / f"models-{recipe}", recipe, sequence_kit.fitted_head)
        for recipe in ("pose",)
    }
    return root, made


@pytest.fixture(scope="module")
def sequence_page(browser, sequence_models, serve_web):
    root, _ = sequence_models
    with serve_web(root) as url:
        page = browser.new_page()
        page.goto(f"{url}/parity.html")
        yield page
        page.close()


def keras_frame_vectors(outputs, pool):
    """What Keras makes of MobileNet's outputs as sequence steps: AveragePooling2D + Flatten."""
    if pool is None:
        return outputs
    pooling = keras.Sequential(
        [keras.layers.AveragePooling2D(pool, strides=pool, padding="valid"), keras.layers.Flatten()]
    )
    return keras.ops.convert_to_numpy(pooling(outputs))


def windows(vectors):
    """Every run of T consecutive steps: [len - T + 1, T, D]."""
    return np.stack([vectors[i : i + T] for i in range(len(vectors) - T + 1)])


def game_moves(probs):
    return [GAME_MOVES[CLIP_CLASS_NAMES[index]] for index in heads.decide_sequence(np.asarray(probs))]


def test_sequence_head_matches_keras_through_the_ring_buffer(sequence_page, sequence_models, recipe="pose"):
    """20 sequences, the windows of a stream of T + 19 random MobileNet outputs, each as the page
    sees it: frame vector (pose: its map pooled), the ring buffer, the head."""
    _, made = sequence_models
    extractor, head, pool = made[recipe]
    rng = np.random.default_rng(11)
    count = T + SEQUENCES - 1
    shape = extractor.output_shape[1:]
    if pool:  # a map whose cells differ as much as the fitted head's training vectors, plus detail
        coarse = rng.gamma(1.0, 0.5, size=(count, shape[0] // pool[0], shape[1] // pool[1], shape[2]))
        cells = np.repeat(np.repeat(coarse, pool[0], axis=1), pool[1], axis=2)
        stream = (cells + rng.gamma(1.0, 0.05, size=(count, *shape))).astype("float32")
    else:
        stream = rng.gamma(1.0, 0.5, size=(count, *shape)).astype("float32")
    vectors = keras_frame_vectors(stream, pool)
    expected = head.predict(windows(vectors), verbose=0)
    assert expected.shape == (SEQUENCES, len(CLIP_CLASS_NAMES))

    outcome = sequence_page.evaluate(RUN_STREAM, [f"models-{recipe}/", encoded(stream), count])
    assert outcome["backend"] == "wasm"
    assert outcome["config"]["pool"] == (list(pool) if pool else None)
    results = outcome["results"]

    # The page's frame vectors are Keras's pooling of the same maps.
    page_vectors = np.array([r["vector"] for r in results])
    assert page_vectors.shape == vectors.shape
    np.testing.assert_allclose(page_vectors, vectors, rtol=1e-5, atol=1e-5)
    # Until T frames are in, the head does not run and the page stands.
    assert [r["frames"] for r in results] == [*range(1, T), *[T] * SEQUENCES]
    assert all(r["sequence"] is None and r["decision"] == "stand" for r in results[: T - 1])
    # From then on, each frame's window gives Keras's probabilities and the same move.
    page_probs = np.array([r["sequence"] for r in results[T - 1 :]])
    np.testing.assert_allclose(page_probs, expected, atol=1e-3)
    assert expected.std() > 0.1, "the fitted head's outputs are varied, not near-uniform"
    assert [r["decision"] for r in results[T - 1 :]] == game_moves(expected)
    # The buffer holds T tensors: no growth once it is full.
    assert len(set(outcome["tensors"][T - 1 :])) == 1, outcome["tensors"]
    # Forgotten frames are forgotten: T new ones give the first window again.
    again = outcome["again"]
    assert all(r["sequence"] is None for r in again[:-1])
    np.testing.assert_allclose(again[-1]["sequence"], expected[0], atol=1e-3)


def test_sequence_head_on_rendered_frames_matches_keras(sequence_page, sequence_models):
    """The whole per-frame path of the play page, pose recipe: grey frame -> MobileNet (float32) ->
    pooled frame vector -> ring buffer -> head, against Keras on the same frames."""
    _, made = sequence_models
    extractor, head, pool = made["pose"]
    rng = np.random.default_rng(12)
    poses = [POSES[i % len(POSES)] for i in range(T + 3)]
    frames = np.stack([grayscale(np.asarray(to_frame(scene.render_pose(pose, rng)))) for pose in poses])
    maps = extractor.predict(frames.astype("float32"), verbose=0)
    expected = head.predict(windows(keras_frame_vectors(maps, pool)), verbose=0)
    results = sequence_page.evaluate(RUN_FRAMES, ["models-pose/", encoded(frames), len(frames)])
    assert all(r["punchKick"] is None for r in results), "with a sequence head, play runs no frame head"
    page_probs = np.array([r["sequence"] for r in results[T - 1 :]])
    np.testing.assert_allclose(page_probs, expected, atol=1e-3)


def test_sequence_decisions_match_python(sequence_page):
    rng = np.random.default_rng(13)
    probs = rng.dirichlet([0.6] * len(CLIP_CLASS_NAMES), size=400).tolist() + [
        [0.1, 0.1, 0.4, 0.3, 0.1],  # other at its threshold: stand
        [0.1, 0.1, 0.39, 0.36, 0.05],  # a roundhouse just over its threshold
        [0.2, 0.2, 0.2, 0.2, 0.2],  # no move reaches 0.35
        [0.05, 0.05, 0.1, 0.4, 0.4],  # a tie: the first, as numpy's argmax
        [0.0, 0.0, 0.1, 0.0, 0.9],  # a back kick is the game's kick
    ]
    page = sequence_page.evaluate(DECIDE_SEQUENCE, probs)
    assert page == game_moves(probs)
    assert set(page) == {"punch", "kick", "roundhouse", "stand"}
