"""Image files to frames (decode, check, crop, grey) and ffmpeg frame extraction."""

import os
import struct
import subprocess
import sys
import warnings
import zlib

import numpy as np
import pytest
from conftest import HOSTILE_NAME, assert_escaped
from PIL import Image, ImageFile

from tfjs_kombat import cli, config, frames
from tfjs_kombat.errors import UserError
from tfjs_kombat.frames import BadImage, load_image

SIZE = (40, 30)


def save(path, image, **options):
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, **options)
    return path


def enormous_png(path, width, height):
    """A valid 40x30 PNG whose IHDR claims width x height (with a correct CRC)."""
    save(path, Image.new("RGB", SIZE))
    data = bytearray(path.read_bytes())
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    path.write_bytes(bytes(data))
    return path


def zero_png(path, width, height, colour_type, bit_depth):
    """A valid PNG of zero samples (colour type 0: grey, 6: RGBA), written row by row: a huge picture
    that is tiny on disk, as zeros deflate about 1000:1, and never whole in the test's memory."""
    channels = {0: 1, 6: 4}[colour_type]
    row = bytes(1 + width * channels * bit_depth // 8)  # filter byte 0, then the samples
    deflate = zlib.compressobj(9)
    data = b"".join(deflate.compress(row) for _ in range(height)) + deflate.flush()

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )
    return path


