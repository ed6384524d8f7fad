"""The MobileNet feature extractor: preprocessing inside the model, real weights, cache."""

import argparse

import numpy as np
import pytest
import tensorflow as tf
from conftest import HOSTILE_NAME, TEST_ALPHA, assert_escaped, requires_weights
from PIL import Image

from tfjs_kombat import cli, features, mobilenet
from tfjs_kombat.errors import UserError

pytestmark = requires_weights


@pytest.fixture(scope="module")
def extractor():
    return features.build_feature_extractor(TEST_ALPHA)


def random_frames(count, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (count, 56, 100, 3), dtype=np.uint8)


def test_extractor_takes_raw_frames_and_gives_pooled_features(extractor):
    assert extractor.input_shape == (None, 56, 100, 3)
    assert extractor.output_shape == (None, 768)  # 1024 * 0.75


def test_pose_extractor_is_mobilenet_to_block_11_at_the_frames_aspect_ratio():
    """The pose recipe: the frame resized to 160x288 (not squashed square), MobileNet's block-11 map."""
    pose = features.build_feature_extractor(TEST_ALPHA, "pose")
    assert pose.output_shape == (None, 10, 18, 384)
    frames = random_frames(2)
    mobilenet = features.load_mobilenet(TEST_ALPHA, pooling=None, size=(160, 288))
    block_11 = tf.keras.Model(mobilenet.input, mobilenet.get_layer("conv_pw_11_relu").output)
    by_hand = block_11(tf.image.resize(frames.astype("float32") / 127.5 - 1, (160, 288), "bilinear"))
    np.testing.assert_allclose(pose.predict_on_batch(frames.astype("float32")), by_hand, rtol=1e-4, atol=1e-4)


def test_preprocessing_is_the_articles(extractor):
    """Same as scaling to [-1, 1], resizing bilinearly to 224 and running bare MobileNet."""
    frames = random_frames(3)
    mobilenet = features.load_mobilenet(TEST_ALPHA)
    by_hand = mobilenet(tf.image.resize(frames.astype("float32") / 127.5 - 1, (224, 224), "bilinear"))
    np.testing.assert_allclose(
        extractor.predict_on_batch(frames.astype("float32")), by_hand, rtol=1e-4, atol=1e-5
    )


def test_real_weights_give_real_features(extractor):
    x = extractor.predict_on_batch(random_frames(2).astype("float32"))
    assert x.mean() > 0.01  # random weights would give ~1e-21
    assert not np.allclose(x[0], x[1])


def write_frames(folder, count, seed):
    folder.mkdir(parents=True, exist_ok=True)
    for i, frame in enumerate(random_frames(count, seed)):
        Image.fromarray(frame).save(folder / f"{i:03d}.png")
    return sorted(folder.glob("*.png"))


def test_cache_computes_each_content_once(tmp_path, extractor, monkeypatch):
    paths = write_frames(tmp_path / "a", 4, seed=1)
    cache = features.FeatureCache(tmp_path / "cache", TEST_ALPHA)
    first = features.cached_features(paths, features.load_frame, extractor, cache, kind="frame")

    computed = []
    real = features.compute_features
    monkeypatch.setattr(
        features, "compute_features", lambda e, f, **k: computed.append(len(f)) or real(e, f, **k)
    )
    more = paths + write_frames(tmp_path / "b", 2, seed=2)
    again = features.cached_features(
        more,
        features.load_frame,
        extractor,
        features.FeatureCache(tmp_path / "cache", TEST_ALPHA),
        kind="frame",
    )
    assert computed == [2]  # only the two new frames, and the cache was read back from disk
    np.testing.assert_allclose(again[:4], first, rtol=1e-5)


def test_split_features_stage_records_the_width_auto_resolved_to(tmp_path, monkeypatch):
    for split, count in (("train", 3), ("test", 2)):
        write_frames(tmp_path / "frames" / split / "punches", count, seed=count)
        write_frames(tmp_path / "frames" / split / "others", count, seed=count + 10)

    def offline(url, target):  # the article's 1.0 is not in the test cache and cannot come
        raise OSError("offline")

    monkeypatch.setattr(mobilenet, "download", offline)
    written = features.extract_split_features(
        tmp_path / "frames", tmp_path / "features", "auto", tmp_path / "cache"
    )
    assert written == {"train": 6, "test": 4}
    x, y, made_by = features.load_split(tmp_path / "features", "train")
    assert x.shape == (6, 10, 18, 384) and x.dtype == np.float16  # the default recipe, pose
    assert y.tolist() == [0, 0, 0, 2, 2, 2] and made_by == {"alpha": TEST_ALPHA, "recipe": "pose"}
    assert [path.name for path in (tmp_path / "cache").iterdir()] == [
        "mobilenet-7_5-160x288-conv_pw_11_relu.npz"
    ]

    features.extract_split_features(
        tmp_path / "frames", tmp_path / "article", "auto", tmp_path / "cache", "article"
    )
    x, _, made_by = features.load_split(tmp_path / "article", "train")
    assert x.shape == (6, 768) and made_by == {"alpha": TEST_ALPHA, "recipe": "article"}
    assert "mobilenet-7_5-224.npz" in [path.name for path in (tmp_path / "cache").iterdir()]


def test_alpha_option_defaults_to_auto():
    parser = argparse.ArgumentParser()
    features.add_arguments(parser)
    assert parser.parse_args([]).alpha == "auto"
    assert parser.parse_args(["--alpha", "0.75"]).alpha == 0.75


def test_wrong_frame_size_is_a_clear_error(tmp_path):
    Image.new("RGB", (64, 64)).save(tmp_path / "big.png")
    with pytest.raises(UserError, match="not a 100x56 frame"):
        features.load_frame(tmp_path / "big.png")


def test_alpha_from_feature_size():
    assert features.alpha_for_feature_size(768) == 0.75
    assert features.alpha_for_feature_size(1024) == 1.0
    with pytest.raises(UserError):
        features.alpha_for_feature_size(100)


def test_names_are_printed_escaped(tmp_path, capsys):
    frames_dir = tmp_path / f"frames{HOSTILE_NAME}"
    frames_dir.mkdir()
    assert cli.main(["features", str(frames_dir)]) == 2  # no train/ in <frames_dir>
    assert_escaped(capsys.readouterr().err)
    Image.new("RGB", (64, 64)).save(frames_dir / f"{HOSTILE_NAME}.png")
    with pytest.raises(UserError) as error:
        features.load_frame(frames_dir / f"{HOSTILE_NAME}.png")
    assert_escaped(str(error.value))
