"""The keypoint heads: one answer for a body and its mirror image, saved and converted whole."""

import keras
import numpy as np

from tests.graph_model import run_graph_model, run_in_tfjs
from tfjs_kombat import body, heads
from tfjs_kombat.config import CLASS_NAMES, CLIP_CLASS_NAMES, SEQUENCE_LENGTH
from tfjs_kombat.convert import export_graph_model


def random_bodies(rng, *shape):
    keypoints = rng.uniform(0, 1, (*shape, body.LANDMARKS, body.VALUES)).astype("float32")
    keypoints[..., 3] = rng.uniform(0.3, 1, keypoints.shape[:-1])
    return keypoints


def mirrored(keypoints):
    return keras.ops.convert_to_numpy(body.Mirrored()(keypoints))


def test_the_frame_head_answers_the_same_for_either_hand(tmp_path):
    rng = np.random.default_rng(0)
    model = heads.build_keypoint_frame_head()
    keypoints = random_bodies(rng, 16)
    labels = heads.one_hot(rng.integers(0, len(CLASS_NAMES), 16), len(CLASS_NAMES))
    model.fit(keypoints, labels, epochs=2, verbose=0)  # weights that are no longer symmetric by chance
    outputs = model.predict(keypoints, verbose=0)
    assert outputs.shape == (16, len(CLASS_NAMES))
    np.testing.assert_allclose(model.predict(mirrored(keypoints), verbose=0), outputs, atol=1e-5)
    model.save(tmp_path / "punch_kick.keras")
    loaded = keras.saving.load_model(tmp_path / "punch_kick.keras")
    np.testing.assert_allclose(loaded.predict(keypoints, verbose=0), outputs, atol=1e-6)


def test_the_sequence_head_reads_a_window_and_converts_for_the_page(tmp_path):
    rng = np.random.default_rng(1)
    model = heads.build_keypoint_sequence_head(SEQUENCE_LENGTH)
    windows = random_bodies(rng, 8, SEQUENCE_LENGTH)
    labels = heads.one_hot(rng.integers(0, len(CLIP_CLASS_NAMES), 8), len(CLIP_CLASS_NAMES))
    model.fit(windows, labels, epochs=2, verbose=0)
    outputs = model.predict(windows, verbose=0)
    np.testing.assert_allclose(model.predict(mirrored(windows), verbose=0), outputs, atol=1e-5)
    # a window played backwards is another movement: the head reads order, not just the poses
    assert np.abs(model.predict(windows[:, ::-1], verbose=0) - outputs).max() > 1e-4

    export_graph_model(model, tmp_path / "sequence", quantization="float32")
    np.testing.assert_allclose(run_graph_model(tmp_path / "sequence", windows), outputs, atol=1e-5)
    np.testing.assert_allclose(run_in_tfjs(tmp_path / "sequence", windows[:2]), outputs[:2], atol=1e-4)
