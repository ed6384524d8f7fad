"""import: the report, and what it counts is what `tfjs-kombat dataset` reads (report.py)."""

from importer_helpers import frame, make_zip
from test_frames import write_video

from tfjs_kombat import dataset, importer
from tfjs_kombat.datafolder import VIDEO_EXTENSIONS


def test_a_dataset_of_clips_only_reports_clips(tmp_path, capsys):
    importer.import_source(make_zip(tmp_path / "x.zip", {"kicks/a/001.jpg": frame(1)}), tmp_path / "mine")
    out = capsys.readouterr().out
    assert "has no images yet" not in out and "balance:" not in out
    assert out.splitlines()[-1].startswith("next: make train DATA=")


def test_every_video_import_counts_as_a_clip_is_a_clip_the_dataset_reads(tmp_path):
    data = tmp_path / "mine"
    (data / "roundhouses").mkdir(parents=True)
    for extension in VIDEO_EXTENSIONS:
        write_video(data / "roundhouses" / f"take{extension}", count=5)
    report = importer.import_source(make_zip(tmp_path / "x.zip", {"back_kicks/a/001.jpg": frame(1)}), data)
    assert report["clips"]["roundhouses"]["total"] == len(VIDEO_EXTENSIONS)
    clips = dataset.scan(data).clips["roundhouses"]
    assert sorted(clip.path.suffix for clip in clips) == sorted(VIDEO_EXTENSIONS)
    assert {clip.frames for clip in clips} == {5}
