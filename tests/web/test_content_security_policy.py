"""The pages under the server's Content-Security-Policy (tfjs_kombat/serve.py), in Chromium: each
loads its scripts, styles and images, TensorFlow.js's WASM backend starts (its threads are workers
made from blob: URLs, each importing the backend's script from another blob: URL), and nothing is
refused. A copy of web/ without models, the cheapest root with TensorFlow.js: the pages stop at the
missing models after the backend has started (the models are fetches from 'self').
"""

from pathlib import Path

import pytest

from tfjs_kombat import mkjs

SHARED_MKJS = Path(__file__).resolve().parents[3] / "shared" / "mkjs"
# The securitypolicyviolation events of the page (a refusal inside a worker fires none: the
# backend's check below catches those).
WATCH = """
window.violations = [];
document.addEventListener('securitypolicyviolation', (event) =>
  window.violations.push(`${event.effectiveDirective} refused ${event.blockedURI}`));
"""
CAMERA_LOOP_STOPPED = "() => window.kombatCamera?.stats().error"


@pytest.fixture(scope="module")
def site(copy_web, serve_web, tmp_path_factory):
    """web/ without models, with MK.js when there is a snapshot of it to install."""
    root = copy_web(tmp_path_factory.mktemp("csp") / "web")
    if (SHARED_MKJS / "game" / "src" / "mk.js").is_file():
        mkjs.install(SHARED_MKJS, root)
    with serve_web(root) as url:
        yield url, (root / "vendor" / "mkjs").is_dir()


def wait_for_the_camera_loop(page):
    page.wait_for_function(CAMERA_LOOP_STOPPED)
    return page.evaluate("window.kombatCamera.stats().backend")


def wait_for_try(page):
    page.wait_for_selector("#try-status.error")
    return page.evaluate("tf.getBackend()")


def record_a_moment(page):
    """Record single frames for a moment: their thumbnails are blob: images."""
    page.wait_for_selector(".record-button:enabled")
    page.check('input[name="mode"][value="frames"]')
    page.keyboard.down("1")
    page.wait_for_selector('img[src^="blob:"]')
    page.keyboard.up("1")
    return None  # no TensorFlow.js on this page


PAGES = {
    "index.html?backend=wasm": wait_for_the_camera_loop,
    "try.html?backend=wasm": wait_for_try,
    "mkjs.html?backend=wasm": wait_for_the_camera_loop,
    "record.html": record_a_moment,
}


@pytest.mark.parametrize("name", PAGES)
def test_the_page_runs_under_the_policy(browser, site, name):
    url, has_mkjs = site
    if name.startswith("mkjs") and not has_mkjs:
        pytest.skip(f"needs the MK.js snapshot in {SHARED_MKJS}")
    page = browser.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(WATCH)
    response = page.goto(f"{url}/{name}")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    backend = PAGES[name](page)
    violations = page.evaluate("window.violations")
    page.close()
    assert backend == (None if name == "record.html" else "wasm") and violations == []
    # The only errors allowed are the browser's own lines about the missing models' 404.
    assert all("404" in error for error in errors), errors