def peak_mib(code, *args):
    """Run `code` (with sys.argv[1:] = args) in a fresh Python -> how many MiB its peak memory (RSS)
    grew while it ran, after the imports. A subprocess: the test's own peak would hide it. Read from
    VmHWM, the process's own high-water mark: ru_maxrss carries the parent's over exec on Linux, so a
    child of a big pytest worker would seem to grow by nothing."""
    script = (
        "import sys\n"
        "from tfjs_kombat import dataset, frames\n"
        "def peak():\n"
        "    with open('/proc/self/status') as status:\n"
        "        return next(int(line.split()[1]) for line in status if line.startswith('VmHWM:'))\n"
        "before = peak()\n"
        f"{code}\n"
        "print((peak() - before) // 1024)\n"
    )
    result = subprocess.run([sys.executable, "-c", script, *map(str, args)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return int(result.stdout.split()[-1])


def truncated_jpeg(path):
    save(path, Image.effect_noise(SIZE, 50).convert("RGB"), quality=95)
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    return path


# --- load_image ---------------------------------------------------------------------------------


def test_load_image_decodes_plain_rgb_with_uppercase_extension_and_unicode_name(tmp_path):
    path = save(tmp_path / "Schlag_ä_パンチ.JPEG", Image.new("RGB", SIZE, (10, 200, 30)), format="JPEG")
    image = load_image(path)
    assert image.mode == "RGB" and image.size == SIZE
    assert np.abs(np.asarray(image, dtype=int) - (10, 200, 30)).max() <= 3


def test_png_alpha_is_composited_on_white(tmp_path):
    rgba = Image.new("RGBA", SIZE, (200, 0, 0, 255))
    rgba.putpixel((0, 0), (0, 0, 255, 0))  # fully transparent blue -> white
    rgba.putpixel((1, 0), (0, 0, 0, 128))  # half transparent black -> mid grey
    image = load_image(save(tmp_path / "a.png", rgba))
    assert image.mode == "RGB"
    assert image.getpixel((0, 0)) == (255, 255, 255)
    assert all(abs(v - 127) <= 1 for v in image.getpixel((1, 0)))
    assert image.getpixel((5, 5)) == (200, 0, 0)


@pytest.mark.parametrize("mode", ["L", "LA", "P", "1"])
def test_grey_palette_and_bilevel_images_become_rgb(tmp_path, mode):
    source = Image.new("RGB", SIZE, (90, 90, 90))
    source.putpixel((3, 3), (255, 255, 255))
    converted = source.convert(mode, palette=Image.Palette.ADAPTIVE) if mode == "P" else source.convert(mode)
    image = load_image(save(tmp_path / f"{mode}.png", converted))
    pixels = np.asarray(image)
    assert image.mode == "RGB" and image.size == SIZE
    assert tuple(pixels[3, 3]) == (255, 255, 255)
    assert (pixels[:, :, 0] == pixels[:, :, 1]).all()  # still grey


def test_palette_transparency_is_composited(tmp_path):
    palette = Image.new("P", SIZE, 1)
    palette.putpalette([0, 0, 0, 200, 0, 0] + [0] * 762)
    palette.putpixel((0, 0), 0)
    image = load_image(save(tmp_path / "p.png", palette, transparency=0))
    assert image.getpixel((0, 0)) == (255, 255, 255)
    assert image.getpixel((5, 5)) == (200, 0, 0)


def test_cmyk_jpeg_keeps_its_colour(tmp_path):
    path = save(tmp_path / "cmyk.jpg", Image.new("RGB", SIZE, (200, 30, 40)).convert("CMYK"))
    assert Image.open(path).mode == "CMYK"
    image = load_image(path)
    assert image.mode == "RGB"
    assert np.abs(np.asarray(image, dtype=int) - (200, 30, 40)).max() <= 6


def test_16_bit_png_is_scaled_not_clipped(tmp_path):
    values = np.full(SIZE[::-1], 32896, np.uint16)
    values[0, 0], values[0, 1], values[0, 2] = 65535, 0, 257 * 10
    path = save(tmp_path / "deep.png", Image.fromarray(values))
    assert Image.open(path).mode in ("I;16", "I")
    pixels = np.asarray(load_image(path))
    assert tuple(pixels[0, 0]) == (255, 255, 255)
    assert tuple(pixels[0, 1]) == (0, 0, 0)
    assert tuple(pixels[0, 2]) == (10, 10, 10)
    assert tuple(pixels[5, 5]) == (128, 128, 128)


def test_32_bit_grey_mode_i_is_scaled_like_16_bit(tmp_path):
    values = np.full(SIZE[::-1], 65535, np.int32)
    values[0, 0] = 32896
    path = save(tmp_path / "deep.png", Image.fromarray(values), format="TIFF")  # mis-named, still an image
    assert Image.open(path).mode == "I"
    pixels = np.asarray(load_image(path))
    assert tuple(pixels[0, 0]) == (128, 128, 128) and tuple(pixels[1, 1]) == (255, 255, 255)


def test_exif_rotation_is_applied(tmp_path):
    source = Image.new("RGB", SIZE, (0, 0, 255))
    source.paste((255, 0, 0), (0, 0, 20, 30))  # left half red
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    image = load_image(save(tmp_path / "rotated.jpg", source, exif=exif, quality=95))
    assert image.size == (30, 40)
    assert image.getpixel((15, 5))[0] > 200  # the red half is now on top
    assert image.getpixel((15, 35))[2] > 200


@pytest.mark.parametrize(
    "make, reason",
    [
        (lambda p: p.write_bytes(b""), "empty file"),
        (lambda p: p.write_text("just some text\n"), "not an image"),
        (truncated_jpeg, "truncated image"),
    ],
)
def test_broken_files_raise_bad_image_with_a_reason(tmp_path, make, reason):
    path = tmp_path / "broken.jpg"
    make(path)
    with pytest.raises(BadImage) as caught:
        load_image(path)
    assert str(caught.value) == reason
    assert not ImageFile.LOAD_TRUNCATED_IMAGES  # never switched on globally


def test_only_regular_files_are_images(tmp_path):
    os.mkfifo(tmp_path / "fifo.jpg")
    (tmp_path / "zero.jpg").symlink_to("/dev/zero")
    for name in ("fifo.jpg", "zero.jpg"):
        with pytest.raises(BadImage, match="^not a regular file$"):
            load_image(tmp_path / name)


def test_missing_file_is_a_bad_image(tmp_path):
    with pytest.raises(BadImage, match="cannot read file"):
        load_image(tmp_path / "nope.jpg")


@pytest.mark.parametrize(
    "width, height, reason",
    [
        (10_000, 8_000, "declared size 10000x8000 is too large"),  # over ours, under Pillow's warning
        (12_000, 10_000, "declared size 12000x10000 is too large"),  # where Pillow would warn
        (100_000, 100_000, "declared size is too large"),  # where Pillow refuses at open
    ],
)
def test_enormous_declared_size_is_refused_without_decoding_or_warnings(tmp_path, width, height, reason):
    path = enormous_png(tmp_path / "bomb.png", width, height)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a leaked DecompressionBombWarning would raise here
        with pytest.raises(BadImage) as caught:
            load_image(path)
    assert str(caught.value).startswith(reason)


def test_enormous_png_helper_really_declares_that_size(tmp_path):
    path = enormous_png(tmp_path / "big.png", 10_000, 8_000)
    with Image.open(path) as image:
        assert image.size == (10_000, 8_000)


# The most a huge picture may add to a process's peak memory: a 7000x7000 RGBA PNG decodes to 187 MiB
# (Pillow cannot decode a PNG in parts), and once took 936 MiB on its way to a 100x56 frame.
HUGE_PICTURE_MIB = 320


@pytest.mark.parametrize(
    ("colour_type", "bit_depth", "grey"),
    [(6, 8, 255), (0, 16, 0)],  # RGBA: transparent, on white; 16-bit grey: black
    ids=["rgba", "grey16"],
)
def test_a_huge_png_becomes_a_frame_in_bounded_memory(tmp_path, colour_type, bit_depth, grey):
    path = zero_png(tmp_path / "huge.png", 7000, 7000, colour_type, bit_depth)
    assert path.stat().st_size < 200_000
    code = "frame = frames.photo_frame(sys.argv[1]); assert frame.shape == (56, 100, 3)"
    assert peak_mib(f"{code}; assert (frame == {grey}).all()", path) < HUGE_PICTURE_MIB


def test_a_huge_jpeg_is_decoded_smaller(tmp_path):
    path = tmp_path / "48mp.jpg"  # a phone's full resolution; made by ffmpeg, outside this process
    command = [frames.ffmpeg_executable(), "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=8000x6000"]
    subprocess.run([*command, "-frames:v", "1", str(path)], check=True)
    assert peak_mib("frames.photo_frame(sys.argv[1])", path) < 150  # 550 MiB: 144 MB, then copies
    assert load_image(path).size == (4000, 3000)  # libjpeg's 1/2 scale


def test_pictures_are_converted_band_by_band_exactly_as_whole(tmp_path, monkeypatch):
    source = Image.effect_noise(SIZE, 60).convert("RGB")
    alpha = Image.effect_noise(SIZE, 90)
    pictures = {
        "rgba.png": source.convert("RGBA"),
        "la.png": source.convert("LA"),
        "p.png": source.convert("P", palette=Image.Palette.ADAPTIVE),
        "bilevel.png": source.convert("1"),
        "grey16.png": Image.fromarray(np.asarray(source.convert("L"), dtype=np.uint16) * 257 + 100),
        "cmyk.jpg": source.convert("CMYK"),
    }
    pictures["rgba.png"].putalpha(alpha)
    pictures["la.png"].putalpha(alpha)
    monkeypatch.setattr(frames, "BAND_ROWS", 7)  # 30 rows: four bands and a short one
    for name, picture in pictures.items():
        path = save(tmp_path / name, picture, **({"transparency": 3} if name == "p.png" else {}))
        with Image.open(path) as whole:
            whole.load()
            assert np.array_equal(np.asarray(load_image(path)), np.asarray(frames.to_rgb(whole))), name


def test_a_picture_over_the_reduction_threshold_is_decoded_smaller(tmp_path, monkeypatch):
    source = Image.effect_noise((80, 60), 60).convert("RGB")
    source.paste((255, 0, 0), (0, 0, 40, 60))  # left half red
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90 clockwise to display"
    jpeg = save(tmp_path / "rotated.jpg", source, exif=exif, quality=95)
    png = save(tmp_path / "picture.png", source)
    with Image.open(png) as whole:
        reduced_whole = frames.to_rgb(whole).reduce(2)
    monkeypatch.setattr(frames, "REDUCE_ABOVE_PIXELS", 80 * 60 // 4)
    monkeypatch.setattr(frames, "BAND_ROWS", 7)  # odd: bands still hold whole 2x2 boxes
    assert np.array_equal(np.asarray(load_image(png)), np.asarray(reduced_whole))
    image = load_image(jpeg)  # libjpeg's 1/2 scale, then the rotation
    assert image.size == (30, 40)
    assert image.getpixel((15, 5))[0] > 200 and image.getpixel((15, 35))[0] < 200  # the red half on top


@pytest.mark.parametrize(
    ("size", "box"),
    [
        ((640, 480), (0, 0, 640, 358)),  # webcam 4:3: the top band, full width
        ((1280, 720), (0, 0, 1280, 717)),  # 16:9 is almost exactly 100:56
        ((300, 100), (60, 0, 239, 100)),  # wider than 100:56: the centre
    ],
)
def test_crop_top_band(size, box):
    image = Image.new("RGB", size)
    assert frames.crop_top_band(image).size == (box[2] - box[0], box[3] - box[1])


def test_to_frame_keeps_the_top_band_only():
    image = Image.new("RGB", (640, 480), "white")
    image.paste((255, 0, 0), (0, 360, 640, 480))  # red below the band: never seen
    frame = np.asarray(frames.to_frame(image))
    assert frame.shape == (56, 100, 3)
    assert (frame == 255).all()


def test_grayscale_is_the_pages_rounded_average():
    pixels = np.array([[[255, 0, 0], [10, 20, 31], [1, 2, 2]]], dtype=np.uint8)
    grey = frames.grayscale(pixels)
    assert grey[0, :, 0].tolist() == [85, 20, 2]  # 85, 20.33, 1.67 rounded
    assert (grey[..., 0] == grey[..., 1]).all() and (grey[..., 1] == grey[..., 2]).all()


def test_photo_frame_is_the_grey_top_band_of_any_image_file(tmp_path):
    image = Image.new("RGBA", (640, 480), (30, 60, 90, 255))
    image.paste((255, 0, 0, 255), (0, 360, 640, 480))  # below the band: never seen
    frame = frames.photo_frame(save(tmp_path / "photo.png", image))
    assert frame.shape == (56, 100, 3) and frame.dtype == np.uint8
    assert (frame == 60).all()  # the average of 30, 60, 90 in every channel
    (tmp_path / "notes.jpg").write_text("not an image")
    with pytest.raises(BadImage, match="not an image"):
        frames.photo_frame(tmp_path / "notes.jpg")


def write_video(path, count=12, size=(64, 48)):
    """A tiny video made by ffmpeg from frames of known colours."""
    process = subprocess.Popen(
        [
            frames.ffmpeg_executable(),
            "-v",
            "error",
            "-f",
            "rawvideo",
            "-pix_fmt",
            "rgb24",
            "-s",
            f"{size[0]}x{size[1]}",
            "-r",
            "10",
            "-i",
            "-",
            "-pix_fmt",
            "yuv420p",
            str(path),
        ],
        stdin=subprocess.PIPE,
    )
    for i in range(count):
        process.stdin.write(np.full((size[1], size[0], 3), i * 240 // count, np.uint8).tobytes())
    process.stdin.close()
    assert process.wait() == 0


def test_extract_frames_from_a_generated_video(tmp_path):
    video = tmp_path / "clip.mp4"
    write_video(video)
    written = frames.extract_frames(video, tmp_path / "out")
    assert [p.name for p in written] == [f"{i:03d}.jpg" for i in range(1, 13)]
    brightness = [np.asarray(Image.open(p)).mean() for p in written]
    assert brightness == sorted(brightness) and brightness[-1] - brightness[0] > 140


def test_extract_frames_at_a_lower_rate(tmp_path):
    video = tmp_path / "clip.mp4"
    write_video(video, count=20)
    assert len(frames.extract_frames(video, tmp_path / "out", fps=5)) == 10


def test_fps_above_the_videos_own_rate_keeps_each_frame_once(tmp_path, capsys):
    video = tmp_path / "clip.mp4"
    write_video(video)  # 12 frames at 10 fps; at 1000 fps, ffmpeg would repeat each 100 times
    assert cli.main(["frames", str(video), str(tmp_path / "out"), "--fps", "1000"]) == 0
    every = frames.extract_frames(video, tmp_path / "every")
    written = sorted((tmp_path / "out").glob("*.jpg"))
    assert [p.read_bytes() for p in written] == [p.read_bytes() for p in every]
    assert "--fps 1000 is above the video's own 10 fps: keeping each frame once" in capsys.readouterr().out


def test_fps_below_the_videos_own_rate_is_kept_and_29_97_is_read_exactly(tmp_path):
    video = tmp_path / "ntsc.mp4"
    subprocess.run(
        [frames.ffmpeg_executable(), "-v", "error", "-f", "lavfi", "-i", "testsrc=size=64x48:rate=30000/1001"]
        + ["-t", "1", "-pix_fmt", "yuv420p", str(video)],
        check=True,
    )
    assert frames.capped_fps(video, 5) == 5
    assert frames.capped_fps(video, None) is None  # every frame, as without --fps
    assert frames.capped_fps(video, 30) == 30000 / 1001
    assert frames.capped_fps(tmp_path / "missing.mp4", 30) == 30  # extract_frames says what is wrong


def test_a_video_that_gives_too_many_frames_is_refused_and_writes_nothing(tmp_path, monkeypatch, capsys):
    video = tmp_path / "clip.mp4"
    write_video(video)  # 12 frames at 10 fps
    monkeypatch.setattr(config, "MAX_VIDEO_FRAMES", 5)
    assert cli.main(["frames", str(video), str(tmp_path / "out")]) == 2
    assert "gives more than 5 frames at its own rate, the most one video may give" in capsys.readouterr().err
    assert not list((tmp_path / "out").rglob("*"))
    assert 0 < len(frames.extract_frames(video, tmp_path / "out", fps=2)) <= 5  # fewer per second fit
    with pytest.raises(frames.BadVideo, match="^gives more than 5 frames at 10 fps, the most"):
        frames.video_frame_count(video, fps=10)


def test_an_interrupted_extraction_leaves_no_frame_and_a_rerun_works(tmp_path, monkeypatch):
    video = tmp_path / "clip.mp4"
    write_video(video)
    run = subprocess.run

    def interrupted_after_ffmpeg(command, **options):
        result = run(command, **options)
        if command[-1].endswith("%03d.jpg"):
            raise KeyboardInterrupt  # Ctrl-C just as ffmpeg has written the frames
        return result

    monkeypatch.setattr(subprocess, "run", interrupted_after_ffmpeg)
    with pytest.raises(KeyboardInterrupt):
        frames.extract_frames(video, tmp_path / "out")
    assert not list((tmp_path / "out").rglob("*"))
    monkeypatch.undo()
    assert len(frames.extract_frames(video, tmp_path / "out")) == 12


def test_frames_join_what_the_folder_already_holds(tmp_path):
    video = tmp_path / "clip.mp4"
    write_video(video)
    assert len(frames.extract_frames(video, tmp_path)) == 12  # beside the video, as the article's ffmpeg
    assert sorted(path.name for path in tmp_path.iterdir())[-2:] == ["012.jpg", "clip.mp4"]


def test_bad_videos_are_clear_errors(tmp_path):
    with pytest.raises(UserError, match="no such video"):
        frames.extract_frames(tmp_path / "missing.mov", tmp_path / "out")
    not_a_video = tmp_path / "notes.mov"
    not_a_video.write_text("hello")
    with pytest.raises(UserError, match="ffmpeg could not read"):
        frames.extract_frames(not_a_video, tmp_path / "out")
    assert not list((tmp_path / "out").glob("*.jpg"))


def test_cli_refuses_to_mix_with_existing_frames(tmp_path, capsys):
    video = tmp_path / "clip.mp4"
    write_video(video)
    assert cli.main(["frames", str(video), str(tmp_path / "out")]) == 0
    assert cli.main(["frames", str(video), str(tmp_path / "out")]) == 2
    assert "already holds" in capsys.readouterr().err
    assert cli.main(["frames", str(video), str(tmp_path / "other"), "--fps", "nan"]) == 2
    assert "--fps must be positive and finite, got nan" in capsys.readouterr().err


def test_names_are_printed_escaped(tmp_path, capsys):
    video = tmp_path / f"clip{HOSTILE_NAME}.mp4"
    write_video(video)
    assert cli.main(["frames", str(video), str(tmp_path / f"out{HOSTILE_NAME}")]) == 0
    assert_escaped(capsys.readouterr().out)
    assert cli.main(["frames", str(tmp_path / f"gone{HOSTILE_NAME}.mov"), str(tmp_path / "out")]) == 2
    assert_escaped(capsys.readouterr().err)
    not_a_video = tmp_path / f"notes{HOSTILE_NAME}.mov"
    not_a_video.write_text("hello")
    assert cli.main(["frames", str(not_a_video), str(tmp_path / "out")]) == 2
    assert_escaped(capsys.readouterr().err)  # ffmpeg's own message names the file too
