"""augment: the article's imgaug pipeline, seeded per source image, greyed, written atomically."""

import json
import os
import re
import shutil
from pathlib import Path

import imgaug
import imgaug.augmenters as iaa
import imgaug.parameters as iap
import numpy as np
import pytest
from conftest import HOSTILE_NAME, assert_escaped
from PIL import Image
from test_dataset import make_clip, make_video

from tfjs_kombat import cli
from tfjs_kombat.augment import augment_split
from tfjs_kombat.augmentation import augment_clip, augment_frame, build_pipeline
from tfjs_kombat.config import CLIP_CLASS_DIRS, CLIP_FPS, FRAME_HEIGHT, FRAME_WIDTH
from tfjs_kombat.errors import UserError
from tfjs_kombat.frames import extract_frames, grayscale, load_image, to_frame
from tfjs_kombat.recipes import ARTICLE

# ---------------------------------------------------------------------------- the pipeline


def value(param):
    """A stochastic parameter -> the plain value, range or choices it samples from."""
    if isinstance(param, iap.AutoPrefetcher):
        param = param.other_param
    if isinstance(param, iap.Deterministic):
        return param.value
    if isinstance(param, iap.Binomial):
        return value(param.p)
    if isinstance(param, (iap.Uniform, iap.DiscreteUniform)):
        return (value(param.a), value(param.b))
    if isinstance(param, iap.Choice):
        return list(param.a)
    raise AssertionError(f"unexpected parameter {param!r}")


def test_pipeline_is_the_articles():
    pipeline = build_pipeline()
    assert type(pipeline) is iaa.Sequential and pipeline.random_order
    flip, sometimes_crop, sometimes_affine, grey, invert, some_of = pipeline

    assert type(flip) is iaa.Fliplr and value(flip.p) == 0.5

    assert type(sometimes_crop) is iaa.Sometimes and value(sometimes_crop.p) == 0.5
    (crop,) = sometimes_crop.then_list
    assert type(crop) is iaa.CropAndPad and crop.mode == "percent"
    assert value(crop.all_sides) == (-0.05, 0.1)
    assert value(crop.pad_cval) == (0, 255)

    assert type(sometimes_affine) is iaa.Sometimes and value(sometimes_affine.p) == 0.5
    (affine,) = sometimes_affine.then_list
    assert type(affine) is iaa.Affine
    assert [value(axis) for axis in affine.scale] == [(0.8, 1.2), (0.8, 1.2)]
    assert [value(axis) for axis in affine.translate[:2]] == [(-0.1, 0.1), (-0.1, 0.1)]
    assert affine.translate[2] == "percent"
    assert value(affine.rotate) == (-5, 5) and value(affine.shear) == (-5, 5)
    assert value(affine.order) == [0, 1] and value(affine.cval) == (0, 255)
    assert value(affine.mode) == value(iaa.Affine(mode=imgaug.ALL).mode)

    assert type(grey) is iaa.Grayscale and value(grey.alpha) == (0.0, 1.0)
    assert type(invert) is iaa.Invert and value(invert.p) == 0.05 and value(invert.per_channel) == 0

    assert type(some_of) is iaa.SomeOf and value(some_of.n) == (0, 5) and some_of.random_order
    assert [type(child) for child in some_of] == [
        iaa.OneOf,
        iaa.Sharpen,
        iaa.Emboss,
        iaa.AdditiveGaussianNoise,
        iaa.Add,
        iaa.AddToHueAndSaturation,
        iaa.OneOf,
        iaa.LinearContrast,
    ]
    blur, sharpen, emboss, noise, add, hue, brightness, contrast = some_of

    gaussian, average, median = blur
    assert [type(child) for child in blur] == [iaa.GaussianBlur, iaa.AverageBlur, iaa.MedianBlur]
    assert value(gaussian.sigma) == (0, 2.0) and value(average.k) == (2, 5) and value(median.k) == (3, 5)
    assert value(sharpen.matrix.alpha) == (0, 1.0) and value(sharpen.matrix.lightness) == (0.75, 1.5)
    assert value(emboss.matrix.alpha) == (0, 1.0) and value(emboss.matrix.strength) == (0, 2.0)
    assert value(noise.value.loc) == 0 and value(noise.value.scale) == pytest.approx((0.0, 2.55))
    assert value(noise.per_channel) == 0.5
    assert value(add.value) == (-10, 10) and value(add.per_channel) == 0.5
    assert value(hue.value) == (-20, 20)

    multiply, frequency_noise = brightness
    assert type(multiply) is iaa.Multiply and value(multiply.mul) == (0.9, 1.1)
    assert value(multiply.per_channel) == 0.5
    assert type(frequency_noise) is iaa.BlendAlphaFrequencyNoise
    noise_generator = frequency_noise.mask_generator.parameter.other_param.other_param
    assert value(noise_generator.exponent) == (-2, 0)
    (foreground,) = frequency_noise.foreground
    assert type(foreground) is iaa.Multiply and value(foreground.mul) == (0.9, 1.1)
    assert value(foreground.per_channel) == 1
    (background,) = frequency_noise.background
    assert type(background) is iaa.LinearContrast and value(background.params1d[0]) == (0.9, 1.1)

    assert value(contrast.params1d[0]) == (0.5, 2.0) and value(contrast.per_channel) == 0.5


