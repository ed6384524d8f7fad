"""Headless Debian Chromium playing the pages, as the browser tests (tests/web/conftest.py) and
benchmarks/browser_latency.py run it: no GPU, no network of its own, and getUserMedia answered by
Chromium's fake camera (its own test pattern, or --use-file-for-fake-video-capture=CLIP) without a
permission prompt.
"""

CHROMIUM = "/usr/bin/chromium"
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
