"""Keypoint features: generated people held out by person, and a dataset's pictures and clips
through the pose model at full size, cached."""

import json

import numpy as np
import pytest
from PIL import Image

from tfjs_kombat import cli, dataset, features, keypoint_features, recipes
from tfjs_kombat.config import CLASS_DIRS, SEED, SEQUENCE_LENGTH
from tfjs_kombat.synth import scene
from tfjs_kombat.synth.keypoint_data import keypoint_frames
from tfjs_kombat.synth.person import random_person
from tfjs_kombat.synth.pose import POSES, random_angles

KEYPOINTS = recipes.KEYPOINTS


def test_generated_features_hold_out_other_people(tmp_path):
    counts = keypoint_features.generated(tmp_path, KEYPOINTS, frames_per_class=50, clips_per_class=10)
    assert counts == {"train": 120, "test": 30, "clips_train": 40, "clips_test": 10}
    x, y, made_by = features.load_split(tmp_path, "train")
    x_test, y_test, _ = features.load_split(tmp_path, "test")
    assert made_by == {"alpha": None, "recipe": "keypoints"}
    assert x.shape == (120, 33, 4) and x_test.shape == (30, 33, 4)
    assert np.bincount(y).tolist() == [40, 40, 40] and np.bincount(y_test).tolist() == [10, 10, 10]
    # The held-out people are drawn apart: no held-out body is a training body.
    someone = x_test.any(axis=(1, 2))
    distances = np.abs(x_test[someone][:, None] - x[None]).max(axis=(2, 3))
    assert distances.min() > 1e-3
    # In units of the frame's width: y as generated over the frame's aspect.
    drawn = keypoint_frames(10, SEED + keypoint_features.HELD_OUT_SEED)
    portrait = drawn.aspects < 1
    np.testing.assert_allclose(x_test[..., 1], drawn.keypoints[..., 1] / drawn.aspects[:, None], rtol=1e-6)
    assert portrait.any() and (x_test[portrait, :, 1].max() > 1.2)  # a phone's tall frame, in widths
    clips = features.load_clips(tmp_path, "train")
    assert clips.x.shape == (40, SEQUENCE_LENGTH, 33, 4) and clips.made_by["pool"] is None
    assert clips.made_by["alpha"] is None and clips.made_by["recipe"] == "keypoints"


def test_the_command_line_asks_for_the_right_source(tmp_path, capsys):
    out = str(tmp_path / "features")
    assert cli.main(["features", "--generated", "--out", out, "--recipe", "pose"]) == 2
    assert "--generated makes keypoints" in capsys.readouterr().err
    assert cli.main(["features", str(tmp_path), "--out", out, "--recipe", "keypoints"]) == 2
    assert "reads the dataset stage's split.json" in capsys.readouterr().err
    assert cli.main(["augment", str(tmp_path / "split.json"), "--recipe", "keypoints"]) == 2
    assert "is not augmented" in capsys.readouterr().err


def rendered_dataset(root, rng):
    """Two large rendered pictures a class (one portrait), a picture of nobody among the others,
    and two punch and two kick clips of four frames."""
    for pose, class_dir in zip(POSES, CLASS_DIRS, strict=True):
        (root / class_dir).mkdir(parents=True)
        for i, size in enumerate(((640, 480), (480, 640))):
            room = scene.random_room(rng)
            background = scene.room_background(room, size)
            angles = random_angles(pose, rng)
            image = scene.render_in_room(random_person(rng), room, angles, rng, size, background=background)
            image.save(root / class_dir / f"{i}.png")
    Image.new("RGB", (640, 480), (90, 120, 150)).save(root / "others" / "nobody.png")
    for class_dir, move in (("punches", "punch"), ("kicks", "kick")):
        for take in range(2):
            clip = root / class_dir / f"take{take}"
            clip.mkdir()
            for i, frame in enumerate(scene.render_moving(move, rng, size=(640, 480), length=4)):
                frame.save(clip / f"{i:03d}.png")


def test_a_datasets_pictures_and_clips_through_the_pose_model(pose_networks, tmp_path, monkeypatch):
    rendered_dataset(tmp_path / "data", np.random.default_rng(3))
    dataset.make_split(tmp_path / "data", tmp_path / "split.json", test_fraction=0.5, balance=False)
    args = ["features", str(tmp_path / "split.json"), "--recipe", "keypoints"]
    args += ["--out", str(tmp_path / "features"), "--cache", str(tmp_path / "cache")]
    assert cli.main(args) == 0
    split = json.loads((tmp_path / "split.json").read_text())
    found = {}  # every picture's keypoints, by its path in the dataset
    for name in ("train", "test"):
        with np.load(tmp_path / "features" / f"{name}.npz") as stored:
            found.update(zip(stored["paths"].tolist(), stored["x"], strict=True))
    assert sorted(found) == sorted(
        p for name in ("train", "test") for c in CLASS_DIRS for p in split[name][c]
    )
    assert not found.pop("others/nobody.png").any()  # nobody: every value zero
    for path, keypoints in found.items():
        assert keypoints.any(), path  # every rendered person is found, portrait ones too
        width, height = Image.open(tmp_path / "data" / path).size
        shoulders = keypoints[11:13, 1].mean()
        assert 0 < shoulders < height / width, path  # y in units of the width
    clips = [features.load_clips(tmp_path / "features", side) for side in ("train", "test")]
    assert [part.x.shape for part in clips] == [(2, SEQUENCE_LENGTH, 33, 4)] * 2  # 4 frames, padded
    assert all(part.x.any(axis=(2, 3)).all() for part in clips)  # the person tracked through each
    x_train = features.load_split(tmp_path / "features", "train")[0]

    # A second run reads every picture and clip from the cache: the pose model is not run.
    def no_pose_model(*args):
        raise AssertionError("the pose model ran again")

    monkeypatch.setattr("tfjs_kombat.bodypose.tracker.Tracker.track", no_pose_model)
    assert cli.main(args) == 0
    np.testing.assert_array_equal(features.load_split(tmp_path / "features", "train")[0], x_train)


@pytest.mark.parametrize("broken", [b"", b"not an image"])
def test_an_unreadable_picture_is_a_clear_error_in_predict(keypoint_models, tmp_path, capsys, broken):
    root, _ = keypoint_models
    (tmp_path / "bad.jpg").write_bytes(broken)
    assert cli.main(["predict", str(tmp_path / "bad.jpg"), "--models", str(root / "models")]) == 2
    assert "none of the given files is a readable image" in capsys.readouterr().err