def test_pad_modes_are_imgaugs_all_in_a_fixed_order():
    (crop,) = build_pipeline()[1].then_list
    all_modes = value(iaa.CropAndPad(percent=0.1, pad_mode=imgaug.ALL).pad_mode)
    assert value(crop.pad_mode) == sorted(all_modes)


def random_frame(seed):
    return np.random.default_rng(seed).integers(0, 256, (FRAME_HEIGHT, FRAME_WIDTH, 3), dtype=np.uint8)


def test_augment_frame_gives_grey_frames_deterministically():
    frame = random_frame(0)
    variations = augment_frame(frame, seed=1)
    assert len(variations) == 16
    for image in variations:
        assert image.shape == (FRAME_HEIGHT, FRAME_WIDTH, 3) and image.dtype == np.uint8
        assert (image[:, :, 0] == image[:, :, 1]).all() and (image[:, :, 1] == image[:, :, 2]).all()
    assert len({image.tobytes() for image in variations}) >= 8  # 16 transformations, not one
    assert all(np.array_equal(a, b) for a, b in zip(variations, augment_frame(frame, seed=1), strict=True))
    assert not all(np.array_equal(a, b) for a, b in zip(variations, augment_frame(frame, 2), strict=True))
    assert len(augment_frame(frame, seed=1, count=3)) == 3


# ---------------------------------------------------------------------------- augment_split

TRAIN = {
    # a.png and "a copy ä.png" have identical pixels: they must still get different transformations.
    "punches": ["punches/a.png", "punches/a copy ä.png", "punches/a.jpg"],
    "kicks": ["kicks/1.png", "kicks/2.png"],
    "others": ["others/1.png", "others/2.png"],
}
TEST = {"punches": ["punches/t.png"], "kicks": ["kicks/t.png"], "others": ["others/t.png"]}


def draw_source(seed):
    """A small 4:3 'camera' picture with blobs, so flips and crops change the pixels."""
    rng = np.random.default_rng(seed)
    pixels = np.repeat(np.repeat(rng.integers(0, 256, (6, 8, 3), dtype=np.uint8), 10, 0), 10, 1)
    return Image.fromarray(pixels)


def make_split(folder):
    root = folder / "data"
    for seed, source in enumerate(s for split in (TRAIN, TEST) for files in split.values() for s in files):
        (root / source).parent.mkdir(parents=True, exist_ok=True)
        draw_source(0 if source == "punches/a copy ä.png" else seed).save(root / source)
    manifest = {
        "root": str(root.resolve()),
        "classes": ["punches", "kicks", "others"],
        "seed": 44,
        "test_fraction": 0.2,
        "balanced": True,
        "train": TRAIN,
        "test": TEST,
        "counts": {},
        "skipped": [],
        "warnings": [],
    }
    split_path = folder / "split.json"
    split_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return split_path


