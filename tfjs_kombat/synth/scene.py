"""Scenes: a person placed in a room, seen through a cheap webcam.

The room is drawn behind the figure (wall, floor, furniture), the camera shrinks the
supersampled picture and adds its light, lens and sensor. Used by the dataset writer in
render.py (single pictures: render_pose; clips of moving people: render_moving) and by the fake
webcam in webcam.py (render_sequence).
"""

from typing import NamedTuple

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from tfjs_kombat import config
from tfjs_kombat.synth.figure import draw_parts, figure_parts, parts_box, shade, skeleton
from tfjs_kombat.synth.motion import clip_angles
from tfjs_kombat.synth.person import cloth, random_person
from tfjs_kombat.synth.pose import random_angles

SUPERSAMPLE = 2  # draw at twice the size and shrink: smooth edges without an antialiasing library


def band_height(size):
    """Rows of the top band the page crops (full width, aspect FRAME_WIDTH:FRAME_HEIGHT)."""
    return round(size[0] * config.FRAME_HEIGHT / config.FRAME_WIDTH)


# ---------------------------------------------------------------------------------------------
# The room behind the person and the camera in front of them


def _muted(rng, low=70, high=235):
    grey = rng.uniform(low, high)
    return np.clip(grey + rng.normal(0, 22, 3), 0, 255)


def _furniture(draw, rng, size, floor):
    """A few rectangles that read as a door, window, picture, shelf, sofa or lamp."""
    w, h = size
    for _ in range(rng.integers(1, 5)):
        kind = rng.integers(6)
        x = rng.uniform(-0.1, 0.9) * w
        colour = tuple(int(c) for c in _muted(rng, 30, 220))
        if kind == 0:  # door
            dw = rng.uniform(0.16, 0.26) * w
            draw.rectangle((x, floor * rng.uniform(0.05, 0.3), x + dw, floor), fill=colour)
            draw.ellipse(
                (x + dw * 0.8, floor * 0.6, x + dw * 0.86, floor * 0.6 + dw * 0.06), fill=(200, 190, 150)
            )
        elif kind == 1:  # window with a bright outside and a cross bar
            ww, wh, y = (
                rng.uniform(0.15, 0.35) * w,
                rng.uniform(0.2, 0.4) * floor,
                rng.uniform(0.05, 0.3) * floor,
            )
            draw.rectangle((x, y, x + ww, y + wh), fill=colour)
            sky = tuple(int(c) for c in np.clip([200, 220, 240] + rng.normal(0, 20, 3), 0, 255))
            draw.rectangle((x + ww * 0.06, y + wh * 0.06, x + ww * 0.94, y + wh * 0.94), fill=sky)
            draw.rectangle((x + ww * 0.48, y, x + ww * 0.52, y + wh), fill=colour)
            draw.rectangle((x, y + wh * 0.48, x + ww, y + wh * 0.52), fill=colour)
        elif kind == 2:  # picture frame
            pw, ph, y = (
                rng.uniform(0.06, 0.16) * w,
                rng.uniform(0.08, 0.2) * floor,
                rng.uniform(0.1, 0.5) * floor,
            )
            draw.rectangle((x, y, x + pw, y + ph), fill=colour)
            draw.rectangle((x + pw * 0.12, y + ph * 0.12, x + pw * 0.88, y + ph * 0.88), fill=cloth(rng))
        elif kind == 3:  # shelf with books
            sw, top = rng.uniform(0.12, 0.25) * w, floor * rng.uniform(0.2, 0.6)
            draw.rectangle((x, top, x + sw, floor), fill=colour)
            for board in np.linspace(top, floor, rng.integers(3, 6))[:-1]:
                bx = x + sw * 0.05
                while bx < x + sw * 0.9:
                    bw = sw * rng.uniform(0.04, 0.1)
                    draw.rectangle((bx, board + 3, bx + bw, board + (floor - top) / 5), fill=cloth(rng))
                    bx += bw + 1
        elif kind == 4:  # sofa or table on the floor
            fw, fh = rng.uniform(0.25, 0.5) * w, rng.uniform(0.1, 0.25) * floor
            draw.rectangle((x, floor - fh, x + fw, floor + fh * 0.3), fill=colour)
            draw.rectangle((x, floor - fh * 1.6, x + fw, floor - fh), fill=shade(colour, 0.85))
        else:  # floor lamp
            lw = rng.uniform(0.04, 0.08) * w
            top = floor * rng.uniform(0.15, 0.45)
            draw.rectangle((x + lw * 0.45, top, x + lw * 0.55, floor), fill=(60, 60, 60))
            draw.polygon(
                [(x + lw * 0.2, top), (x + lw * 0.8, top), (x + lw, top + lw), (x, top + lw)], fill=colour
            )


