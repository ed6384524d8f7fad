"""Browser tests of the record page (web/record.html) in Debian's Chromium, driven by Playwright.

The fake camera plays a rendered clip (a person idling, punching and kicking). Two user sessions
run once each: one records single frames — hold a key per class, hold a button for an extra class,
delete frames, export — and the tests check what the page showed, that `tfjs-kombat import` takes
the zip whole, and that the imported frames train; the other records clips — each hold one clip —
and the tests check that record -> export -> import keeps every clip apart, frame for frame.
"""

import re
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from tfjs_kombat import config, importer, webconfig

SCREENSHOT = Path("/tmp/record.png")
RATE = 10  # frames per second while a class is held
HOLD_S = 2.0  # per class: about 20 frames at 10/s; the clip loops every 11.6 s, so no frame repeats
MIN_FRAMES = 12
EXTRA_CLASS = "block"
ZIP_NAME = "tfjs-kombat-recording.zip"


@pytest.fixture(scope="module")
def site(web_server):
    return web_server


@pytest.fixture(scope="module")
def chromium(fighter_browser):
    return fighter_browser


def open_page(browser, url, init_script=None):
    """A record page, with the console errors it raised and every URL it requested."""
    page = browser.new_page(viewport={"width": 1180, "height": 900})
    page.errors, page.requests = [], []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on("request", lambda request: page.requests.append(request.url))
    if init_script:
        page.add_init_script(init_script)
    page.goto(f"{url}/record.html")
    page.wait_for_function("window.kombatRecorder !== undefined")
    return page


def counts(page):
    page.wait_for_timeout(300)  # a frame taken just before the release may still be encoding
    return page.evaluate("window.kombatRecorder.counts()")


def hold_key(page, key, seconds, screenshot=None):
    page.keyboard.down(key)
    if screenshot:  # mid-hold; the hold stays `seconds` long however long the screenshot takes
        page.wait_for_timeout(seconds * 500)
        started = time.monotonic()
        page.screenshot(path=str(screenshot), full_page=True)
        page.wait_for_timeout(max(0.0, seconds * 500 - 1000 * (time.monotonic() - started)))
    else:
        page.wait_for_timeout(seconds * 1000)
    page.keyboard.up(key)
    return counts(page)


@pytest.fixture(scope="module")
def session(chromium, site, tmp_path_factory):
    """One recording session driven like a user; returns what the page showed after each step."""
    page = open_page(chromium, site)
    page.wait_for_selector(".record-button:enabled")  # the camera runs
    page.check('input[name="mode"][value="frames"]')
    page.select_option("#rate", str(RATE))
    steps = {"start": counts(page)}
    started = time.monotonic()
    steps["punch"] = hold_key(page, "1", HOLD_S)
    steps["kick"] = hold_key(page, "2", HOLD_S, screenshot=SCREENSHOT)
    steps["other"] = hold_key(page, "3", HOLD_S)
    page.evaluate("document.getElementById('camera').pause()")  # the same picture, again and again
    steps["frozen"] = hold_key(page, "3", 0.6)
    page.evaluate("document.getElementById('camera').play()")

    page.fill("#class-name", "Not A Folder!")
    page.click("#add-class button")
    bad_name = page.text_content("#class-error")
    page.fill("#class-name", EXTRA_CLASS)
    page.click("#add-class button")
    extra = page.locator(f'.class-card[data-folder="{EXTRA_CLASS}"]')
    extra.locator(".record-button").hover()
    page.mouse.down()
    page.wait_for_timeout(1000)
    page.mouse.up()
    steps["extra"] = counts(page)
    recording_s = time.monotonic() - started

    page.fill("#class-name", "wave")
    page.press("#class-name", "Enter")
    wave = page.locator('.class-card[data-folder="wave"]')
    steps["wave"] = hold_key(page, wave.locator("kbd").text_content(), 0.5)
    clear = wave.get_by_role("button", name=re.compile(r"^Clear"))
    clear.click()
    steps["wave armed"] = counts(page)  # a first click only asks
    clear_question = clear.text_content()
    clear.click()
    steps["wave cleared"] = counts(page)
    page.locator('.class-card[data-folder="punches"] .thumb').first.click()
    page.keyboard.press("Delete")
    steps["deleted by key"] = counts(page)
    kicks = page.locator('.class-card[data-folder="kicks"]')
    kicks.locator(".thumb").nth(3).click()
    kicks.get_by_role("button", name="Delete selected").click()
    steps["deleted by button"] = counts(page)

    with page.expect_download() as download:
        page.click("#export")
    zip_path = tmp_path_factory.mktemp("export") / ZIP_NAME
    download.value.save_as(zip_path)
    result = SimpleNamespace(
        steps=steps,
        bad_name=bad_name,
        extra_key=extra.locator("kbd").text_content(),
        clear_question=clear_question,
        folders=page.eval_on_selector_all(".class-card", "cards => cards.map((card) => card.dataset.folder)"),
        labels=page.locator(".class-card h3").all_text_contents(),
        preview=page.eval_on_selector("#preview", "canvas => [canvas.width, canvas.height]"),
        recording_s=recording_s,
        download_name=download.value.suggested_filename,
        zip_path=zip_path,
        errors=page.errors,
        requests=page.requests,
        origin=site,
    )
    page.close()
    return result


