"""Browser tests of the record page (web/record.html) in Debian's Chromium, driven by Playwright.

The fake camera plays a rendered clip (a person idling, punching and kicking). A user session —
hold a key per class, hold a button for an extra class, delete frames, export — runs once; the
tests then check what the page showed, that `tfjs-kombat import` takes the zip whole, and that the
imported frames train.
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
    if screenshot:
        page.wait_for_timeout(seconds * 500)
        page.screenshot(path=str(screenshot), full_page=True)
        page.wait_for_timeout(seconds * 500)
    else:
        page.wait_for_timeout(seconds * 1000)
    page.keyboard.up(key)
    return counts(page)


@pytest.fixture(scope="module")
def session(chromium, site, tmp_path_factory):
    """One recording session driven like a user; returns what the page showed after each step."""
    page = open_page(chromium, site)
    page.wait_for_selector(".record-button:enabled")  # the camera runs
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
    assert session.preview == [config.FRAME_WIDTH, config.FRAME_HEIGHT]


def test_the_page_takes_its_frame_and_classes_from_the_generated_constants(
    chromium, copy_web, serve_web, tmp_path, monkeypatch
):
    root = copy_web(tmp_path / "web")
    monkeypatch.setattr(config, "FRAME_WIDTH", 64)
    monkeypatch.setattr(config, "FRAME_HEIGHT", 40)
    monkeypatch.setattr(config, "CLASS_DIRS", ("jabs", "roundhouses", "idles"))
    webconfig.write_constants(root)
    with serve_web(root) as url:
        page = open_page(chromium, url)
        folders = page.eval_on_selector_all(".class-card", "cards => cards.map((c) => c.dataset.folder)")
        preview = page.eval_on_selector("#preview", "canvas => [canvas.width, canvas.height]")
        page.close()
    assert folders == ["jabs", "roundhouses", "idles"]
    assert preview == [64, 40]


def test_holding_a_key_records_only_that_class(session):
    steps = session.steps
    assert steps["start"] == dict.fromkeys(config.CLASS_DIRS, 0)
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
    assert session.folders == [*config.CLASS_DIRS, EXTRA_CLASS, "wave"]
    assert session.extra_key == "4"
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
    manifest, reports = train_small(tmp_path / "mine", tmp_path, tmp_path / "cache", count=2)
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
    assert page.evaluate("window.kombatRecorder.counts()") == dict.fromkeys(config.CLASS_DIRS, 0)
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
