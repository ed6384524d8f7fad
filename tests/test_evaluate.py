"""Scoring a trained head on another dataset folder (a different 'person' and room)."""

import json
import shutil

import numpy as np
import pytest
from conftest import HOSTILE_NAME, assert_escaped

from tfjs_kombat import cli, evaluate
from tfjs_kombat.errors import UserError
from tfjs_kombat.synth import render


def test_evaluate_on_unseen_renders(pipeline, tmp_path):
    root, _ = pipeline
    other = tmp_path / "friend"
    render.render_dataset(other, per_class=8, seed=999, clips_per_class=0)
    (other / "kicks" / "broken.jpg").write_bytes(b"")
    out = tmp_path / "report.json"
    assert (
        cli.main(
            [
                "evaluate",
                str(other),
                "--models",
                str(root / "models"),
                "--out",
                str(out),
                "--cache",
                str(tmp_path),
            ]
        )
        == 0
    )
    report = json.loads(out.read_text())
    assert report["head"] == "punch_kick" and report["samples"] == {"test": 24}
    assert np.array(report["confusion_matrix"]).sum(axis=1).tolist() == [8, 8, 8]
    assert report["test_accuracy"] >= 0.6  # chance is 1/3
    assert report["recipe"] == "pose" and report["decision_accuracy"] >= 0.6
    assert 0 <= report["false_action_rate"] <= 1
    assert report["skipped"] == [{"path": "kicks/broken.jpg", "reason": "empty file"}]


def test_evaluate_punch_head_scores_punches_against_others(article_pipeline, tmp_path):
    root, _ = article_pipeline
    render.render_dataset(tmp_path / "friend", per_class=6, seed=998, clips_per_class=0)
    out = tmp_path / "punch.json"
    args = [
        "evaluate",
        str(tmp_path / "friend"),
        "--head",
        "punch",
        "--models",
        str(root / "models"),
        "--out",
        str(out),
    ]
    assert cli.main([*args, "--cache", str(tmp_path)]) == 0
    report = json.loads(out.read_text())
    assert report["class_names"] == ["no_punch", "punch"] and report["samples"] == {"test": 12}


def test_missing_folder(tmp_path, capsys):
    assert cli.main(["evaluate", str(tmp_path / "nope")]) == 2
    assert "no such dataset folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("head", "scored"), [("punch_kick", "punches/, kicks/, others/"), ("punch", "punches/, others/")]
)
def test_a_folder_without_images_says_what_it_looked_for_and_found(
    untrained_heads, tmp_path, capsys, head, scored
):
    data = tmp_path / "friend"
    (data / "kicks").mkdir(parents=True)
    (data / "kicks" / "broken.jpg").write_bytes(b"")
    (data / "others").mkdir()
    args = ["evaluate", str(data), "--head", head, "--models", str(untrained_heads), "--cache", str(tmp_path)]
    assert cli.main(args) == 2
    error = capsys.readouterr().err.splitlines()[-1]
    looked_for = f"the {head} head scores images (jpg, jpeg, png) in {scored}"
    found = "punches/ missing, kicks/ 0 usable of 1 images, others/ 0 images"
    assert error == f"error: no images to score in {data}: {looked_for}; found {found}"
    assert not (untrained_heads / f"evaluate-{head}.json").exists()


def test_one_class_is_scored_and_the_punch_head_needs_punches_or_others(untrained_heads, tmp_path):
    data = tmp_path / "friend"
    render.render_dataset(data, per_class=2, seed=5, clips_per_class=0)
    shutil.rmtree(data / "punches")
    shutil.rmtree(data / "others")
    report = evaluate.evaluate_head(data, models_dir=untrained_heads, cache_dir=tmp_path / "cache")
    assert report["samples"] == {"test": 2} and report["per_class"]["kick"]["support"] == 2
    found = "found punches/ missing, kicks/ 2 images, others/ missing"
    with pytest.raises(UserError, match=f"the punch head scores .* in punches/, others/; {found}$"):
        evaluate.evaluate_head(data, head="punch", models_dir=untrained_heads, cache_dir=tmp_path / "cache")


def test_each_image_is_decoded_once(untrained_heads, count_decodes, tmp_path):
    data = tmp_path / "friend"
    render.render_dataset(data, per_class=2, seed=5, clips_per_class=0)
    (data / "kicks" / "broken.jpg").write_bytes(b"not an image")
    count_decodes.clear()
    report = evaluate.evaluate_head(data, models_dir=untrained_heads, cache_dir=tmp_path / "cache")
    assert report["samples"] == {"test": 6}
    assert sorted(count_decodes.values()) == [1] * 7


def test_names_are_printed_escaped(untrained_heads, tmp_path, capsys):
    data = tmp_path / f"friend{HOSTILE_NAME}"
    render.render_dataset(data, per_class=2, seed=5, clips_per_class=0)
    (data / "kicks" / f"{HOSTILE_NAME}.jpg").write_bytes(b"not an image")
    out = tmp_path / f"report{HOSTILE_NAME}.json"
    args = [
        "evaluate",
        str(data),
        "--models",
        str(untrained_heads),
        "--out",
        str(out),
        "--cache",
        str(tmp_path),
    ]
    assert cli.main(args) == 0
    captured = capsys.readouterr()
    assert_escaped(captured.out)  # evaluating ... of <data>, wrote <out>
    assert_escaped(captured.err)  # skipping <file>


def test_evaluate_keypoint_heads_on_photos_of_any_size(keypoint_models, pose_networks, tmp_path, capsys):
    # Rendered people at full size, landscape and portrait: the pose model reads each whole.
    from tfjs_kombat.config import CLASS_DIRS
    from tfjs_kombat.synth import scene
    from tfjs_kombat.synth.person import random_person
    from tfjs_kombat.synth.pose import POSES, random_angles

    root, _ = keypoint_models
    rng = np.random.default_rng(11)
    photos = tmp_path / "photos"
    for pose, class_dir in zip(POSES, CLASS_DIRS, strict=True):
        (photos / class_dir).mkdir(parents=True)
        for i, size in enumerate(((640, 480), (480, 640), (800, 450)) * 2):
            room = scene.random_room(rng)
            image = scene.render_in_room(random_person(rng), room, random_angles(pose, rng), rng, size)
            image.save(photos / class_dir / f"{i}.jpg", quality=90)
    out = tmp_path / "report.json"
    args = ["evaluate", str(photos), "--models", str(root / "models"), "--out", str(out)]
    assert cli.main([*args, "--cache", str(tmp_path / "cache")]) == 0
    report = json.loads(out.read_text())
    assert report["recipe"] == "keypoints" and report["samples"] == {"test": 18}
    assert report["test_accuracy"] >= 0.5  # chance is 1/3
    printed = capsys.readouterr().out
    assert "pose model: 18/18 pictures" in printed and "idle frames acting" in printed
