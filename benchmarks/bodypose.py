"""BlazePose here: per-frame times in Python and in headless Chromium (WASM), the page's joints
against Python's, and how often a rendered person is found. A benchmark that prints, not a test.

Times are medians of the tracker's track() on 640x480 frames of a rendered person (the frame already
a tensor; crop, network, read back and decoding included): steady (the region from the last
frame's landmarks: the landmark model only) and searching (the tracker reset before every frame:
the detector, then the landmark model). Parity: the largest gap between the page's and Python's
joints (x, y) over the take, in % of the frame's width and height. Needs `make web`.

    .venv/bin/python benchmarks/bodypose.py [--landmark lite full] [--repeats 40] [--people 60]
"""

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # chromium.py

from chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

from tfjs_kombat import serve, webconfig  # noqa: E402
from tfjs_kombat.bodypose import networks  # noqa: E402
from tfjs_kombat.bodypose.tracker import Tracker  # noqa: E402
from tfjs_kombat.config import POSE_LANDMARK_MODELS  # noqa: E402
from tfjs_kombat.synth import scene  # noqa: E402
from tfjs_kombat.synth.pose import POSES  # noqa: E402

SIZE = (640, 480)
BARE_PAGE = '<script src="vendor/tf.min.js"></script><script src="vendor/tf-backend-wasm.min.js"></script>'
TIME_IN_PAGE = """async ([count, width, height, repeats, variant]) => {
    const classifier = await import('/js/classifier.js');
    const pose = await import('/js/bodypose.js');
    await classifier.chooseBackend('wasm');
    const models = await pose.loadBodyPose(variant);
    const bytes = new Uint8Array(await (await fetch('frames.bin')).arrayBuffer());
    const size = width * height * 3;
    const frames = [];
    for (let i = 0; i < count; i++) {
      frames.push(tf.tensor3d(bytes.subarray(i * size, (i + 1) * size), [height, width, 3], 'int32'));
    }
    const tracker = pose.createTracker(models);
    const first = [];
    for (const frame of frames) first.push(await pose.track(tracker, frame));
    const timed = async (reset) => {
      const times = [];
      for (let r = 0; r < repeats; r++) {
        if (reset) pose.resetTracker(tracker);
        const start = performance.now();
        await pose.track(tracker, frames[r % count]);
        times.push(performance.now() - start);
      }
      return times;
    };
    const steady = await timed(false);
    const searching = await timed(true);
    tf.dispose(frames);
    return { backend: tf.getBackend(), first, steady, searching };
}"""


def take(length=12, seed=3):
    """A rendered person punching, 640x480 frames."""
    return [
        np.asarray(frame) for frame in scene.render_moving("punch", np.random.default_rng(seed), SIZE, length)
    ]


def python_times(models, frames, repeats):
    """(first pass landmarks, steady ms, searching ms) of Python's tracker."""
    tracker = Tracker(models)
    first = [tracker.track(frame) for frame in frames]

    def timed(reset):
        times = []
        for r in range(repeats):
            if reset:
                tracker.region = None
            start = time.perf_counter()
            tracker.track(frames[r % len(frames)])
            times.append((time.perf_counter() - start) * 1000)
        return statistics.median(times)

    return first, timed(False), timed(True)


def page_times(frames, variants, repeats):
    """{variant: the page's run} in headless Chromium on a copy of web/ (frames served beside)."""
    with tempfile.TemporaryDirectory(prefix="tfjs-kombat-bodypose-") as work:
        root = Path(work) / "web"
        shutil.copytree(serve.DEFAULT_ROOT, root, ignore=shutil.ignore_patterns("node_modules", "models"))
        webconfig.write_constants(root)
        (root / "bench.html").write_text(BARE_PAGE)
        (root / "frames.bin").write_bytes(b"".join(frame.tobytes() for frame in frames))
        server = serve.make_server(root, port=0, quiet=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, headless=True, args=list(CHROMIUM_ARGS)
                )
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{server.server_address[1]}/bench.html")
                runs = {v: page.evaluate(TIME_IN_PAGE, [len(frames), *SIZE, repeats, v]) for v in variants}
                browser.close()
        finally:
            server.shutdown()
    return runs


def largest_gap(python, page):
    """The largest |page - Python| of x or y over the frames both found someone in, in %."""
    gaps = [
        np.abs(np.array(b)[:, :2] - a[:, :2]).max()
        for a, b in zip(python, page, strict=True)
        if a is not None and b
    ]
    return 100 * max(gaps) if gaps else float("nan")


def detection_rate(models, people, seed=11):
    """How many of `people` rendered people (each pose in turn, new person and room) are found."""
    rng = np.random.default_rng(seed)
    pictures = (np.asarray(scene.render_pose(POSES[i % len(POSES)], rng, SIZE)) for i in range(people))
    return sum(Tracker(models).track(picture) is not None for picture in pictures)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--landmark", nargs="+", choices=POSE_LANDMARK_MODELS, default=list(POSE_LANDMARK_MODELS)
    )
    parser.add_argument("--repeats", type=int, default=40)
    parser.add_argument(
        "--people", type=int, default=60, help="rendered people for the detection rate (0: skip)"
    )
    args = parser.parse_args()
    frames = take()
    runs = page_times(frames, args.landmark, args.repeats)
    for variant in args.landmark:
        models = networks.load(variant)
        first, steady, searching = python_times(models, frames, args.repeats)
        run = runs[variant]
        print(f"{variant}: Python  {steady:6.1f} ms steady, {searching:6.1f} ms searching (median)")
        page_steady, page_searching = statistics.median(run["steady"]), statistics.median(run["searching"])
        print(
            f"{variant}: page    {page_steady:6.1f} ms steady, {page_searching:6.1f} ms searching "
            f"({run['backend']})"
        )
        found = sum(landmarks is not None for landmarks in first)
        print(
            f"{variant}: parity  largest joint gap {largest_gap(first, run['first']):.3f} % of the frame "
            f"({found} of {len(frames)} frames with a person)"
        )
        if args.people:
            print(
                f"{variant}: found   {detection_rate(models, args.people)} of {args.people} rendered people"
            )


if __name__ == "__main__":
    main()