def read_index(out_dir):
    return json.loads((out_dir / "index.json").read_text(encoding="utf-8"))


def file_bytes(out_dir, split):
    return {p.relative_to(out_dir): p.read_bytes() for p in sorted((out_dir / split).rglob("*.png"))}


def grey_pixels(path):
    with Image.open(path) as image:
        assert image.mode == "L"
        return np.asarray(image)


@pytest.fixture(scope="module")
def augmented(tmp_path_factory):
    folder = tmp_path_factory.mktemp("augment")
    split_path = make_split(folder)
    counts = augment_split(split_path, folder / "frames", ARTICLE, workers=1)
    return split_path, folder / "frames", counts


def test_writes_16_grey_frames_per_training_image(augmented):
    split_path, out_dir, counts = augmented
    assert counts == {
        "train": {"punches": 48, "kicks": 32, "others": 32},
        "test": {"punches": 1, "kicks": 1, "others": 1},
    }
    index = read_index(out_dir)
    assert index["counts"] == counts
    written = sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*.png") if p.name != "grid.png")
    assert written == sorted(record["path"] for record in index["files"])
    for record in index["files"]:
        # names come from indices, never from the user's file names (unicode, a.jpg vs a.png)
        pattern = r"\d{5}_\d{2}\.png" if record["split"] == "train" else r"\d{5}\.png"
        assert re.fullmatch(f"{record['split']}/{record['class']}/{pattern}", record["path"])
        assert grey_pixels(out_dir / record["path"]).shape == (FRAME_HEIGHT, FRAME_WIDTH)
    per_source = {}
    for record in index["files"]:
        per_source.setdefault(record["source"], []).append(record["path"])
    assert {source: len(paths) for source, paths in per_source.items() if paths[0].startswith("train")} == {
        source: 16 for sources in TRAIN.values() for source in sources
    }


def test_identical_images_get_different_transformations(augmented):
    _, out_dir, _ = augmented
    first = [grey_pixels(out_dir / f"train/punches/00000_{k:02d}.png") for k in range(16)]
    copy = [grey_pixels(out_dir / f"train/punches/00001_{k:02d}.png") for k in range(16)]
    # the article re-seeded before every image, which made these two lists equal
    assert sum(np.array_equal(a, b) for a, b in zip(first, copy, strict=True)) <= 2
    assert len({image.tobytes() for image in first}) >= 8


def test_test_images_are_cut_and_greyed_but_not_augmented(augmented):
    split_path, out_dir, _ = augmented
    root = split_path.parent / "data"
    for index, class_dir in enumerate(["punches", "kicks", "others"]):
        expected = grayscale(np.asarray(to_frame(load_image(root / TEST[class_dir][0]))))
        assert np.array_equal(grey_pixels(out_dir / f"test/{class_dir}/{index:05d}.png"), expected[:, :, 0])


def test_no_training_frame_comes_from_a_test_image(augmented):
    _, out_dir, _ = augmented
    files = read_index(out_dir)["files"]
    train_sources = {record["source"] for record in files if record["split"] == "train"}
    test_sources = {record["source"] for record in files if record["split"] == "test"}
    assert train_sources == {source for sources in TRAIN.values() for source in sources}
    assert test_sources == {source for sources in TEST.values() for source in sources}
    assert not train_sources & test_sources


def test_grid_shows_a_source_and_its_variations_per_class(augmented):
    _, out_dir, _ = augmented
    with Image.open(out_dir / "grid.png") as grid:
        width, height = grid.size
    assert 2 * 17 * FRAME_WIDTH <= width <= 2 * 17 * (FRAME_WIDTH + 4)  # source + 16, upscaled 2x
    assert 2 * 3 * FRAME_HEIGHT <= height <= 2 * 3 * (FRAME_HEIGHT + 4)  # one row per class


