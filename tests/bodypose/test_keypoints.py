"""`tfjs-kombat keypoints`: the landmarks of images and folders, as JSON."""

import json

import numpy as np
from PIL import Image
from rendered_people import SIZE, rendered_person

from tfjs_kombat import cli
from tfjs_kombat.config import BODY_LANDMARKS, KEYPOINT_VALUES
from tfjs_kombat.synth import scene


def test_a_folder_of_pictures_to_json(pose_networks, tmp_path, capsys):
    rng = np.random.default_rng(3)
    folder = tmp_path / "take"
    folder.mkdir()
    Image.fromarray(rendered_person(rng, "punch")[0]).save(folder / "2.png")
    scene.render_nobody(np.random.default_rng(0), SIZE).save(folder / "10.png")
    (folder / "notes.txt").write_text("not an image")
    out = tmp_path / "keypoints.json"
    assert cli.main(["keypoints", str(folder), "--out", str(out)]) == 0
    assert "a person in 1 of 2 images" in capsys.readouterr().out
    document = json.loads(out.read_text())
    assert document["landmarks"] == list(BODY_LANDMARKS) and document["values"] == list(KEYPOINT_VALUES)
    assert list(document["images"]) == [str(folder / "2.png"), str(folder / "10.png")]  # name order
    person = np.array(document["images"][str(folder / "2.png")])
    assert person.shape == (33, 4) and ((person[:, :2] > 0) & (person[:, :2] < 1)).all()
    assert document["images"][str(folder / "10.png")] is None

    # As one take: the person found by the detector, then lost in the empty room.
    assert cli.main(["keypoints", str(folder), "--track", "--out", str(out)]) == 0
    assert json.loads(out.read_text()) == document
    capsys.readouterr()

    assert cli.main(["keypoints", str(folder / "2.png")]) == 0  # printed
    assert json.loads(capsys.readouterr().out)["images"][str(folder / "2.png")] == person.tolist()


def test_a_missing_or_unreadable_image_is_a_clear_error(pose_networks, tmp_path, capsys):
    assert cli.main(["keypoints", str(tmp_path / "missing.png")]) == 2
    assert "missing.png: no such file or folder" in capsys.readouterr().err
    (tmp_path / "broken.png").write_bytes(b"not a png")
    assert cli.main(["keypoints", str(tmp_path / "broken.png")]) == 2
    err = capsys.readouterr().err
    assert "skipping" in err and "error: none of the given files is a readable image" in err