def grew(before, after):
    return {
        folder: after[folder] - before.get(folder, 0)
        for folder in after
        if after[folder] != before.get(folder)
    }


def test_page_matches_the_pipeline_config(session):
    assert session.folders[:3] == list(config.CLASS_DIRS)
    assert session.labels[:3] == list(config.CLASS_NAMES)
    assert session.folders[:5] == list(config.CLIP_CLASS_DIRS)
    assert session.labels[:5] == [name.replace("_", " ") for name in config.CLIP_CLASS_NAMES]
    assert session.preview == [config.FRAME_WIDTH, config.FRAME_HEIGHT]


def test_the_page_takes_its_frame_and_classes_from_the_generated_constants(
    chromium, copy_web, serve_web, tmp_path, monkeypatch
):
    root = copy_web(tmp_path / "web")
    monkeypatch.setattr(config, "FRAME_WIDTH", 64)
    monkeypatch.setattr(config, "FRAME_HEIGHT", 40)
    monkeypatch.setattr(config, "CLASS_DIRS", ("jabs", "roundhouses", "idles"))
    monkeypatch.setattr(config, "CLIP_CLASS_DIRS", ("jabs", "roundhouses", "idles", "spins"))
    monkeypatch.setattr(config, "CLIP_CLASS_NAMES", ("jab", "roundhouse", "idle", "spin"))
    webconfig.write_constants(root)
    with serve_web(root) as url:
        page = open_page(chromium, url)
        folders = page.eval_on_selector_all(".class-card", "cards => cards.map((c) => c.dataset.folder)")
        clips_only = page.eval_on_selector_all(
            ".class-card:has(.tag)", "cards => cards.map((c) => c.dataset.folder)"
        )
        preview = page.eval_on_selector("#preview", "canvas => [canvas.width, canvas.height]")
        page.close()
    assert folders == ["jabs", "roundhouses", "idles", "spins"]
    assert clips_only == ["spins"]
    assert preview == [64, 40]


def test_holding_a_key_records_only_that_class(session):
    steps = session.steps
    assert steps["start"] == dict.fromkeys(config.CLIP_CLASS_DIRS, 0)
    for previous, step, folder in (
        ("start", "punch", "punches"),
        ("punch", "kick", "kicks"),
        ("kick", "other", "others"),
    ):
        change = grew(steps[previous], steps[step])
        assert list(change) == [folder], (step, change)
        assert MIN_FRAMES <= change[folder] <= RATE * HOLD_S + 3, (step, change)
    assert session.recording_s < 11, "longer than the clip's loop: frames could repeat across classes"


def test_a_picture_that_did_not_change_is_kept_once(session):
    change = grew(session.steps["other"], session.steps["frozen"])
    assert change in ({}, {"others": 1}), change


def test_extra_class_is_validated_keyed_and_recorded_by_pointer(session):
    assert "lower-case" in session.bad_name
    assert session.folders == [*config.CLIP_CLASS_DIRS, EXTRA_CLASS, "wave"]
    assert session.extra_key == str(len(config.CLIP_CLASS_DIRS) + 1)
    change = grew(session.steps["frozen"], session.steps["extra"])
    assert list(change) == [EXTRA_CLASS] and change[EXTRA_CLASS] >= 5, change


