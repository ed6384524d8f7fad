"""Training the heads on real MobileNet 0.75 features of rendered fighters: they must learn."""

import json
import shutil

import keras
import numpy as np
import pytest
from clip_features import write_clip_features
from conftest import HOSTILE_NAME, assert_escaped

from tfjs_kombat import cli, features, files, heads, metrics, train
from tfjs_kombat.config import BACK_KICK, BINARY_CLASS_NAMES, CLASS_NAMES, CLIP_CLASS_NAMES, OTHER
from tfjs_kombat.errors import UserError


def test_heads_learn_on_held_out_frames(pipeline, article_pipeline):
    # Chance is 1/3 for punch/kick/other and 1/2 for punch/other: these need real learning.
    _, pose = pipeline
    assert set(pose) == {"punch_kick"}
    assert pose["punch_kick"]["test_accuracy"] >= 0.8
    assert pose["punch_kick"]["decision_accuracy"] >= 0.7  # 48 held-out frames: 0.79 measured
    _, article = article_pipeline
    assert article["punch_kick"]["test_accuracy"] >= 0.7
    assert article["punch"]["test_accuracy"] >= 0.75
    for reports in (pose, article):
        assert min(c["recall"] for c in reports["punch_kick"]["per_class"].values()) >= 0.5


def test_pose_head_fine_tunes_mobilenets_last_blocks(pipeline):
    root, _ = pipeline
    model = keras.models.load_model(root / "models" / "punch_kick.keras")
    assert model.input_shape == (None, 10, 18, 384)  # block 11's map of a 160x288 frame, alpha 0.75
    tuned = {layer.name for layer in model.layers if layer.trainable and layer.weights}
    assert {"conv_pw_12", "conv_pw_13", "conv_dw_13", "punch_kick_output"} <= tuned
    assert not [layer.name for layer in model.layers if "bn" in layer.name and layer.trainable]
    assert json.loads((root / "models" / "recipe.json").read_text()) == {"alpha": 0.75, "recipe": "pose"}


def test_a_recipe_replaces_the_other_recipes_heads(article_pipeline, tmp_path):
    root, _ = article_pipeline
    models = tmp_path / "models"
    shutil.copytree(root / "models", models)
    (models / "punch_kick.keras").unlink()
    x = np.zeros((6, 10, 18, 384), np.float16)
    for split in ("train", "test"):
        np.savez(tmp_path / f"{split}.npz", x=x, y=np.arange(6) % 3, alpha=0.75, recipe="pose")
    train.train_heads(tmp_path, models, epochs={"punch_kick": 1})
    assert sorted(p.name for p in models.glob("*.keras")) == ["punch_kick.keras"]
    assert not list(models.glob("punch_c*.png"))  # the article's punch head's plots went with it
    written = json.loads((models / "metrics.json").read_text())
    assert "punch_kick" in written and "punch" not in written


def test_reports_and_models_are_written(article_pipeline):
    root, reports = article_pipeline
    written = json.loads((root / "models" / "metrics.json").read_text())
    assert set(written) == {"punch", "punch_kick"}
    assert written["punch_kick"]["class_names"] == list(CLASS_NAMES)
    assert written["punch"]["class_names"] == list(BINARY_CLASS_NAMES)
    confusion = np.array(written["punch_kick"]["confusion_matrix"])
    assert confusion.shape == (3, 3) and confusion.sum() == written["punch_kick"]["samples"]["test"]
    assert confusion.sum(axis=1).tolist() == [
        written["punch_kick"]["per_class"][c]["support"] for c in CLASS_NAMES
    ]
    for name in ("punch", "punch_kick"):
        assert (root / "models" / f"{name}_curves.png").stat().st_size > 5000
        assert (root / "models" / f"{name}_confusion.png").stat().st_size > 5000
        model = keras.models.load_model(root / "models" / f"{name}.keras")
        assert model.input_shape == (None, 768)


