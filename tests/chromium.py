"""Headless Chromium playing the pages, as the browser tests (tests/web/conftest.py) and
benchmarks/browser_latency.py run it: no GPU, no network of its own, and getUserMedia answered by
Chromium's fake camera (its own test pattern, or --use-file-for-fake-video-capture=CLIP) without a
permission prompt. Debian's Chromium where it is installed (CI's image), else Playwright's own.
"""

from pathlib import Path

from tfjs_kombat.errors import UserError

DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
)


def chromium_executable(playwright):
    """Debian's Chromium, else the one `playwright install chromium` downloaded; else UserError."""
    for candidate in (DEBIAN_CHROMIUM, Path(playwright.chromium.executable_path)):
        if candidate.is_file():
            return candidate
    raise UserError(
        "no Chromium for the browser tests: `apt-get install chromium` (Debian) or "
        "`.venv/bin/playwright install chromium` (Playwright's own, downloaded once)"
    )


def launch_headless(playwright, *extra_args):
    """A headless Chromium with CHROMIUM_ARGS and the extra flags."""
    return playwright.chromium.launch(
        executable_path=chromium_executable(playwright), headless=True, args=[*CHROMIUM_ARGS, *extra_args]
    )