def test_clearing_a_class_asks_first_and_leaves_it_out_of_the_zip(session):
    steps = session.steps
    recorded = steps["wave"]["wave"]
    assert recorded >= 3
    assert steps["wave armed"]["wave"] == recorded
    assert session.clear_question == f"Clear {recorded}? Click again"
    assert grew(steps["wave"], steps["wave cleared"]) == {"wave": -recorded}


def test_deleting_a_thumbnail_drops_one_frame(session):
    steps = session.steps
    assert grew(steps["wave cleared"], steps["deleted by key"]) == {"punches": -1}
    assert grew(steps["deleted by key"], steps["deleted by button"]) == {"kicks": -1}


def test_export_is_one_zip_of_the_kept_frames(session):
    assert session.download_name == ZIP_NAME
    final = session.steps["deleted by button"]
    with zipfile.ZipFile(session.zip_path) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
    expected = [f"{folder}/{i:04d}.jpg" for folder, count in final.items() for i in range(1, count + 1)]
    assert names == expected
    assert final["wave"] == 0 and not any(name.startswith("wave/") for name in names)


def test_nothing_leaves_the_machine_and_no_errors(session):
    assert session.errors == []
    elsewhere = [url for url in session.requests if not url.startswith((session.origin, "blob:", "data:"))]
    assert elsewhere == []


def test_import_takes_every_frame_once(session, tmp_path):
    exported = {folder: count for folder, count in session.steps["deleted by button"].items() if count}
    report = importer.import_source(session.zip_path, into=tmp_path / "mine")
    assert report["skipped"] == [] and report["conflicts"] == []
    assert set(report["classes"]) == set(exported)
    for folder, count in exported.items():
        row = report["classes"][folder]
        assert row == {"added": count, "duplicates": 0, "unreadable": 0, "total": count}, folder
        assert count >= MIN_FRAMES or folder == EXTRA_CLASS
    again = importer.import_source(session.zip_path, into=tmp_path / "mine")
    assert {folder: row["added"] for folder, row in again["classes"].items()} == dict.fromkeys(exported, 0)


def test_recorded_frames_train(session, train_small, tmp_path):
    importer.import_source(session.zip_path, into=tmp_path / "mine")
    # That an export trains, not how well: one epoch.
    work = (tmp_path / "mine", tmp_path, tmp_path / "cache")
    manifest, reports = train_small(*work, count=2, epochs={"punch_kick": 1})
    assert all(manifest["test"][folder] for folder in config.CLASS_DIRS)
    assert set(reports) == {"punch_kick"}  # the default recipe's one head
    assert 0.0 <= reports["punch_kick"]["test_accuracy"] <= 1.0
    assert (tmp_path / "models" / "punch_kick.keras").is_file()


def test_the_page_may_not_send_anything(chromium, site):
    """Its Content-Security-Policy forbids fetch/XHR/beacons, even to its own server."""
    page = open_page(chromium, site)
    attempt = "url => fetch(url).then(() => 'sent', () => 'blocked')"
    assert page.evaluate(attempt, f"{site}/record.html") == "blocked"
    assert page.evaluate(attempt, "https://example.com/") == "blocked"
    beacon = """() => new Promise((resolve) => {
      document.addEventListener('securitypolicyviolation', (event) => resolve(event.effectiveDirective));
      navigator.sendBeacon('/collect', 'frames');
      setTimeout(() => resolve('sent'), 2000);
    })"""
    assert page.evaluate(beacon) == "connect-src"
    page.close()


DENY_CAMERA = """
navigator.mediaDevices.getUserMedia = () =>
  Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));
"""


def test_camera_denied_says_so_and_disables_recording(chromium, site):
    page = open_page(chromium, site, init_script=DENY_CAMERA)
    message = page.locator("#message.error")
    message.wait_for()
    assert "Camera access was denied" in message.text_content()
    assert page.locator("#camera-pair").is_hidden()
    assert page.locator(".record-button:enabled").count() == 0
    page.keyboard.down("1")
    page.wait_for_timeout(400)
    page.keyboard.up("1")
    assert page.evaluate("window.kombatRecorder.counts()") == dict.fromkeys(config.CLIP_CLASS_DIRS, 0)
    assert page.locator("#export").is_disabled()
    page.close()


