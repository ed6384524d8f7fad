"""Shared set-up of the browser tests: one headless Chromium for the whole session (Debian's, driven
by Playwright, with a fake camera), the project's own static server for any web root, a copy of
web/ with real models, trained by the `pipeline` fixture (tests/conftest.py, whose data includes a
recording of the fake camera's person) and converted.
"""

import contextlib
import os
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tfjs_kombat import render, webconfig
from tfjs_kombat.serve import CHROMIUM, CHROMIUM_ARGS, make_server

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
# Never copied: big, or replaced by the test's own (MK.js only where a test installs it).
BUILD_OUTPUTS = {"": ("node_modules", "models"), "vendor": ("mkjs",)}


@contextlib.contextmanager
def serve_web(root):
    """Serve root (COOP/COEP headers, like `tfjs-kombat serve`) on a free port; yields the base URL."""
    server = make_server(root, port=0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def copy_web(destination):
    """web/ without its build outputs (node_modules, models, MK.js); TensorFlow.js in vendor/ is kept,
    js/constants.js is written afresh from tfjs_kombat/config.py."""

    def build_outputs(folder, names):
        left_out = BUILD_OUTPUTS.get(str(Path(folder).relative_to(WEB_DIR)).strip("."), ())
        return [name for name in names if name in left_out]

    shutil.copytree(WEB_DIR, destination, ignore=build_outputs)
    webconfig.write_constants(destination)
    return Path(destination)


def require_tfjs():
    """TensorFlow.js comes from `make web`; without it only the keyboard game can be tested."""
    if not (WEB_DIR / "vendor" / "tf.min.js").is_file():
        message = f"needs TensorFlow.js in {WEB_DIR / 'vendor'} (run `make web`)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="session", name="serve_web")
def serve_web_fixture():
    """serve_web(root) as a fixture, for test modules (they do not import conftest)."""
    return serve_web


@pytest.fixture(scope="session")
def web_server():
    webconfig.write_constants(WEB_DIR)  # as `tfjs-kombat serve` does
    with serve_web(WEB_DIR) as url:
        yield url


@pytest.fixture(scope="session")
def launch_chromium():
    """launch_chromium(*extra_args) -> a headless Chromium with CHROMIUM_ARGS and the extras.

    One Playwright serves the whole session (a second sync_playwright() in the same thread fails);
    a test module that needs other flags (e.g. a fake-camera clip) launches its own browser here.
    """
    with sync_playwright() as playwright:
        browsers = []

        def launch(*extra_args):
            args = [*CHROMIUM_ARGS, *extra_args]
            browsers.append(playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=args))
            return browsers[-1]

        yield launch
        for browser in browsers:
            browser.close()


@pytest.fixture(scope="session")
def browser(launch_chromium):
    """The browser most tests share: Chromium's own fake camera (a moving test pattern)."""
    return launch_chromium()


@pytest.fixture(scope="session")
def web_root_with_models(pipeline, tmp_path_factory):
    """A copy of web/ whose models/ holds the pipeline's heads, a season MLP and MobileNet, float32."""
    require_tfjs()
    from tfjs_kombat import convert, season

    pipeline_root, _ = pipeline
    trained = tmp_path_factory.mktemp("trained")
    for path in (pipeline_root / "models").glob("*.*"):
        if path.suffix in (".keras", ".json"):
            shutil.copy(path, trained / path.name)
    season.train_season(trained)  # the pipeline trains only the heads; the try page needs this too
    root = copy_web(tmp_path_factory.mktemp("web") / "web")
    convert.convert_models(trained, root / "models", quantization="float32")
    return root


@pytest.fixture(scope="session")
def web_root_without_models(tmp_path_factory):
    """A copy of web/ as on a fresh clone after `make web` but before `make convert`."""
    require_tfjs()
    return copy_web(tmp_path_factory.mktemp("bare") / "web")


@pytest.fixture(scope="session")
def fighter_clip(tmp_path_factory):
    """A fake-camera clip of one rendered fighter: idle, punch, idle, kick, idle (11.6 s, looped)."""
    clip = tmp_path_factory.mktemp("clip") / "fighter.y4m"
    return clip, render.render_clip(clip)


@pytest.fixture(scope="session")
def fighter_browser(launch_chromium, fighter_clip):
    """Chromium whose fake camera plays the fighter clip."""
    return launch_chromium(f"--use-file-for-fake-video-capture={fighter_clip[0]}")


@pytest.fixture(scope="session", name="copy_web")
def copy_web_fixture():
    """copy_web(destination) as a fixture, once TensorFlow.js is known to be in web/vendor."""
    require_tfjs()
    return copy_web


@pytest.fixture(scope="session")
def still_browser(launch_chromium, tmp_path_factory):
    """Chromium whose fake camera plays the clip's person standing still in guard."""
    clip = tmp_path_factory.mktemp("still") / "still.y4m"
    render.render_clip(clip, script=render.STILL_SCRIPT)
    return launch_chromium(f"--use-file-for-fake-video-capture={clip}")