def test_output_depends_on_seed_not_on_workers(augmented, tmp_path):
    split_path, out_dir, _ = augmented
    augment_split(split_path, tmp_path / "two", ARTICLE, workers=2)
    for split in ("train", "test"):
        assert file_bytes(tmp_path / "two", split) == file_bytes(out_dir, split)
    assert read_index(tmp_path / "two") == read_index(out_dir)

    augment_split(split_path, tmp_path / "other_seed", ARTICLE, seed=45, workers=1)
    assert file_bytes(tmp_path / "other_seed", "test") == file_bytes(out_dir, "test")
    other, ours = file_bytes(tmp_path / "other_seed", "train"), file_bytes(out_dir, "train")
    assert other.keys() == ours.keys()
    assert sum(other[path] != ours[path] for path in ours) > len(ours) // 2


def test_up_to_date_until_a_source_or_a_setting_changes(tmp_path, capsys):
    split_path = make_split(tmp_path)
    out_dir = tmp_path / "frames"
    augment_split(split_path, out_dir, ARTICLE, count=2, workers=1)
    before = file_bytes(out_dir, "train")
    capsys.readouterr()

    augment_split(split_path, out_dir, ARTICLE, count=2, workers=1)
    assert "augmented frames are up to date" in capsys.readouterr().out

    source = tmp_path / "data" / "kicks/1.png"
    draw_source(99).save(source)
    os.utime(source, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
    augment_split(split_path, out_dir, ARTICLE, count=2, workers=1)
    assert "up to date" not in capsys.readouterr().out
    after = file_bytes(out_dir, "train")
    changed = {str(path) for path in before if before[path] != after[path]}
    assert changed == {"train/kicks/00003_00.png", "train/kicks/00003_01.png"}

    augment_split(split_path, out_dir, ARTICLE, count=3, workers=1)
    assert "up to date" not in capsys.readouterr().out
    assert len(file_bytes(out_dir, "train")) == 7 * 3


def test_unreadable_source_is_skipped_with_a_warning(tmp_path, capsys):
    split_path = make_split(tmp_path)
    (tmp_path / "data" / "others/2.png").write_bytes(b"not a png")
    counts = augment_split(split_path, tmp_path / "frames", ARTICLE, count=2, workers=1)
    assert counts["train"] == {"punches": 6, "kicks": 4, "others": 2}
    assert "warning: skipped others/2.png" in capsys.readouterr().err
    assert [item["source"] for item in read_index(tmp_path / "frames")["skipped"]] == ["others/2.png"]


def test_bad_inputs_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="no such split file"):
        augment_split(tmp_path / "missing.json", tmp_path / "frames", ARTICLE)
    (tmp_path / "broken.json").write_text("{", encoding="utf-8")
    with pytest.raises(UserError, match="not a split file"):
        augment_split(tmp_path / "broken.json", tmp_path / "frames", ARTICLE)
    split_path = make_split(tmp_path)
    with pytest.raises(UserError, match="--count"):
        augment_split(split_path, tmp_path / "frames", ARTICLE, count=0)
    for source in (tmp_path / "data").rglob("*.*"):
        if source.parent.name in TRAIN and source.name != "t.png":
            source.write_bytes(b"")
    with pytest.raises(UserError, match="none of the training images"):
        augment_split(split_path, tmp_path / "frames", ARTICLE, workers=1)
    assert not (tmp_path / "frames").exists()  # nothing half-written


def test_cli(tmp_path, capsys):
    split_path = make_split(tmp_path)
    out_dir = tmp_path / "frames"
    options = ["--out", str(out_dir), "--count", "2", "--seed", "7", "--workers", "1", "--recipe", "pose"]
    assert cli.main(["augment", str(split_path), *options]) == 0
    assert "wrote 14 training and 3 test frames" in capsys.readouterr().out  # --count 2
    seeded = file_bytes(out_dir, "train")
    augment_split(split_path, tmp_path / "default_seed", ARTICLE, count=2, workers=1)
    assert file_bytes(tmp_path / "default_seed", "train") != seeded  # --seed 7 was used
    assert cli.main(["augment", str(tmp_path / "nope.json"), "--recipe", "pose"]) == 2
    assert "error: no such split file" in capsys.readouterr().err