COUNT_PREVIEW_DRAWS = """
  window.previewDraws = 0;
  const drawImage = CanvasRenderingContext2D.prototype.drawImage;
  CanvasRenderingContext2D.prototype.drawImage = function (...args) {
    if (this.canvas.id === 'preview') window.previewDraws += 1;
    return drawImage.apply(this, args);
  };
"""


def test_the_preview_stops_with_the_camera(chromium, site):
    page = open_page(chromium, site, init_script=COUNT_PREVIEW_DRAWS)
    page.wait_for_selector(".record-button:enabled")
    page.wait_for_timeout(300)  # not wait_for_function: the page's CSP forbids what it evaluates
    assert page.evaluate("window.previewDraws") > 5
    page.evaluate(
        "document.getElementById('camera').srcObject.getVideoTracks()[0].dispatchEvent(new Event('ended'))"
    )
    assert "The camera stopped" in page.locator("#message.error").text_content()
    page.wait_for_timeout(100)  # a frame already requested may still draw
    draws = page.evaluate("window.previewDraws")
    page.wait_for_timeout(500)
    assert page.evaluate("window.previewDraws") == draws
    assert page.locator(".record-button:enabled").count() == 0
    page.close()


# --- clips: each hold of a key is one clip, and stays one through export and import -------------

PUNCHES, KICKS = config.CLASS_DIRS[config.PUNCH], config.CLASS_DIRS[config.KICK]
ROUNDHOUSES, BACK_KICKS = config.CLIP_CLASS_DIRS[config.ROUNDHOUSE], config.CLIP_CLASS_DIRS[config.BACK_KICK]
KEYS = {folder: str(i + 1) for i, folder in enumerate(config.CLIP_CLASS_DIRS)}  # the page's number keys
CLIP_HOLDS = ((PUNCHES, 1.2), (PUNCHES, 0.9), (ROUNDHOUSES, 1.0))  # two punch clips, one roundhouse
CLIP_RATE = 1000 / config.CLASSIFY_INTERVAL_MS  # clips are taken at the game's rate
CLIP_NAME = re.compile(r"(\d{8}-\d{6})-(\d{3})")


def clip_counts(page):
    page.wait_for_timeout(300)
    return page.evaluate("window.kombatRecorder.clips()")


@pytest.fixture(scope="module")
def clip_session(chromium, site, tmp_path_factory):
    """Record clips (the page's default), delete one, record single frames and a clips-only class
    in single-frame mode, export."""
    page = open_page(chromium, site)
    page.wait_for_selector(".record-button:enabled")
    result = SimpleNamespace(
        mode=page.eval_on_selector('input[name="mode"]:checked', "input => input.value"),
        rate_disabled=page.is_disabled("#rate"),
    )
    result.holds, result.held = [], []
    for folder, seconds in CLIP_HOLDS:
        started = time.monotonic()  # the key may be released late on a busy machine: time it
        hold_key(page, KEYS[folder], seconds)
        result.held.append(time.monotonic() - started)
        result.holds.append(clip_counts(page))
        page.wait_for_timeout(200)  # between two moves
    hold_key(page, KEYS[KICKS], 0.5)  # a kick clip, then deleted: click it, Delete
    result.before_delete = clip_counts(page)
    page.locator(f'.class-card[data-folder="{KICKS}"] .clip').first.click()
    page.keyboard.press("Delete")
    result.after_delete = clip_counts(page)

    page.check('input[name="mode"][value="frames"]')
    page.select_option("#rate", "10")
    result.frames_before = counts(page)
    hold_key(page, KEYS[PUNCHES], 0.6)  # single punch frames
    hold_key(page, KEYS[BACK_KICKS], 0.8)  # back kicks are clips only: still a clip
    result.clips = clip_counts(page)
    result.counts = counts(page)
    result.count_text = page.text_content(f'.class-card[data-folder="{PUNCHES}"] .count')
    result.summary = page.text_content("#export-summary")
    with page.expect_download() as download:
        page.click("#export")
    result.zip_path = tmp_path_factory.mktemp("clips") / ZIP_NAME
    download.value.save_as(result.zip_path)
    result.errors = page.errors
    page.close()
    return result


