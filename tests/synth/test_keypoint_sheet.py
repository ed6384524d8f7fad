"""The picture to check the keypoint data by eye."""

import numpy as np
from PIL import Image

from tfjs_kombat.synth.keypoint_sheet import main


def test_the_sheet_draws_every_row(tmp_path, capsys):
    main([str(tmp_path / "sheet.png"), "--seed", "3"])
    assert "wrote" in capsys.readouterr().out
    pixels = np.asarray(Image.open(tmp_path / "sheet.png").convert("RGB"))
    rows = 3 * 220 + 14 * 230  # the frame rows, then a strip per clip class, gesture and noisy punch
    assert pixels.shape[0] == rows
    inked = (pixels < 200).any(axis=(1, 2))
    assert all(inked[top : top + 230].any() for top in range(3 * 220, rows, 230))
    orange = (pixels == (230, 130, 20)).all(axis=-1)  # the lead side's bones
    assert orange.sum() > 1000
