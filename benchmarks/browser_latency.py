"""Camera-to-decision latency in headless Chromium, and what the play page downloads.

Serves web/ (after `make convert`), plays a rendered fighter clip as Chromium's fake camera,
opens the play page on the WASM backend, lets it classify ~150 frames, and prints the median
per-frame latency (grab the frame, crop, grey, MobileNet at 224x224 inside the model, head,
decision) and the bytes the page fetched, models apart. A benchmark that prints, not a test.

    .venv/bin/python benchmarks/browser_latency.py [--backend wasm] [--frames 150]
"""

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

from tfjs_kombat import render, serve


def measure(web_root, backend="wasm", frames=150, clip=None):
    """Serve web_root, play a fighter clip to the play page and return its median camera-to-decision
    ms, what it fetched (MB, models apart) and the page's own stats."""
    server = serve.make_server(web_root, port=0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html?ai=off&backend={backend}"
    fetched = {}
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        if clip is None:
            clip = Path(folder) / "fighter.y4m"
            render.render_clip(clip)
        browser = playwright.chromium.launch(
            executable_path=serve.CHROMIUM,
            headless=True,
            args=[*serve.CHROMIUM_ARGS, f"--use-file-for-fake-video-capture={clip}"],
        )
        page = browser.new_page()
        page.on(
            "requestfinished",
            lambda request: fetched.__setitem__(request.url, request.sizes()["responseBodySize"]),
        )
        page.goto(url)
        page.wait_for_function("() => window.kombatCamera?.stats().ready", timeout=120_000)
        samples, deadline = [], time.monotonic() + 300
        while time.monotonic() < deadline:
            stats = page.evaluate("() => window.kombatCamera.stats()")
            if stats["error"]:
                raise SystemExit(f"the page reports: {stats['error']}")
            if stats["latencyMs"]:
                samples.append(stats["latencyMs"])
            if stats["frames"] >= frames:
                break
            time.sleep(1)
        browser.close()
    server.shutdown()
    return {
        "median_ms": statistics.median(samples),
        "page_mb": sum(fetched.values()) / 1e6,
        "requests": len(fetched),
        "models_mb": sum(size for url, size in fetched.items() if "/models/" in url) / 1e6,
        "stats": stats,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="wasm", choices=["wasm", "webgl", "cpu"])
    parser.add_argument("--frames", type=int, default=150)
    args = parser.parse_args()
    if not (serve.DEFAULT_ROOT / "models" / "config.json").exists():
        raise SystemExit("no models in web/models: run `make convert` first")
    result = measure(serve.DEFAULT_ROOT, args.backend, args.frames)
    stats = result["stats"]
    print(
        f"backend {stats['backend']}, {stats['frames']} frames classified, {stats['skipped']} ticks skipped"
    )
    print(f"median camera-to-decision latency: {result['median_ms']:.1f} ms (target <= 40 ms)")
    print(
        f"page downloads: {result['page_mb']:.2f} MB in {result['requests']} requests, "
        f"models {result['models_mb']:.2f} MB (target <= 4 MB)"
    )


if __name__ == "__main__":
    main()