def test_each_hold_is_one_clip_at_the_game_rate(clip_session):
    assert clip_session.mode == "clips" and clip_session.rate_disabled
    first, second, third = clip_session.holds
    assert [len(first[PUNCHES]), len(second[PUNCHES]), len(third[ROUNDHOUSES])] == [1, 2, 1]
    assert second[PUNCHES][0] == first[PUNCHES][0]  # a new hold never adds to the last clip
    clips = [first[PUNCHES][0], second[PUNCHES][1], third[ROUNDHOUSES][0]]
    for frames, (_, seconds), held in zip(clips, CLIP_HOLDS, clip_session.held, strict=True):
        assert CLIP_RATE * seconds - 4 <= frames <= CLIP_RATE * held + 2, (frames, seconds, held)
    assert {folder: clips for folder, clips in third.items() if clips} == {
        PUNCHES: second[PUNCHES],
        ROUNDHOUSES: third[ROUNDHOUSES],
    }


def test_a_clip_is_deleted_whole(clip_session):
    assert len(clip_session.before_delete[KICKS]) == 1
    assert clip_session.after_delete[KICKS] == []
    assert {k: v for k, v in clip_session.after_delete.items() if k != KICKS} == {
        k: v for k, v in clip_session.before_delete.items() if k != KICKS
    }


def test_single_frames_and_clips_only_classes_in_frame_mode(clip_session):
    clips, counts_ = clip_session.clips, clip_session.counts
    punch_clips = clip_session.holds[-1][PUNCHES]
    assert clips[PUNCHES] == punch_clips  # single frames are no clip
    single = counts_[PUNCHES] - sum(punch_clips)
    assert 3 <= single <= 8
    assert len(clips[BACK_KICKS]) == 1 and clips[BACK_KICKS][0] >= 5
    assert clip_session.count_text == f"2 clips · {counts_[PUNCHES]} frames"
    assert clip_session.summary.startswith(f"{sum(counts_.values())} frames, 4 clips.")
    assert clip_session.errors == []


def test_the_zip_keeps_clips_apart_with_their_frames_in_order(clip_session):
    with zipfile.ZipFile(clip_session.zip_path) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
    layout = {}
    for name in names:
        parts = name.split("/")
        if len(parts) == 3:
            layout.setdefault(parts[0], {}).setdefault(parts[1], []).append(parts[2])
        else:
            assert re.fullmatch(rf"{PUNCHES}/\d{{4}}\.jpg", name), name
    assert {folder: [len(frames) for frames in clips.values()] for folder, clips in layout.items()} == {
        folder: frames for folder, frames in clip_session.clips.items() if frames
    }
    stamps = set()
    for folder, clips in layout.items():
        assert [CLIP_NAME.fullmatch(clip).group(2) for clip in clips] == [
            f"{i:03d}" for i in range(1, len(clips) + 1)
        ]
        stamps |= {CLIP_NAME.fullmatch(clip).group(1) for clip in clips}
        for frames in clips.values():
            assert frames == [f"{i:03d}.jpg" for i in range(1, len(frames) + 1)], folder
    assert len(stamps) == 1  # one session


def test_record_export_import_keeps_clip_boundaries(clip_session, tmp_path):
    data = tmp_path / "mine"
    report = importer.import_source(clip_session.zip_path, into=data)
    assert report["skipped"] == [] and report["conflicts"] == [] and report["renamed"] == []
    recorded = {folder: frames for folder, frames in clip_session.clips.items() if frames}
    with zipfile.ZipFile(clip_session.zip_path) as archive:
        for folder in config.CLIP_CLASS_DIRS:
            clips = (
                sorted(path for path in (data / folder).iterdir() if path.is_dir())
                if folder in recorded
                else []
            )
            assert [len(list(clip.iterdir())) for clip in clips] == recorded.get(folder, []), folder
            for clip in clips:  # the same frames, in the same order
                for frame in sorted(clip.iterdir()):
                    assert frame.read_bytes() == archive.read(f"{folder}/{clip.name}/{frame.name}")
    assert not (data / KICKS).exists()  # its one clip was deleted
    assert report["clips"][PUNCHES]["added"] == 2 and report["clips"][ROUNDHOUSES]["added"] == 1
    single = clip_session.counts[PUNCHES] - sum(recorded[PUNCHES])
    assert report["classes"][PUNCHES]["added"] == single
    again = importer.import_source(clip_session.zip_path, into=data)
    assert {folder: row["added"] for folder, row in again["clips"].items() if row["added"]} == {}