def test_held_out_frames_were_never_trained_on(article_pipeline):
    root, _ = article_pipeline
    split = json.loads((root / "split.json").read_text())
    index = json.loads((root / "frames" / "index.json").read_text())
    test_sources = {p for paths in split["test"].values() for p in paths}
    train_sources = {record["source"] for record in index["files"] if record["split"] == "train"}
    assert test_sources and train_sources and not test_sources & train_sources


def test_one_class_of_features_is_refused(tmp_path):
    for split, count in (("train", 4), ("test", 2)):
        np.savez(tmp_path / f"{split}.npz", x=np.ones((count, 8)), y=np.zeros(count, int), alpha=0.75)
    with pytest.raises(UserError, match="does not say which recipe made it"):
        train.train_heads(tmp_path, tmp_path / "models")
    for split, count in (("train", 4), ("test", 2)):
        x, y = np.ones((count, 8)), np.zeros(count, int)
        np.savez(tmp_path / f"{split}.npz", x=x, y=y, alpha=0.75, recipe="pose")
    with pytest.raises(UserError, match="fewer than two classes"):
        train.train_heads(tmp_path, tmp_path / "models")


def test_cli_validates_settings(tmp_path, capsys):
    assert cli.main(["train", str(tmp_path), "--punch-epochs", "0"]) == 2
    assert cli.main(["train", str(tmp_path / "nothing")]) == 2
    assert "run `tfjs-kombat features` first" in capsys.readouterr().err


def test_names_are_printed_escaped(tmp_path, capsys):
    assert cli.main(["train", str(tmp_path / f"features{HOSTILE_NAME}")]) == 2
    assert_escaped(capsys.readouterr().err)  # <features>/train.npz not found


# ---------------------------------------------------------------------------------------------
# The sequence head, on synthetic clip features (tests/clip_features.py): the look-alike kicks
# pass through the same poses in another order, so only a model that reads time tells them apart.


def test_the_sequence_head_reads_order_the_frame_baseline_cannot(sequence_models):
    _, reports = sequence_models
    report = reports["sequence"]
    assert set(reports) == {"sequence"}  # clips only: no frame heads
    assert report["lookalike_accuracy"] >= 0.9
    assert report["frame_baseline_lookalike_accuracy"] <= 0.7  # chance between the two is 0.5
    assert report["test_accuracy"] >= report["frame_baseline_accuracy"] + 0.2
    assert report["punch_kick_other_accuracy"] >= report["frame_baseline_punch_kick_other_accuracy"]
    assert report["decision_accuracy"] >= 0.85 and report["false_action_rate"] <= 0.15


def scored_among(confusion, rows):
    """Accuracy over the given true classes, from a confusion matrix (rows = true class)."""
    confusion = np.array(confusion)
    return confusion[rows, rows].sum() / confusion[rows].sum()


