"""import: images and clips gathered from folders, class-named videos and clip videos (sources.py)."""

import contextlib
import os
import signal

from importer_helpers import added, clip_rows, frame, jpeg, make_zip, png, tree
from test_frames import write_video

from tfjs_kombat import cli, config, importer
from tfjs_kombat.frames import load_image
from tfjs_kombat.importer import sources


def test_a_folder_of_class_folders(tmp_path):
    source = tmp_path / "recorded"
    for shade, name in enumerate(("punches", "kicks", "others")):
        (source / name).mkdir(parents=True)
        for index in range(2):
            (source / name / f"{index}.png").write_bytes(png(index, 60 * shade))
    (source / "kicks" / "photo.JPEG").write_bytes(jpeg(1))
    (source / "kicks" / "deeper").mkdir()
    report = importer.import_source(source, tmp_path / "mine")
    assert added(report) == {"punches": 2, "kicks": 3, "others": 2}
    assert len(list((tmp_path / "mine" / "kicks").glob("*.jpeg"))) == 1
    assert report["skipped"] == [{"path": "kicks/deeper", "reason": "a folder nested deeper than class/file"}]
    assert len(tree(source)) == 7  # the source is only read


@contextlib.contextmanager
def deadline(seconds):
    """Fail instead of hanging: SIGALRM interrupts a blocking open() or an endless read."""

    def expired(signum, frame):
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_only_regular_files_are_read(tmp_path):
    source = tmp_path / "recorded"
    (source / "punches").mkdir(parents=True)
    (source / "punches" / "a.png").write_bytes(png(1))
    os.mkfifo(source / "punches" / "fifo.jpg")  # opening it waits for a writer forever
    (source / "punches" / "zero.jpg").symlink_to("/dev/zero")  # reading it never ends
    os.mkfifo(source / "kicks.mp4")
    with deadline(20):
        report = importer.import_source(source, tmp_path / "mine")
    assert added(report) == {"punches": 1, "kicks": 0, "others": 0}
    assert report["skipped"] == [
        {"path": name, "reason": "not a regular file"}
        for name in ("kicks.mp4", "punches/fifo.jpg", "punches/zero.jpg")
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine", "recorded"]


def test_class_named_videos_become_frames(tmp_path):
    source = tmp_path / "videos"
    (source / "kicks").mkdir(parents=True)
    write_video(source / "punches.mp4", count=12)
    write_video(source / "kicks" / "take1.mp4", count=12, size=(48, 32))
    write_video(source / "Other Stuff.mp4", count=2)
    report = importer.import_source(source, tmp_path / "mine", fps=5)
    assert added(report) == {"punches": 6, "kicks": 6, "others": 0}  # 12 frames at 10 fps, kept at 5
    frame = load_image(next((tmp_path / "mine" / "punches").glob("*.jpg")))
    assert frame.size == (64, 48)
    assert "not a class name" in report["skipped"][0]["reason"]


def test_fps_above_a_videos_own_rate_stages_each_frame_once(tmp_path, capsys):
    write_video(tmp_path / "kicks.mp4", count=12)  # 10 fps
    report = importer.import_source(tmp_path / "kicks.mp4", tmp_path / "mine", fps=1000)
    row = report["classes"]["kicks"]
    assert (row["added"], row["duplicates"]) == (12, 0)  # repeated frames would come back as duplicates
    out = capsys.readouterr().out
    assert "kicks.mp4: 12 frames at 10 fps (the video's own rate; --fps 1000 would repeat them)" in out


def test_a_video_that_gives_too_many_frames_is_skipped(tmp_path, monkeypatch):
    source = tmp_path / "videos"
    (source / "punches").mkdir(parents=True)
    (source / "punches" / "a.png").write_bytes(png(1))
    write_video(source / "kicks.mp4", count=12)
    monkeypatch.setattr(config, "MAX_VIDEO_FRAMES", 5)
    report = importer.import_source(source, tmp_path / "mine")
    assert added(report) == {"punches": 1, "kicks": 0, "others": 0}
    [skipped] = report["skipped"]
    assert skipped["path"] == "kicks.mp4"
    assert "gives more than 5 frames at 10 fps, the most one video may give" in skipped["reason"]


def test_a_single_class_named_video(tmp_path):
    write_video(tmp_path / "others.mp4", count=10)
    report = importer.import_source(tmp_path / "others.mp4", tmp_path / "mine")
    assert added(report)["others"] == 10


def test_clip_folders_in_a_folder(tmp_path):
    source = tmp_path / "recorded"
    for name, count in {"kicks/one": 3, "kicks/two": 2, "back_kicks/turn": 4}.items():
        (source / name).mkdir(parents=True)
        for index in range(count):
            (source / name / f"{index + 1:03d}.jpg").write_bytes(frame(10 * len(name) + index))
    (source / "kicks" / "one" / "notes.txt").write_text("left foot")
    (source / "kicks" / "one" / "cover.png").write_bytes(png(7))  # an image, but no frame number
    (source / "kicks" / "one" / ".DS_Store").write_bytes(b"metadata")
    (source / "kicks" / "one" / "deeper").mkdir()
    (source / "kicks" / "photos").mkdir()
    (source / "kicks" / "photos" / "me.png").write_bytes(png(8))
    report = importer.import_source(source, tmp_path / "mine")
    assert {path.name: len(list(path.iterdir())) for path in (tmp_path / "mine" / "kicks").iterdir()} == {
        "one": 3,
        "two": 2,
    }
    assert len(list((tmp_path / "mine" / "back_kicks" / "turn").iterdir())) == 4
    assert {name: row["added"] for name, row in clip_rows(report).items()} == {"kicks": 2, "back_kicks": 1}
    reasons = {entry["path"]: entry["reason"] for entry in report["skipped"]}
    assert set(reasons) == {"kicks/one/notes.txt", "kicks/one/cover.png", "kicks/one/deeper", "kicks/photos"}
    assert "not an image" in reasons["kicks/one/notes.txt"]
    assert "not a clip frame" in reasons["kicks/one/cover.png"]
    assert reasons["kicks/one/deeper"] == "a folder nested deeper than class/clip/frame"
    assert reasons["kicks/photos"].startswith("a folder nested deeper than class/file, with no clip frames")
    assert len(tree(source)) == 13  # the source is only read


def test_videos_in_clip_classes_become_clips_at_the_clip_rate(tmp_path):
    source = tmp_path / "videos"
    (source / "roundhouses").mkdir(parents=True)
    (source / "kicks").mkdir()
    write_video(source / "roundhouses" / "spin.mp4", count=12)  # 1.2 s at 10 fps
    write_video(source / "kicks" / "take1.mp4", count=8)  # a frame class: single images, as before
    write_video(source / "back_kicks.mp4", count=4)  # many moves in one video: which frames are one?
    report = importer.import_source(source, tmp_path / "mine", fps=5)
    spin = tmp_path / "mine" / "roundhouses" / "spin"
    assert [path.name for path in sorted(spin.iterdir())] == [f"{i:03d}.jpg" for i in range(1, 13)]
    assert load_image(spin / "001.jpg").size == (64, 48)  # the whole picture, as the record page saves it
    assert added(report)["kicks"] == 4 and not [
        p for p in (tmp_path / "mine" / "kicks").iterdir() if p.is_dir()
    ]
    assert report["skipped"] == [
        {
            "path": "back_kicks.mp4",
            "reason": "back_kicks/ holds clips, one move each: put each clip's video in back_kicks/ "
            "(back_kicks/<clip>.mp4)",
        }
    ]
    assert config.CLIP_FPS == 10  # the video's own rate: one frame each


def test_with_clips_every_video_in_a_class_folder_is_a_clip(tmp_path, capsys):
    source = tmp_path / "videos"
    (source / "kicks").mkdir(parents=True)
    write_video(source / "kicks" / "take1.mp4", count=6)
    write_video(source / "kicks" / "take2.webm", count=3)
    write_video(source / "punches.mp4", count=4)  # a class-named video is still a source of images
    assert cli.main(["import", str(source), "--into", str(tmp_path / "mine"), "--clips"]) == 0
    kicks = tmp_path / "mine" / "kicks"
    assert {path.name: len(list(path.iterdir())) for path in kicks.iterdir()} == {"take1": 6, "take2": 3}
    assert len(list((tmp_path / "mine" / "punches").glob("*.jpg"))) == 4
    assert "kicks/take1.mp4: a clip of 6 frames at 10 fps for kicks/" in capsys.readouterr().out


def test_clip_videos_in_a_zip(tmp_path):
    write_video(tmp_path / "spin.mp4", count=5)
    write_video(tmp_path / "take.mp4", count=3)
    entries = {
        "roundhouses/spin.mp4": (tmp_path / "spin.mp4").read_bytes(),
        "kicks/take.mp4": (tmp_path / "take.mp4").read_bytes(),
    }
    source = make_zip(tmp_path / "x.zip", entries)
    report = importer.import_source(source, tmp_path / "mine")
    assert len(list((tmp_path / "mine" / "roundhouses" / "spin").iterdir())) == 5
    assert report["skipped"] == [
        {
            "path": "kicks/take.mp4",
            "reason": "a video: zips are read for images and clips; import videos from a folder",
        }
    ]
    report = importer.import_source(source, tmp_path / "mine", video_clips=True)
    assert len(list((tmp_path / "mine" / "kicks" / "take").iterdir())) == 3
    assert report["clips"]["roundhouses"]["duplicates"] == 1


def test_a_clip_video_too_long_or_broken_is_skipped(tmp_path, monkeypatch):
    source = tmp_path / "videos"
    (source / "roundhouses").mkdir(parents=True)
    write_video(source / "roundhouses" / "long.mp4", count=8)
    write_video(source / "roundhouses" / "short.mp4", count=3)
    (source / "roundhouses" / "broken.mp4").write_bytes(b"not a video")
    monkeypatch.setattr(sources, "MAX_CLIP_FRAMES", 5)
    report = importer.import_source(source, tmp_path / "mine")
    assert sorted(path.name for path in (tmp_path / "mine" / "roundhouses").iterdir()) == ["short"]
    reasons = {entry["path"]: entry["reason"] for entry in report["skipped"]}
    assert reasons["roundhouses/long.mp4"] == "longer than 0.5 s: a clip is one move; cut it into clips"
    assert reasons["roundhouses/broken.mp4"].startswith("ffmpeg could not read")
