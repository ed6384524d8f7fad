"""Scenes: a person in a room through a camera; deterministic, varied, inside the cropped band."""

import numpy as np
import pytest
from PIL import Image

from tfjs_kombat import config
from tfjs_kombat.synth import figure, scene
from tfjs_kombat.synth.person import random_person
from tfjs_kombat.synth.pose import POSES, random_angles


def pixels(image):
    return np.asarray(image, dtype=np.int16)


def test_render_pose_is_deterministic_per_seed():
    for pose in POSES:
        first = scene.render_pose(pose, np.random.default_rng(7))
        again = scene.render_pose(pose, np.random.default_rng(7))
        other = scene.render_pose(pose, np.random.default_rng(8))
        assert first.mode == "RGB" and first.size == (320, 240)
        assert np.array_equal(pixels(first), pixels(again))
        assert np.abs(pixels(first) - pixels(other)).mean() > 10


def test_render_pose_takes_a_size_and_rejects_unknown_poses():
    assert scene.render_pose("kick", np.random.default_rng(1), size=(160, 120)).size == (160, 120)
    with pytest.raises(ValueError):
        scene.render_pose("jump", np.random.default_rng(1))


def test_images_of_one_class_vary_a_lot():
    means = [
        pixels(scene.render_pose("punch", np.random.default_rng(i))).mean(axis=(0, 1)) for i in range(12)
    ]
    assert np.std(means, axis=0).min() > 12  # rooms, light and clothes change every image


def random_figure(pose, seed, size=(320, 240)):
    """A random person in a random room, drawn in white on black where render_pose puts them;
    also the figure's scale (standing height in pixels)."""
    rng = np.random.default_rng(seed)
    room = scene.random_room(rng)
    parts = figure.figure_parts(random_person(rng), random_angles(pose, rng), rng.choice((-1, 1)))
    scale, origin = scene.place_in_room(room, figure.parts_box(parts), rng, size)
    image = Image.new("RGB", size)
    figure.draw_parts(image, [part._replace(colour=(255, 255, 255)) for part in parts], scale, origin)
    return np.asarray(image)[:, :, 0] > 0, scale


@pytest.mark.parametrize("size", [(320, 240), (640, 480)])
def test_the_whole_figure_is_big_and_inside_the_top_band(size):
    band = scene.band_height(size)
    assert band == round(size[0] * config.FRAME_HEIGHT / config.FRAME_WIDTH)
    for pose in POSES:
        for seed in range(40):
            mask, _ = random_figure(pose, seed, size)
            rows = np.flatnonzero(mask.any(axis=1))
            columns = np.flatnonzero(mask.any(axis=0))
            assert rows[0] > 0 and rows[-1] < band - 1, (pose, seed)  # the page crops rows >= band
            assert columns[0] > 0 and columns[-1] < size[0] - 1, (pose, seed)
            assert 0.4 * band < rows[-1] - rows[0] < 0.96 * band, (pose, seed)


def test_the_room_sets_the_figures_size_not_the_pose():
    """A kick is drawn no smaller than a punch in the same room: size must not give the pose away."""
    size, rng = (320, 240), np.random.default_rng(5)
    scales = {pose: [] for pose in POSES}
    for _ in range(30):
        room, person = scene.random_room(rng), random_person(rng)
        for pose in POSES:
            parts = figure.figure_parts(person, random_angles(pose, rng))
            scales[pose].append(scene.place_in_room(room, figure.parts_box(parts), rng, size)[0])
    punch, kick, other = (np.array(scales[pose]) for pose in POSES)
    assert np.abs(kick / punch - 1).max() < 0.11 and np.abs(other / punch - 1).max() < 0.11
    assert punch.max() / punch.min() > 1.25  # rooms put the camera nearer or further


def test_nobody_pictures_are_empty_rooms_and_cards():
    rng = np.random.default_rng(2)
    room = scene.random_room(rng)
    background = scene.room_background(room, (320, 240))
    empty = scene.render_empty(room, rng, background=background)
    person = scene.render_in_room(
        random_person(rng), room, random_angles("kick", rng), rng, background=background
    )
    band = scene.band_height((320, 240))
    difference = np.abs(pixels(empty) - pixels(person)).max(axis=2) > 60
    assert difference[:band].sum() > 500  # the same room: only the person differs
    card = scene.render_card(rng)
    assert card.size == (320, 240) and pixels(card).std() > 1
    nobody = [scene.render_nobody(np.random.default_rng(i)) for i in range(8)]
    assert np.std([pixels(image).mean() for image in nobody]) > 10


def test_the_light_falls_from_a_side_and_from_above_or_below():
    grey = Image.new("RGB", (320 * scene.SUPERSAMPLE, 240 * scene.SUPERSAMPLE), (120, 120, 120))
    look = scene.random_look(np.random.default_rng(0)) | dict(
        brightness=1.0, contrast=1.0, cast=np.ones(3, np.float32), blur=0.0, noise=0.0
    )
    for side, top in ((0.1, 0.0), (0.0, 0.1), (-0.1, -0.1)):
        image = pixels(
            scene.camera(grey, look | dict(side_light=side, top_light=top), np.random.default_rng(0))
        )
        left_right = image[:, -10:].mean() - image[:, :10].mean()
        top_bottom = image[:10].mean() - image[-10:].mean()
        assert np.sign(np.round([left_right, top_bottom])).tolist() == np.sign([side, top]).tolist()
        assert abs(left_right) == pytest.approx(2 * 120 * abs(side), rel=0.15)
        assert abs(top_bottom) == pytest.approx(2 * 120 * abs(top), rel=0.15, abs=1)
