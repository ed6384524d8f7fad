"""The MobileNet feature extractor: preprocessing inside the model, real weights, cache."""

import argparse
import json
import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf
from conftest import HOSTILE_NAME, TEST_ALPHA, assert_escaped, requires_weights
from PIL import Image

from tfjs_kombat import cli, features, mobilenet, recipes
from tfjs_kombat.errors import UserError
from tfjs_kombat.recipes import ARTICLE, POSE

pytestmark = requires_weights


@pytest.fixture(scope="module")
def extractor():
    return features.build_feature_extractor(TEST_ALPHA, ARTICLE)


def random_frames(count, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (count, 56, 100, 3), dtype=np.uint8)


def test_extractor_takes_raw_frames_and_gives_pooled_features(extractor):
    assert extractor.input_shape == (None, 56, 100, 3)
    assert extractor.output_shape == (None, 768)  # 1024 * 0.75


def test_pose_extractor_is_mobilenet_to_block_11_at_the_frames_aspect_ratio():
    """The pose recipe: the frame resized to 160x288 (not squashed square), MobileNet's block-11 map."""
    pose = features.build_feature_extractor(TEST_ALPHA, POSE)
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
    cache = features.FeatureCache(tmp_path / "cache", TEST_ALPHA, ARTICLE)
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
        features.FeatureCache(tmp_path / "cache", TEST_ALPHA, ARTICLE),
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
        tmp_path / "frames", tmp_path / "features", recipes.POSE, "auto", tmp_path / "cache"
    )
    assert written == {"train": 6, "test": 4}
    x, y, made_by = features.load_split(tmp_path / "features", "train")
    assert x.shape == (6, 10, 18, 384) and x.dtype == np.float16  # the pose recipe
    assert y.tolist() == [0, 0, 0, 2, 2, 2] and made_by == {"alpha": TEST_ALPHA, "recipe": "pose"}
    assert [path.name for path in (tmp_path / "cache").iterdir()] == [
        "mobilenet-7_5-160x288-conv_pw_11_relu.npz"
    ]

    features.extract_split_features(
        tmp_path / "frames", tmp_path / "article", ARTICLE, "auto", tmp_path / "cache"
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


def test_a_frame_of_the_wrong_size_is_refused_before_it_is_decoded(tmp_path, monkeypatch):
    from PIL import ImageFile

    Image.new("RGB", (7000, 7000)).save(tmp_path / "huge.png")  # 1 GB of memory once decoded

    def decode(image):
        raise AssertionError("decoded a picture whose header already ruled it out")

    monkeypatch.setattr(ImageFile.ImageFile, "load", decode)
    with pytest.raises(UserError, match="7000x7000, not a 100x56 frame"):
        features.load_frame(tmp_path / "huge.png")


def test_names_are_printed_escaped(tmp_path, capsys):
    frames_dir = tmp_path / f"frames{HOSTILE_NAME}"
    frames_dir.mkdir()
    assert cli.main(["features", str(frames_dir), "--recipe", "pose"]) == 2  # no train/ in <frames_dir>
    assert_escaped(capsys.readouterr().err)
    Image.new("RGB", (64, 64)).save(frames_dir / f"{HOSTILE_NAME}.png")
    with pytest.raises(UserError) as error:
        features.load_frame(frames_dir / f"{HOSTILE_NAME}.png")
    assert_escaped(str(error.value))


# --- clips: per-frame vectors, windows, clips_{train,test}.npz ------------------------------------


def test_clip_windows_step_by_half_and_pad_at_the_front():
    assert features.clip_windows(12, 12).tolist() == [list(range(12))]
    assert features.clip_windows(5, 12).tolist() == [[0] * 8 + [1, 2, 3, 4]]  # the first frame repeated
    assert features.clip_windows(1, 4).tolist() == [[0, 0, 0, 0]]
    assert features.clip_windows(20, 12).tolist() == [list(range(2, 14)), list(range(8, 20))]
    assert features.clip_windows(30, 12)[:, -1].tolist() == [11, 17, 23, 29]  # the last ends at the last
    assert features.clip_windows(7, 4).tolist() == [[1, 2, 3, 4], [3, 4, 5, 6]]
    assert features.clip_windows(8, 4).tolist() == [[0, 1, 2, 3], [2, 3, 4, 5], [4, 5, 6, 7]]
    with pytest.raises(ValueError):
        features.clip_windows(0)


@pytest.fixture(scope="module")
def pose_sequence():
    return features.build_sequence_extractor(TEST_ALPHA, POSE)


def test_pose_sequence_vectors_average_the_block_11_map_over_5x6_cells(pose_sequence):
    frames = random_frames(2, seed=4).astype("float32")
    assert pose_sequence.output_shape == (None, 2 * 3 * 384)  # a 2x3 grid of the 10x18 map
    assert not any(isinstance(layer, keras.Model) for layer in pose_sequence.layers)  # one model
    block_11 = features.build_feature_extractor(TEST_ALPHA, POSE).predict_on_batch(frames)
    expected = block_11.reshape(2, 2, 5, 3, 6, 384).mean(axis=(2, 4)).reshape(2, -1)
    np.testing.assert_allclose(pose_sequence.predict_on_batch(frames), expected, rtol=1e-4, atol=1e-5)


def test_article_sequence_vectors_are_its_frame_features(extractor):
    frames = random_frames(2, seed=5).astype("float32")
    article = features.build_sequence_extractor(TEST_ALPHA, ARTICLE)
    assert article.output_shape == (None, 768)
    np.testing.assert_allclose(
        article.predict_on_batch(frames), extractor.predict_on_batch(frames), rtol=1e-5
    )


CLIPS = {  # clip folder -> frames, as the augment stage writes them
    "clips/train/roundhouses/00000_00": 5,
    "clips/train/back_kicks/00001_00": 18,
    "clips/test/roundhouses/00000": 12,
}


def write_clip_frames(frames_dir, images=True):
    for index, (folder, count) in enumerate(CLIPS.items()):
        write_frames(frames_dir / folder, count, seed=100 + index)
    index = {"clips": {"files": [{"path": folder, "source": f"source{i}"} for i, folder in enumerate(CLIPS)]}}
    (frames_dir / "index.json").write_text(json.dumps(index))
    if images:
        for split in ("train", "test"):
            write_frames(frames_dir / split / "kicks", 2, seed=7)
    return frames_dir


def test_clip_features_are_windows_of_cached_frame_vectors(tmp_path, pose_sequence, monkeypatch):
    frames_dir = write_clip_frames(tmp_path / "frames")
    written = features.extract_split_features(
        frames_dir, tmp_path / "out", POSE, TEST_ALPHA, tmp_path / "cache"
    )
    assert written == {"train": 2, "test": 2, "clips_train": 1 + 2, "clips_test": 1}
    with np.load(tmp_path / "out" / "clips_train.npz") as stored:
        keys = ["x", "y", "clip", "source", "folder", "end", "frames", "alpha", "recipe", "pool"]
        assert sorted(stored.files) == sorted(keys)
        x, arrays = stored["x"], {key: stored[key] for key in stored.files}
    assert x.shape == (3, 12, 2304) and x.dtype == np.float32
    assert arrays["y"].dtype == np.int64 and arrays["y"].tolist() == [3, 4, 4]  # roundhouse, back kick x2
    assert arrays["clip"].dtype == np.int64 and arrays["clip"].tolist() == [0, 1, 1]
    assert arrays["source"].tolist() == ["source0", "source1", "source1"]
    assert arrays["folder"].tolist() == [*list(CLIPS)[:1], *[list(CLIPS)[1]] * 2]
    assert arrays["end"].tolist() == [4, 11, 17]
    assert arrays["frames"].shape == (3, 12)
    assert arrays["frames"][0].tolist() == [f"{list(CLIPS)[0]}/{i:03d}.png" for i in [0] * 8 + [1, 2, 3, 4]]
    assert (float(arrays["alpha"]), str(arrays["recipe"]), arrays["pool"].tolist()) == (0.75, "pose", [5, 6])

    paths = sorted((frames_dir / list(CLIPS)[1]).glob("*.png"))  # every step is its frame's vector
    by_hand = pose_sequence.predict_on_batch(
        np.stack([features.load_frame(p) for p in paths]).astype("float32")
    )
    np.testing.assert_allclose(x[1:], np.stack([by_hand[0:12], by_hand[6:18]]), rtol=1e-2, atol=2e-3)
    assert all(np.array_equal(step, x[0][0]) for step in x[0][:8])  # the padding: the first frame

    x_test, y_test, clip, made_by = features.load_clips(tmp_path / "out", "test")
    assert x_test.shape == (1, 12, 2304) and y_test.tolist() == [3] and clip.tolist() == [0]
    assert made_by == {"alpha": 0.75, "recipe": "pose", "pool": [5, 6]}
    cached = sorted(path.name for path in (tmp_path / "cache").iterdir())
    assert cached == [
        "mobilenet-7_5-160x288-conv_pw_11_relu-sequence-pool5x6.npz",  # pooled vectors, a file of their own
        "mobilenet-7_5-160x288-conv_pw_11_relu.npz",
    ]

    computed = []
    real = features.compute_features
    monkeypatch.setattr(
        features, "compute_features", lambda e, f, **k: computed.append(len(f)) or real(e, f, **k)
    )
    features.extract_split_features(frames_dir, tmp_path / "again", POSE, TEST_ALPHA, tmp_path / "cache")
    assert computed == []  # every frame's vector came from the cache
    with np.load(tmp_path / "again" / "clips_train.npz") as again:
        np.testing.assert_array_equal(again["x"], x)


def test_a_frames_folder_of_clips_only_gives_clip_features_only(tmp_path, capsys):
    frames_dir = write_clip_frames(tmp_path / "frames", images=False)
    (frames_dir / "index.json").unlink()  # frames from elsewhere: the folder names tell the clips
    variation = frames_dir / "clips/train/roundhouses/00000_01"
    shutil.copytree(frames_dir / list(CLIPS)[0], variation)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "train.npz").write_bytes(b"an earlier run's")
    written = features.extract_split_features(
        frames_dir, tmp_path / "out", ARTICLE, TEST_ALPHA, tmp_path / "cache"
    )
    assert written == {"clips_train": 4, "clips_test": 1}
    assert sorted(path.name for path in (tmp_path / "out").iterdir()) == ["clips_test.npz", "clips_train.npz"]
    x, y, clip, made_by = features.load_clips(tmp_path / "out", "train")
    assert x.shape == (4, 12, 768) and x.dtype == np.float32 and y.tolist() == [3, 3, 4, 4]
    assert clip.tolist() == [0, 0, 1, 1]  # both variations of the roundhouse: one source clip
    assert made_by == {"alpha": 0.75, "recipe": "article", "pool": None}
    with np.load(tmp_path / "out" / "clips_train.npz") as stored:
        assert stored["source"][0] == "clips/train/roundhouses/00000"
    assert [path.name for path in (tmp_path / "cache").iterdir()] == ["mobilenet-7_5-224-sequence.npz"]
    capsys.readouterr()
    assert cli.main(["features", str(frames_dir), "--out", str(tmp_path / "cli"), "--alpha", "0.75",
                     "--cache", str(tmp_path / "cache"), "--recipe", "article"]) == 0  # fmt: skip
    assert "wrote 4 train and 1 test windows of 12 frames" in capsys.readouterr().out
    with pytest.raises(UserError, match="clips_test.npz not found"):
        features.load_clips(tmp_path / "nowhere", "test")
