"""The article's decision rules, and predicting with trained heads from the command line."""

import numpy as np
import pytest
from conftest import HOSTILE_NAME, assert_escaped

from tfjs_kombat import cli, heads, predict
from tfjs_kombat.errors import UserError
from tfjs_kombat.synth import scene


@pytest.mark.parametrize(
    ("probabilities", "decision"),
    [
        ((0.5, 0.1, 0.4), "stand"),  # P(other) >= 0.4 wins over everything
        ((0.6, 0.05, 0.35), "punch"),
        ((0.3, 0.36, 0.34), "kick"),
        ((0.34, 0.32, 0.34), "stand"),  # neither reaches 0.35
        ((0.35, 0.35, 0.30), "stand"),  # a tie is no decision
        ((0.35, 0.30, 0.35), "punch"),
    ],
)
def test_punch_kick_decision(probabilities, decision):
    (index,) = heads.decide_punch_kick(np.array([probabilities]))
    assert predict.DECISION_NAMES[index] == decision


def test_punch_decision_threshold():
    assert heads.decide_punch(np.array([[0.4], [0.399]])).tolist() == [1, 0]


@pytest.mark.parametrize("recipe", ["pose", "article"])
def test_predict_rendered_poses(recipe, pipeline, article_pipeline, tmp_path, capsys):
    root = {"pose": pipeline, "article": article_pipeline}[recipe][0]
    rng = np.random.default_rng(123)
    images = []
    for pose in ("punch", "kick", "other"):
        for i in range(3):
            images.append(tmp_path / f"{pose}{i}.jpg")
            scene.render_pose(pose, rng).save(images[-1])
    results = predict.predict_images(images, root / "models", tmp_path / "cache")
    assert [r["image"] for r in results] == [str(p) for p in images]
    for result in results:
        probabilities = [result["punch_kick"][name] for name in ("punch", "kick", "other")]
        assert sum(probabilities) == pytest.approx(1, abs=1e-5)
        if recipe == "article":  # the pose recipe has no punch head
            assert 0 <= result["punch"]["p_punch"] <= 1
        assert result["punch_kick"]["decision"] in ("punch", "kick", "stand")
    guessed = [max(("punch", "kick", "other"), key=r["punch_kick"].get) for r in results]
    assert sum(g == p.name[:-5] for g, p in zip(guessed, images, strict=True)) >= 6  # chance: 3 of 9

    assert (
        cli.main(["predict", str(images[0]), "--models", str(root / "models"), "--cache", str(tmp_path)]) == 0
    )
    out = capsys.readouterr().out
    assert ("P(punch)" in out) == (recipe == "article") and "punch/kick head" in out and "->" in out


def test_unreadable_images_are_skipped_or_refused(pipeline, tmp_path):
    root, _ = pipeline
    (tmp_path / "notes.jpg").write_text("not an image")
    with pytest.raises(UserError, match="none of the given files"):
        predict.predict_images([tmp_path / "notes.jpg", tmp_path / "missing.png"], root / "models")


def test_no_models_is_a_clear_error(tmp_path, capsys):
    assert cli.main(["predict", "x.jpg", "--models", str(tmp_path)]) == 2
    assert "run `make train` first" in capsys.readouterr().err


def test_each_image_is_decoded_once(untrained_heads, count_decodes, tmp_path):
    images = []
    for index, pose in enumerate(("punch", "kick", "other")):
        images.append(tmp_path / f"{pose}.jpg")
        scene.render_pose(pose, np.random.default_rng(index)).save(images[-1])
    (tmp_path / "notes.jpg").write_text("not an image")
    count_decodes.clear()
    results = predict.predict_images([*images, tmp_path / "notes.jpg"], untrained_heads, tmp_path / "cache")
    assert [result["image"] for result in results] == [str(path) for path in images]
    assert count_decodes == {str(path): 1 for path in [*images, tmp_path / "notes.jpg"]}


def test_names_are_printed_escaped(untrained_heads, tmp_path, capsys):
    image, notes = tmp_path / f"photo{HOSTILE_NAME}.jpg", tmp_path / f"notes{HOSTILE_NAME}.jpg"
    scene.render_pose("punch", np.random.default_rng(0)).save(image, format="JPEG")
    notes.write_text("not an image")
    args = ["predict", str(image), str(notes), "--models", str(untrained_heads), "--cache", str(tmp_path)]
    assert cli.main(args) == 0
    out, err = capsys.readouterr()
    assert_escaped(out)  # the image's results
    assert_escaped(err)  # skipping <notes>
