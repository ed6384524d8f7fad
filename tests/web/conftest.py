"""Shared set-up of the browser tests: one headless Chromium for the whole session (Debian's, driven
by Playwright, with a fake camera), the project's own static server for any web root, a copy of
web/ with real models, trained by the `pipeline` fixture (tests/conftest.py) and converted, and
one with models that learnt the fake camera's person, for the camera's end-to-end tests.
"""

import contextlib
import os
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

from tfjs_kombat import frames, render, webconfig
from tfjs_kombat.config import AUGMENTATIONS_BY_RECIPE, CLASS_DIRS, CLASS_NAMES
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


def recorded_frames(clip, timeline, out_dir, fps=10):
    """The clip's frames sorted into class folders; the moves' ramps in and out are left out."""
    for class_dir in CLASS_DIRS:
        (out_dir / class_dir).mkdir(parents=True, exist_ok=True)
    for index, path in enumerate(frames.extract_frames(clip, out_dir.parent / "recording-frames")):
        t = index / fps
        for start, end, pose in timeline:
            if start + render.MOVE_SECONDS <= t < end - render.MOVE_SECONDS:
                shutil.move(path, out_dir / CLASS_DIRS[CLASS_NAMES.index(pose)] / f"clip-{path.name}")


# What a player records of themself: a few seconds of each move (the clip plays each once, briefly).
RECORDING_SCRIPT = (("other", 4.0), ("punch", 4.0), ("other", 4.0), ("kick", 4.0), ("other", 2.0))


@pytest.fixture(scope="session")
def personal_web_root(copy_web, train_small, tmp_path_factory):
    """A copy of web/ whose heads learnt the fighter clip's person too, as a user records themself.

    The pipeline's default data (rendered afresh: this fixture trains on its own pytest-xdist
    worker, beside the pipeline) plus the clip's person (same seed: same person, room and moves)
    recorded holding each move for a few seconds, as on the record page, labelled by the
    timeline; trained with the recipe's own augmentation count on real MobileNet 0.75 features
    and converted (a minute or two, once a session).
    """
    from tfjs_kombat import convert

    work = tmp_path_factory.mktemp("personal")
    render.render_dataset(work / "data", per_class=80, seed=7, clips_per_class=0)
    recording = work / "recording.y4m"
    recorded_frames(recording, render.render_clip(recording, script=RECORDING_SCRIPT), work / "data")
    train_small(work / "data", work, work / "cache", count=AUGMENTATIONS_BY_RECIPE["pose"])
    root = copy_web(work / "web")
    convert.convert_models(work / "models", root / "models", quantization="float32", imagenet=False)
    return root


@pytest.fixture(scope="session")
def still_browser(launch_chromium, tmp_path_factory):
    """Chromium whose fake camera plays the clip's person standing still in guard."""
    clip = tmp_path_factory.mktemp("still") / "still.y4m"
    render.render_clip(clip, script=render.STILL_SCRIPT)
    return launch_chromium(f"--use-file-for-fake-video-capture={clip}")