def test_sequence_metrics_agree_with_each_other(sequence_models):
    root, reports = sequence_models
    written = json.loads((root / "models" / "metrics.json").read_text())
    assert set(written) == {"sequence"}
    entry = written["sequence"]
    assert entry == json.loads(json.dumps(reports["sequence"]))
    assert entry["classes"] == entry["class_names"] == list(CLIP_CLASS_NAMES)
    assert (entry["sequence_length"], entry["pool"], entry["architecture"]) == (12, None, "gru")
    with np.load(root / "features" / "clips_test.npz") as test:
        clips, windows = len(np.unique(test["clip"])), len(test["x"])
    assert entry["clips"]["test"] == clips and entry["samples"]["test"] == windows
    assert entry["frames"]["test"] == 16 * clips  # every distinct frame of every held-out clip
    for prefix, confusion in (
        ("", entry["confusion_matrix"]),
        ("frame_baseline_", entry["frame_baseline_confusion_matrix"]),
    ):
        confusion = np.array(confusion)
        assert confusion.shape == (5, 5) and confusion.sum() == clips  # one decision per held-out clip
        assert entry[f"{prefix}accuracy" if prefix else "test_accuracy"] == pytest.approx(
            np.trace(confusion) / clips
        )
        assert entry[f"{prefix}lookalike_accuracy"] == pytest.approx(scored_among(confusion, [3, 4]))
        assert entry[f"{prefix}punch_kick_other_accuracy"] == pytest.approx(
            scored_among(confusion, [0, 1, 2])
        )
    assert [entry["per_class"][name]["support"] for name in CLIP_CLASS_NAMES] == [clips // 5] * 5
    for name, scores in entry["per_class"].items():
        i = CLIP_CLASS_NAMES.index(name)
        confusion = np.array(entry["confusion_matrix"])
        assert scores["recall"] == pytest.approx(confusion[i, i] / confusion[i].sum())


def test_sequence_models_and_their_facts_are_written(sequence_models):
    root, _ = sequence_models
    models = root / "models"
    model = keras.models.load_model(models / "sequence.keras")
    assert model.input_shape == (None, 12, 64) and model.output_shape == (None, len(CLIP_CLASS_NAMES))
    assert json.loads((models / "recipe.json").read_text()) == {
        "alpha": 0.75,
        "recipe": "article",
        "sequence": {"length": 12, "size": 64, "pool": None, "classes": list(CLIP_CLASS_NAMES)},
    }
    for name in (
        "sequence_curves",
        "sequence_confusion",
        "frame_baseline_curves",
        "frame_baseline_confusion",
    ):
        assert (models / f"{name}.png").stat().st_size > 5000
    assert not list(models.glob("punch*"))


def test_clip_scores_are_per_clip(tmp_path):
    """Three windows of one clip and one of another: the clip's mean decides, not its windows."""
    head = heads.SEQUENCE_HEAD
    outputs = np.array(
        [[0.0, 0, 0, 0.9, 0.1], [0.0, 0, 0, 0.1, 0.9], [0.0, 0, 0, 0.45, 0.55], [0.1, 0, 0.9, 0, 0]]
    )  # clip 7: means 0.483 roundhouse / 0.517 back kick -> back kick, though 1 of 3 windows says so
    frame_outputs = np.array(
        [[0.0, 0, 0, 0.6, 0.4]] * 3 + [[0.0, 0, 0, 0.4, 0.6]] * 2 + [[0.1, 0, 0.9, 0, 0]]
    )
    report = metrics.sequence_report(
        head, [BACK_KICK] * 3 + [OTHER], [7, 7, 7, 2], outputs, [7] * 5 + [2], frame_outputs
    )
    assert report["confusion_matrix"][BACK_KICK][BACK_KICK] == 1 and report["test_accuracy"] == 1.0
    assert report["window_accuracy"] == pytest.approx(3 / 4)
    assert report["lookalike_accuracy"] == 1.0 and report["punch_kick_other_accuracy"] == 1.0
    assert report["frame_baseline_lookalike_accuracy"] == 0.0  # 3 of 5 frames say roundhouse
    assert report["frame_baseline_accuracy"] == 0.5
    assert report["frame_baseline_frame_accuracy"] == pytest.approx(3 / 6)


def test_distinct_frames_of_each_clip():
    frames = np.arange(1, 17, dtype=np.float32)[:, None] * np.ones((1, 3), np.float32)
    padded = np.concatenate([np.zeros((2, 3), np.float32), frames[:10]])  # a short clip, zero-padded
    windows = np.stack([frames[0:12], frames[4:16], padded])
    found, owners = train.distinct_frames(windows, np.array([5, 5, 9]))
    assert found[:, 0].tolist() == list(range(1, 17)) + list(range(1, 11))
    assert owners.tolist() == [5] * 16 + [9] * 10


def write_frames(folder, size=8, recipe="article", alpha=0.75):
    """A tiny train.npz / test.npz of the frame heads."""
    x = np.random.default_rng(0).normal(size=(6, size)).astype(np.float32)
    for split in ("train", "test"):
        np.savez(folder / f"{split}.npz", x=x, y=np.arange(6) % 3, alpha=alpha, recipe=recipe)


def test_frame_training_keeps_a_sequence_head_made_from_the_same_features(sequence_models, tmp_path):
    root, _ = sequence_models
    models = tmp_path / "models"
    shutil.copytree(root / "models", models)
    write_frames(tmp_path)  # the article's 768... here 8-d: only alpha and recipe must agree
    train.train_heads(tmp_path, models, epochs={"punch": 1, "punch_kick": 1})
    assert (models / "sequence.keras").exists()
    assert "sequence" in json.loads((models / "recipe.json").read_text())
    assert set(json.loads((models / "metrics.json").read_text())) == {"sequence", "punch", "punch_kick"}

    write_frames(tmp_path, alpha=0.5)  # another MobileNet: the sequence head no longer fits
    train.train_heads(tmp_path, models, epochs={"punch": 1, "punch_kick": 1})
    assert not list(models.glob("sequence*")) and not list(models.glob("frame_baseline*"))
    assert json.loads((models / "recipe.json").read_text()) == {"alpha": 0.5, "recipe": "article"}
    assert "sequence" not in json.loads((models / "metrics.json").read_text())


def test_clip_training_drops_frame_heads_made_from_other_features(sequence_models, tmp_path):
    root, _ = sequence_models
    models = tmp_path / "models"
    models.mkdir()
    for name in ("punch", "punch_kick"):
        files.save_model(heads.build_punch_kick_head(8), models / f"{name}.keras")
    files.write_json(models / "recipe.json", {"alpha": 0.75, "recipe": "pose"})
    train.train_heads(root / "features", models, epochs={"sequence": 1, "frame_baseline": 1})
    assert sorted(p.name for p in models.glob("*.keras")) == ["sequence.keras"]


def test_a_failed_training_leaves_the_models_as_they_were(tmp_path, monkeypatch):
    """train writes a whole new set beside models/ and swaps it in only when every head is done."""
    models = tmp_path / "models"
    models.mkdir()
    (models / "season.keras").write_bytes(b"the season MLP")
    (models / "punch_kick.keras").write_bytes(b"the pose recipe's head")
    files.write_json(models / "recipe.json", {"alpha": 0.75, "recipe": "pose"})
    before = {path.name: path.read_bytes() for path in models.iterdir()}
    write_frames(tmp_path)  # the article's features: recipe.json and both heads would change

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(train, "fit_and_report", interrupted)
    with pytest.raises(KeyboardInterrupt):
        train.train_heads(tmp_path, models, epochs={"punch": 1, "punch_kick": 1})
    assert {path.name: path.read_bytes() for path in models.iterdir()} == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["models", "test.npz", "train.npz"]

    monkeypatch.undo()
    train.train_heads(tmp_path, models, epochs={"punch": 1, "punch_kick": 1})
    assert (models / "season.keras").read_bytes() == b"the season MLP"  # carried over
    assert json.loads((models / "recipe.json").read_text()) == {"alpha": 0.75, "recipe": "article"}


def test_clip_and_frame_features_must_come_from_one_mobilenet(tmp_path):
    write_clip_features(tmp_path, train_clips=2, test_clips=1)  # article, alpha 0.75
    write_frames(tmp_path, recipe="pose")
    with pytest.raises(UserError, match="clip features were made by"):
        train.train_heads(tmp_path, tmp_path / "models")
    assert not (tmp_path / "models").exists()


@pytest.mark.parametrize(
    "pool, expected",
    [([5, 6], [5, 6]), ([], None), ("none", None), ("5x6", [5, 6]), (None, None), ("absent", None)],
)
def test_the_clips_pooling_is_read_as_the_clip_stage_wrote_it(tmp_path, pool, expected):
    write_clip_features(tmp_path, train_clips=1, test_clips=1)
    path = tmp_path / "clips_train.npz"
    with np.load(path) as stored:
        kept = {key: stored[key] for key in stored.files if key != "pool"}
    extra = {} if pool == "absent" else {"pool": pool}  # absent: the article recipe's own, None
    np.savez(path, **kept, **extra)
    assert features.load_clips(tmp_path, "train").made_by == {
        "alpha": 0.75,
        "recipe": "article",
        "pool": expected,
    }


def test_malformed_clip_features_are_clear_errors(tmp_path):
    write_clip_features(tmp_path, train_clips=1, test_clips=1)
    good = dict(np.load(tmp_path / "clips_train.npz"))
    path = tmp_path / "clips_train.npz"
    for change, message in (
        ({"x": good["x"][:, :, 0]}, "x must be windows x frames x features"),
        ({"y": good["y"] + 5}, "classes outside 0..4"),
        ({"y": np.arange(len(good["y"])) % 5, "clip": np.zeros(len(good["y"]), int)}, "windows of different"),
    ):
        np.savez(path, **{**good, **change})
        with pytest.raises(UserError, match=message):
            features.load_clips(tmp_path, "train")
    np.savez(path, **{key: value for key, value in good.items() if key != "clip"})
    with pytest.raises(UserError, match="lacks clip"):
        train.train_heads(tmp_path, tmp_path / "models")


def test_training_clips_of_one_class_are_refused(tmp_path):
    write_clip_features(tmp_path, train_clips=1, test_clips=1)
    good = dict(np.load(tmp_path / "clips_train.npz"))
    np.savez(
        tmp_path / "clips_train.npz",
        **{**good, "y": np.zeros_like(good["y"]), "clip": np.zeros_like(good["clip"])},
    )
    with pytest.raises(UserError, match="fewer than two classes"):
        train.train_heads(tmp_path, tmp_path / "models")


def test_cli_trains_on_clips_and_prints_the_comparison(tmp_path, capsys):
    write_clip_features(tmp_path / "features", train_clips=4, test_clips=2)
    arguments = ["--models", str(tmp_path / "models"), "--sequence-epochs", "2", "--baseline-epochs", "1"]
    assert cli.main(["train", str(tmp_path / "features"), *arguments]) == 0
    output = capsys.readouterr().out
    assert "sequence epoch 2/2" in output and "frame_baseline epoch 1/1" in output  # progress
    summary = output[output.index("summary (held-out):") :]
    assert "sequence    accuracy" in summary and "on 10 clips" in summary
    for row in ("all clips", "look-alike kicks", "punch/kick/other", "game decisions"):
        assert row in summary
    assert cli.main(["train", str(tmp_path / "features"), "--sequence-epochs", "0"]) == 2


def test_without_held_out_clips_only_the_frame_heads_are_trained(tmp_path, capsys):
    write_clip_features(tmp_path, train_clips=2, test_clips=0)
    with pytest.raises(UserError, match="no held-out clips"):
        train.train_heads(tmp_path, tmp_path / "models")
    write_frames(tmp_path)
    reports = train.train_heads(tmp_path, tmp_path / "models", epochs={"punch": 1, "punch_kick": 1})
    assert set(reports) == {"punch", "punch_kick"}
    assert "the sequence head is not trained" in capsys.readouterr().err


# ---------------------------------------------------------------------------------------------
# The keypoints recipe, on generated people (tests/conftest.py's keypoint_models)


def test_keypoint_heads_learn_on_generated_people_they_never_saw(keypoint_models):
    root, reports = keypoint_models
    assert set(reports) == {"punch_kick", "sequence"}
    assert reports["punch_kick"]["test_accuracy"] >= 0.7  # chance is 1/3; 300 frames a class
    # chance is 1/5; 80 clips a class, x and y only: 0.39-0.44 on its 80 held-out clips
    assert reports["sequence"]["test_accuracy"] >= 0.3
    # Early stopping ended them long before the recipe's most epochs.
    assert reports["punch_kick"]["epochs"] < heads.KEYPOINT_EPOCHS
    assert reports["sequence"]["frame_baseline_accuracy"] is None  # keypoints have no baseline
    made = json.loads((root / "models" / "recipe.json").read_text())
    assert (made["recipe"], made["alpha"], made["sequence"]["pool"]) == ("keypoints", None, None)
    model = keras.models.load_model(root / "models" / "punch_kick.keras", compile=False)
    assert model.input_shape == (None, 33, 4)