def room(rng, size, floor):
    """A blotchy wall with a gradient, a floor below row `floor`, and furniture."""
    w, h = size
    rows = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    wall_top, wall_bottom = _muted(rng), _muted(rng)
    floor_colour = _muted(rng, 40, 200) * rng.uniform(0.7, 1.0, 3)
    colours = wall_top * (1 - rows) + wall_bottom * rows
    colours[int(floor) :] = floor_colour * (0.85 + 0.3 * rows[int(floor) :])
    blotches = rng.normal(128, 40, (h // 12 + 2, w // 12 + 2)).clip(0, 255).astype(np.uint8)
    blotches = Image.fromarray(blotches).resize(size, Image.BILINEAR)
    texture = (np.asarray(blotches, dtype=np.float32) - 128) * rng.uniform(0.02, 0.12)
    image = Image.fromarray(
        np.clip(colours.astype(np.float32) + texture[:, :, None], 0, 255).astype(np.uint8)
    )
    draw = ImageDraw.Draw(image)
    _furniture(draw, rng, size, floor)
    draw.line((0, floor, w, floor), fill=tuple(int(c * 0.7) for c in floor_colour), width=max(1, h // 160))
    return image


def random_look(rng):
    """A camera and its lighting: fixed for a clip, new for every dataset image."""
    return dict(
        brightness=rng.uniform(0.65, 1.3),
        contrast=rng.uniform(0.7, 1.25),
        cast=rng.uniform(0.9, 1.1, 3).astype(np.float32),  # white balance
        side_light=rng.uniform(-0.15, 0.15),  # brighter on one side of the room,
        top_light=rng.uniform(-0.12, 0.12),  # and toward the ceiling or the floor
        blur=rng.uniform(0.2, 1.2) if rng.uniform() < 0.6 else 0.0,
        noise=rng.uniform(1, 7),
    )


def camera(image, look, rng):
    """Shrink the supersampled scene and pass it through the look's light, lens and sensor."""
    image = image.reduce(SUPERSAMPLE)
    pixels = np.asarray(image, dtype=np.float32)
    mean = pixels.mean()
    columns = np.linspace(-1, 1, pixels.shape[1], dtype=np.float32)[None, :, None]
    rows = np.linspace(1, -1, pixels.shape[0], dtype=np.float32)[:, None, None]
    pixels = ((pixels - mean) * look["contrast"] + mean) * look["brightness"] * look["cast"]
    pixels = pixels * (1 + look["side_light"] * columns + look["top_light"] * rows)
    image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    if look["blur"]:
        image = image.filter(ImageFilter.GaussianBlur(look["blur"]))
    pixels = np.asarray(image, dtype=np.float32)
    pixels += rng.standard_normal(pixels.shape, dtype=np.float32) * look["noise"]
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


class Room(NamedTuple):
    """A room and the camera in it: the same wall, light and framing for every picture taken there."""

    seed: int  # draws the wall, floor and furniture
    look: dict  # the camera's light, lens and sensor (random_look)
    distance: float  # a standing person's height, as a fraction of the band the page keeps
    feet: float  # the row the feet stand on, as a fraction of the band
    spot: tuple  # where the person stands: range of the pelvis's x, as fractions of the width
    depth: float  # how far above the feet the floor meets the wall, in standing heights


def random_room(rng):
    """A new room with a new camera: distance, height (where the feet land) and placement vary."""
    centre = rng.uniform(0.3, 0.7)
    return Room(
        seed=int(rng.integers(2**31)),
        look=random_look(rng),
        distance=rng.uniform(0.6, 0.78),
        feet=rng.uniform(0.88, 0.97),
        spot=(centre - 0.12, centre + 0.12),
        depth=rng.uniform(0.05, 0.3),
    )


def room_background(room_, size):
    """The room's empty picture, supersampled; the same for every picture taken in the room."""
    band = band_height(size)
    floor = (room_.feet - room_.depth * room_.distance) * band * SUPERSAMPLE
    rng = np.random.default_rng(room_.seed)
    return room(rng, (size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE), floor)


def place_in_room(room_, box, rng, size):
    """(scale, origin) of a figure with this box: its size is the room's (the camera distance, give
    or take a step), never the pose's; it stands on the room's feet row and is moved sideways only
    as far as it takes to keep the whole body in the picture."""
    width, band = size[0], band_height(size)
    y = room_.feet * band + rng.uniform(-0.015, 0.015) * band  # a step nearer or further
    # Arms raised high would leave the band the page keeps: such a figure steps back a little.
    scale = min(room_.distance * band * rng.uniform(0.95, 1.05), (y - 0.02 * band) / -box[1])
    x = rng.uniform(*room_.spot) * width
    left, right = box[0] * scale, box[2] * scale
    margin = 0.02 * width
    x = min(max(x, margin - left), width - margin - right) if right - left < width - 2 * margin else width / 2
    return scale, (x, y)


def draw_figure(image, parts, placement):
    """Draw parts placed for the final size onto the supersampled scene, with a shadow at the feet."""
    scale, (x, y) = placement[0] * SUPERSAMPLE, np.multiply(placement[1], SUPERSAMPLE)
    shadow = tuple(int(c * 0.6) for c in image.getpixel((int(min(x, image.width - 1)), int(y))))
    ImageDraw.Draw(image).ellipse(
        (x - 0.22 * scale, y - 0.02 * scale, x + 0.22 * scale, y + 0.02 * scale), fill=shadow
    )
    draw_parts(image, parts, scale, (x, y))


def render_in_room(person, room_, angles, rng, size=(320, 240), facing=None, background=None):
    """The person in this pose in this room, through the room's camera: an RGB image.

    background: room_background(room_, size), when the caller draws many pictures in one room.
    """
    return render_with_joints(person, room_, angles, rng, size, facing, background)[0]


# The figure's joints that BlazePose names too, per side (the hand's centre is about its wrist);
# the figure's "lead" and "rear" sides are BlazePose's left and right, whichever fits.
BLAZEPOSE_JOINTS = {
    "shoulder": "shoulder",
    "elbow": "elbow",
    "hand": "wrist",
    "hip": "hip",
    "knee": "knee",
    "ankle": "ankle",
}


def render_with_joints(person, room_, angles, rng, size=(320, 240), facing=None, background=None):
    """render_in_room's picture and where figure.skeleton's joints landed in it: (RGB image,
    {joint: (x, y) pixels}, standing height in pixels), so a pose model's answer can be held
    against the truth."""
    facing = rng.choice((-1, 1)) if facing is None else facing
    parts = figure_parts(person, angles, facing)
    image = (room_background(room_, size) if background is None else background).copy()
    scale, origin = place_in_room(room_, parts_box(parts), rng, size)
    draw_figure(image, parts, (scale, origin))
    joints = joint_pixels(person, angles, facing, parts, scale, origin)
    return camera(image, room_.look, rng), joints, person.height * scale


def joint_pixels(person, angles, facing, parts, scale, origin):
    """The skeleton's joints placed as figure_parts places its parts (mirrored to face the figure's
    way, feet on the ground line, in standing heights), then as the picture draws them. The
    placement's vertical offset is read off the last part, the lead hand, drawn at its joint."""
    joints, flip = skeleton(person, angles), np.array([1 if facing > 0 else -1, 1])
    hand = parts[-1]
    assert hand.kind == "ellipse", "figure_parts no longer ends with the lead hand"
    offset = hand.points[0] - joints["lead_hand"] * flip * person.height
    return {name: origin + (point * flip * person.height + offset) * scale for name, point in joints.items()}


def render_sequence(person, room_, angles, rng, size=(320, 240), facing=None):
    """The person moving through a list of poses in this room: an iterator of RGB images, one per
    angles dict. They keep their spot (placed once, for the box around all the poses) and the room
    is drawn once; the camera adds fresh sensor noise to every frame. The placement is drawn from
    rng at once, the noise as the images are taken."""
    facing = rng.choice((-1, 1)) if facing is None else facing
    frames = [figure_parts(person, pose, facing) for pose in angles]
    placement = place_in_room(room_, parts_box([part for parts in frames for part in parts]), rng, size)
    background = room_background(room_, size)

    def images():
        for parts in frames:
            image = background.copy()
            draw_figure(image, parts, placement)
            yield camera(image, room_.look, rng)

    return images()


def render_moving(clip_class, rng, size=(320, 240), length=config.SEQUENCE_LENGTH):
    """One clip of the class (motion.CLIP_NAMES): `length` RGB images of one random person,
    facing either way, moving in one random room seen by one camera."""
    person, room_, facing = random_person(rng), random_room(rng), rng.choice((-1, 1))
    return list(render_sequence(person, room_, clip_angles(clip_class, rng, length), rng, size, facing))


def render_empty_clip(rng, size=(320, 240), length=config.SEQUENCE_LENGTH):
    """An "other" clip with nobody in it: one empty random room, fresh sensor noise every frame."""
    room_ = random_room(rng)
    background = room_background(room_, size)
    return [render_empty(room_, rng, size, background) for _ in range(length)]


def render_pose(pose, rng, size=(320, 240)):
    """One random person in one random pose of the class, in a random room: an RGB image."""
    person, room_ = random_person(rng), random_room(rng)
    return render_in_room(person, room_, random_angles(pose, rng), rng, size)


def render_empty(room_, rng, size=(320, 240), background=None):
    """The room with nobody in it: what the camera sees while the player steps aside."""
    image = room_background(room_, size) if background is None else background
    return camera(image.copy(), room_.look, rng)


def render_card(rng, size=(320, 240)):
    """No room and no person: a plain or graded card with a few shapes, like a camera's test
    pattern, a wall filling the view or a covered lens."""
    w, h = size[0] * SUPERSAMPLE, size[1] * SUPERSAMPLE
    top, bottom = (np.array(cloth(rng, (0.05, 1.0)), dtype=np.float32) for _ in range(2))
    if rng.uniform() < 0.5:
        bottom = top
    rows = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    image = Image.fromarray((top * (1 - rows) + bottom * rows).repeat(w, axis=1).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    for _ in range(rng.integers(0, 4)):
        x, y, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.03, 0.2) * h
        box = (x - r, y - r, x + r, y + r)
        colour = cloth(rng, (0.05, 1.0))
        if rng.uniform() < 0.5:
            draw.pieslice(box, rng.uniform(0, 60), rng.uniform(300, 360), fill=colour)
        else:
            draw.rectangle(box, fill=colour)
    return camera(image, random_look(rng), rng)


def render_nobody(rng, size=(320, 240)):
    """A picture with no person: an empty random room, or a card."""
    return render_empty(random_room(rng), rng, size) if rng.uniform() < 0.6 else render_card(rng, size)