@pytest.mark.parametrize(("recipe", "per_image"), [("article", 16), ("pose", 8)])
def test_the_recipe_sets_how_many_variations(recipe, per_image, tmp_path, capsys):
    """The article's 16 per image; pose 8 (its feature maps are large)."""
    split_path = make_split(tmp_path)
    options = ["--out", str(tmp_path / "frames"), "--workers", "1", "--recipe", recipe]
    assert cli.main(["augment", str(split_path), *options]) == 0
    assert f"training images x {per_image} " in capsys.readouterr().out


def test_the_default_recipe_is_not_augmented_and_says_what_to_run(tmp_path, capsys):
    # keypoints: generated people vary themselves, and the pose model reads the split's pictures
    assert cli.main(["augment", str(make_split(tmp_path)), "--out", str(tmp_path / "frames")]) == 2
    assert "features SPLIT_JSON --recipe keypoints" in capsys.readouterr().err
    assert not (tmp_path / "frames").exists()


def test_an_unknown_recipe_is_refused_with_the_recipes_named(tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli.main(["augment", str(make_split(tmp_path)), "--recipe", "posture"])
    assert "no recipe 'posture': the recipes are pose, article" in capsys.readouterr().err


def test_names_are_printed_escaped(tmp_path, capsys):
    split_path = make_split(tmp_path / f"work{HOSTILE_NAME}")
    manifest = json.loads(split_path.read_text(encoding="utf-8"))
    manifest["train"]["others"].append(f"others/{HOSTILE_NAME}.png")
    (Path(manifest["root"]) / "others" / f"{HOSTILE_NAME}.png").write_bytes(b"not a png")
    split_path.write_text(json.dumps(manifest), encoding="utf-8")
    out_dir = tmp_path / f"frames{HOSTILE_NAME}"
    assert (
        cli.main(
            [
                "augment",
                str(split_path),
                "--out",
                str(out_dir),
                "--count",
                "1",
                "--workers",
                "1",
                "--recipe",
                "pose",
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert_escaped(captured.out)  # wrote ... to <out>
    assert_escaped(captured.err)  # skipped <source>
    assert cli.main(["augment", str(tmp_path / f"gone{HOSTILE_NAME}.json"), "--recipe", "pose"]) == 2
    assert_escaped(capsys.readouterr().err)


# ---------------------------------------------------------------------------- clips

CLIP_TRAIN = {
    "roundhouses": ["roundhouses/still", "roundhouses/sweep"],
    "back_kicks": ["back_kicks/turn.mp4"],
}
CLIP_TEST = {"roundhouses": ["roundhouses/t"], "back_kicks": ["back_kicks/t.mp4"]}
CLIP_FRAMES = {"roundhouses/still": 5, "roundhouses/sweep": 6, "back_kicks/turn.mp4": 10}
CLIP_FRAMES |= {"roundhouses/t": 4, "back_kicks/t.mp4": 5}


def add_clips(split_path, images=True):
    """Clips in the manifest: a clip of one still frame, a moving one, videos (20 fps, read at 10)."""
    manifest = json.loads(split_path.read_text(encoding="utf-8"))
    root = Path(manifest["root"])
    make_clip(root / "roundhouses" / "still", 1, shade=90)
    for index in range(1, 5):
        shutil.copy(root / "roundhouses/still/001.png", root / f"roundhouses/still/{index + 1:03d}.png")
    make_clip(root / "roundhouses" / "sweep", 6, shade=30)
    make_clip(root / "roundhouses" / "t", 4, shade=60)
    make_video(root / "back_kicks" / "turn.mp4", 20, shade=120)
    make_video(root / "back_kicks" / "t.mp4", 10, shade=150)
    classes = list(CLIP_CLASS_DIRS)
    manifest["clips"] = {
        "classes": classes,
        "fps": CLIP_FPS,
        "train": {name: CLIP_TRAIN.get(name, []) for name in classes},
        "test": {name: CLIP_TEST.get(name, []) for name in classes},
        "frames": CLIP_FRAMES,
        "counts": {},
        "skipped": [],
    }
    if not images:
        manifest["train"] = manifest["test"] = dict.fromkeys(manifest["classes"], [])
    split_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return split_path


def clip_folder(out_dir, path):
    return [grey_pixels(frame) for frame in sorted((out_dir / path).glob("*.png"))]


def test_a_clip_gets_one_draw_per_variation_for_all_its_frames_in_order():
    frames = [random_frame(seed) for seed in range(3)]
    variations = augment_clip(frames, seed=3, count=6)
    assert [len(variation) for variation in variations] == [3] * 6
    for index, frame in enumerate(frames):  # frame i of each variation: frame i, that variation's draw
        alone = augment_clip([frame], seed=3, count=6)
        assert all(np.array_equal(variations[v][index], alone[v][0]) for v in range(6))
    still = augment_clip([frames[0]] * 4, seed=3, count=6)
    for variation in still:
        assert all(np.array_equal(frame, variation[0]) for frame in variation)  # the same transformation
        assert (variation[0][:, :, 0] == variation[0][:, :, 2]).all()  # grey
    assert len({variation[0].tobytes() for variation in still}) >= 4  # a new draw for every variation


@pytest.fixture(scope="module")
def augmented_clips(tmp_path_factory):
    folder = tmp_path_factory.mktemp("clips")
    split_path = add_clips(make_split(folder))
    counts = augment_split(split_path, folder / "frames", ARTICLE, count=2, workers=1, clip_count=4)
    return split_path, folder / "frames", counts


def test_clips_are_written_per_variation_with_their_frames(augmented_clips):
    split_path, out_dir, counts = augmented_clips
    assert counts["clips"] == {
        "train": {**dict.fromkeys(CLIP_CLASS_DIRS, 0), "roundhouses": 8, "back_kicks": 4},
        "test": {**dict.fromkeys(CLIP_CLASS_DIRS, 0), "roundhouses": 1, "back_kicks": 1},
    }
    clips = read_index(out_dir)["clips"]
    assert clips["counts"] == counts["clips"] and clips["fps"] == CLIP_FPS and clips["skipped"] == []
    assert (
        clips["frames"]["train"]["roundhouses"] == 4 * (5 + 6) and clips["frames"]["test"]["back_kicks"] == 5
    )
    written = sorted(p.relative_to(out_dir).as_posix() for p in (out_dir / "clips").glob("*/*/*"))
    assert written == sorted(record["path"] for record in clips["files"])
    assert "clips/train/roundhouses/00000_03" in written and "clips/test/back_kicks/00001" in written
    for record in clips["files"]:
        names = sorted(p.name for p in (out_dir / record["path"]).iterdir())
        assert names == [f"{i:03d}.png" for i in range(CLIP_FRAMES[record["source"]])]  # the video at 10 fps
        assert record["variation"] in range(4) if record["split"] == "train" else "variation" not in record
    assert (out_dir / "clips_grid.png").is_file()


def test_every_frame_of_a_clip_variation_has_the_same_transformation(augmented_clips):
    _, out_dir, _ = augmented_clips
    firsts = []
    for variation in range(4):
        frames = clip_folder(out_dir, f"clips/train/roundhouses/00000_{variation:02d}")  # the still clip
        assert len(frames) == 5 and all(np.array_equal(frame, frames[0]) for frame in frames)
        firsts.append(frames[0].tobytes())
    assert len(set(firsts)) >= 3  # but not the same for every variation


def test_test_clips_are_cut_and_greyed_in_order(augmented_clips, tmp_path):
    split_path, out_dir, _ = augmented_clips
    root = split_path.parent / "data"
    sources = sorted((root / "roundhouses/t").glob("*.png"))
    expected = [grayscale(np.asarray(to_frame(load_image(path))))[:, :, 0] for path in sources]
    written = clip_folder(out_dir, "clips/test/roundhouses/00000")
    assert len(written) == 4 and all(np.array_equal(a, b) for a, b in zip(written, expected, strict=True))
    decoded = extract_frames(root / "back_kicks/t.mp4", tmp_path, fps=CLIP_FPS)  # the video, decoded
    expected = [grayscale(np.asarray(to_frame(load_image(path))))[:, :, 0] for path in decoded]
    written = clip_folder(out_dir, "clips/test/back_kicks/00001")
    assert len(written) == 5 and all(np.array_equal(a, b) for a, b in zip(written, expected, strict=True))
    moving = clip_folder(out_dir, "clips/train/roundhouses/00001_00")
    assert len({frame.tobytes() for frame in moving}) == 6  # the moving clip's frames stay apart


def test_no_frame_of_a_test_clip_is_in_training(augmented_clips):
    _, out_dir, _ = augmented_clips
    records = read_index(out_dir)["clips"]["files"]
    test_sources = {source for sources in CLIP_TEST.values() for source in sources}
    assert {r["source"] for r in records if r["split"] == "test"} == test_sources
    assert not {r["source"] for r in records if r["split"] == "train"} & test_sources
    train_frames = {p.read_bytes() for p in (out_dir / "clips/train").rglob("*.png")}
    assert not {p.read_bytes() for p in (out_dir / "clips/test").rglob("*.png")} & train_frames


def test_clips_leave_the_images_as_they_were(augmented_clips, tmp_path):
    split_path, out_dir, counts = augmented_clips
    manifest = json.loads(split_path.read_text(encoding="utf-8"))
    del manifest["clips"]
    (tmp_path / "split.json").write_text(json.dumps(manifest), encoding="utf-8")
    image_counts = augment_split(tmp_path / "split.json", tmp_path / "frames", ARTICLE, count=2, workers=1)
    assert "clips" not in image_counts and not (tmp_path / "frames/clips").exists()
    assert {split: counts[split] for split in ("train", "test")} == image_counts
    for split in ("train", "test"):
        assert file_bytes(out_dir, split) == file_bytes(tmp_path / "frames", split)
    index, images_index = read_index(out_dir), read_index(tmp_path / "frames")
    assert index["files"] == images_index["files"] and "clip_count" not in images_index["settings"]


def test_clip_output_depends_on_seed_not_on_workers_and_is_kept_while_up_to_date(augmented_clips, capsys):
    split_path, out_dir, _ = augmented_clips
    two = split_path.parent / "two_workers"
    augment_split(split_path, two, ARTICLE, count=2, workers=2, clip_count=4)
    assert file_bytes(two, "clips") == file_bytes(out_dir, "clips")
    capsys.readouterr()
    augment_split(split_path, two, ARTICLE, count=2, workers=2, clip_count=4)
    assert "augmented frames are up to date" in capsys.readouterr().out

    frame = split_path.parent / "data/roundhouses/sweep/003.png"  # a frame of a clip changes
    os.utime(frame, ns=(frame.stat().st_atime_ns, frame.stat().st_mtime_ns + 10**9))
    augment_split(split_path, two, ARTICLE, count=2, workers=1, clip_count=4)
    assert "up to date" not in capsys.readouterr().out
    counts = augment_split(split_path, two, ARTICLE, count=2, workers=1, clip_count=1)
    assert "up to date" not in capsys.readouterr().out and counts["clips"]["train"]["roundhouses"] == 2


def test_a_clips_only_split_and_a_broken_clip(tmp_path, capsys):
    split_path = add_clips(make_split(tmp_path), images=False)
    (tmp_path / "data/back_kicks/turn.mp4").write_bytes(b"broken")
    options = ["--out", str(tmp_path / "frames"), "--clip-count", "2", "--workers", "1", "--recipe", "pose"]
    assert cli.main(["augment", str(split_path), *options]) == 0
    out, err = capsys.readouterr()
    assert "wrote 4 training clips (22 frames) and 2 test clips (9 frames)" in out
    assert "training images" not in out
    assert (
        "warning: skipped clip back_kicks/turn.mp4: ffmpeg could not read" in err and "Traceback" not in err
    )
    index = read_index(tmp_path / "frames")
    assert index["files"] == [] and [item["source"] for item in index["clips"]["skipped"]] == [
        "back_kicks/turn.mp4"
    ]
    assert sorted(p.name for p in (tmp_path / "frames").iterdir()) == [
        "clips",
        "clips_grid.png",
        "index.json",
    ]
    assert cli.main(["augment", str(split_path), *options[:2], "--clip-count", "0", "--recipe", "pose"]) == 2
    assert "--clip-count must be at least 1" in capsys.readouterr().err
