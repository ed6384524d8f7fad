"""Would BlazePose's detector do its job with its weights stored as uint8 (half the float16 bytes)?

The detector only finds the region a person is in; once found, tracked frames run the landmark
model alone. So a detector that finds the same people, in nearly the same regions, at half the
download would be a good trade. This serves a copy of web/ holding both detectors (the float16
one `make web` converts, and the same weights as uint8, quantized as `tfjs-kombat convert` does),
runs each in headless Chromium on WASM over rendered people and empty rooms, and prints the sizes,
how often each finds someone, how far apart their regions are, and the joints the landmark model
then finds from each (a fresh track per frame: the detector, then the landmark model).
A benchmark that prints, not a test; Python's parity (tests/web/test_bodypose_parity.py) is for
the float16 detector and is left as it is.

    .venv/bin/python benchmarks/pose_detector_uint8.py [--people 40] [--rooms 10]
"""

import argparse
import json
import math
import shutil
import sys
import tempfile
import threading
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # chromium.py

from chromium import launch_headless  # noqa: E402

from tfjs_kombat import convert, serve  # noqa: E402
from tfjs_kombat.bodypose import modelfiles  # noqa: E402
from tfjs_kombat.config import CLASS_NAMES  # noqa: E402
from tfjs_kombat.synth import scene  # noqa: E402

SIZE = (640, 480)
BARE_PAGE = '<script src="vendor/tf.min.js"></script><script src="vendor/tf-backend-wasm.min.js"></script>'
# For each detector: per frame, its region (or null) and a fresh track's landmarks (or null), and
# the median time of one detector predict.
RUN = """async ([count, width, height, variants]) => {
    const classifier = await import('/js/classifier.js');
    const pose = await import('/js/bodypose.js');
    await classifier.chooseBackend('wasm');
    const bytes = new Uint8Array(await (await fetch('frames.bin')).arrayBuffer());
    const size = width * height * 3;
    const answers = {};
    for (const variant of variants) {
      const models = await pose.loadBodyPose('lite');
      models.detector = await tf.loadGraphModel(`vendor/bodypose/${variant}/model.json`);
      const view = pose.wholeFrame(width, height);
      const regions = [], landmarks = [], times = [];
      for (let i = 0; i < count; i++) {
        const frame = tf.tensor3d(bytes.subarray(i * size, (i + 1) * size), [height, width, 3], 'int32');
        const started = performance.now();
        const output = tf.tidy(() => {
          const image = tf.expandDims(tf.cast(frame, 'float32'), 0);
          const transform = tf.tensor2d([pose.cropTransform(view, 224)], [1, 8], 'float32');
          const square = tf.image.transform(image, transform, 'bilinear', 'constant', 0, [224, 224]);
          return models.detector.predict(tf.sub(tf.div(square, 127.5), 1));
        });
        const values = await output.data();
        times.push(performance.now() - started);
        output.dispose();
        const keypoints = pose.bestPerson(values, models.anchors);
        const [centre, far] = keypoints ? keypoints.map((point) => pose.toFrame(view, point)) : [];
        regions.push(keypoints && pose.fromAlignment(centre, far));
        landmarks.push(await pose.track(pose.createTracker(models), frame));
        frame.dispose();
      }
      times.sort((a, b) => a - b);
      answers[variant] = { regions, landmarks, medianMs: times[times.length >> 1] };
    }
    return answers;
}"""


def read_stored_weights(folder):
    """A graph model's weights as float32 (float16 and uint8 ones restored), in stored order."""
    manifest = json.loads((Path(folder) / "model.json").read_text())
    weights = {}
    for group in manifest["weightsManifest"]:
        data, offset = b"".join((Path(folder) / path).read_bytes() for path in group["paths"]), 0
        for weight in group["weights"]:
            quantization = weight.get("quantization", {})
            dtype, count = np.dtype(quantization.get("dtype", weight["dtype"])), math.prod(weight["shape"])
            values = np.frombuffer(data, dtype, count, offset).reshape(weight["shape"])
            offset += dtype.itemsize * count
            if dtype == np.uint8:
                values = values * quantization["scale"] + quantization["min"]
            weights[weight["name"]] = values.astype(np.dtype(weight["dtype"]))
    return weights


def folder_mb(folder):
    return sum(path.stat().st_size for path in Path(folder).iterdir()) / 1e6


def frames(people, rooms, seed=5):
    rng = np.random.default_rng(seed)
    shots = [scene.render_pose(CLASS_NAMES[i % len(CLASS_NAMES)], rng, size=SIZE) for i in range(people)]
    empty = [scene.render_empty(scene.random_room(rng), rng, SIZE) for _ in range(rooms)]
    return [np.asarray(image.convert("RGB")) for image in (*shots, *empty)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=40)
    parser.add_argument("--rooms", type=int, default=10)
    args = parser.parse_args()
    source = modelfiles.WEB_MODELS / modelfiles.DETECTOR
    if not (source / "model.json").is_file():
        raise SystemExit(f"no BlazePose in {modelfiles.WEB_MODELS}: run `make web` first")
    pictures = frames(args.people, args.rooms)
    with tempfile.TemporaryDirectory(prefix="tfjs-kombat-uint8-") as work:
        root = Path(work) / "web"
        skip = shutil.ignore_patterns("node_modules", "models", "mkjs")
        shutil.copytree(serve.DEFAULT_ROOT, root, ignore=skip)
        quantized = root / "vendor" / "bodypose" / "detector_uint8"
        shutil.copytree(source, quantized)
        weights = read_stored_weights(quantized)
        convert.write_weights(quantized, weights, convert.kernel_storage(weights, "uint8"))
        (root / "bench.html").write_text(BARE_PAGE)
        (root / "frames.bin").write_bytes(b"".join(picture.tobytes() for picture in pictures))
        server = serve.make_server(root, port=0, quiet=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        with sync_playwright() as playwright:
            browser = launch_headless(playwright)
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{server.server_address[1]}/bench.html")
            answers = page.evaluate(RUN, [len(pictures), *SIZE, ["detector", "detector_uint8"]])
            browser.close()
        server.shutdown()
        sizes = {"detector": folder_mb(source), "detector_uint8": folder_mb(quantized)}
    report(answers, sizes, args.people)


def report(answers, sizes, people):
    float16, uint8 = answers["detector"], answers["detector_uint8"]
    for name, answer in answers.items():
        found = [region is not None for region in answer["regions"]]
        print(
            f"{name}: {sizes[name]:.2f} MB, found someone in {sum(found[:people])}/{people} pictures of "
            f"people and {sum(found[people:])}/{len(found) - people} empty rooms, tracked joints in "
            f"{sum(points is not None for points in answer['landmarks'][:people])}/{people}; "
            f"detector {answer['medianMs']:.1f} ms (median)"
        )
    both = [(a, b) for a, b in zip(float16["regions"], uint8["regions"], strict=True) if a and b]
    if both:
        centre = [math.hypot(a["x"] - b["x"], a["y"] - b["y"]) / a["size"] for a, b in both]
        side = [abs(b["size"] / a["size"] - 1) for a, b in both]
        turn = [abs(math.degrees(a["rotation"] - b["rotation"])) for a, b in both]
        print(
            f"regions where both found someone ({len(both)}): centres {np.median(centre):.3f} "
            f"(max {max(centre):.3f}) of the region's side apart, sides {np.median(side):.3f} "
            f"(max {max(side):.3f}) apart, turned {np.median(turn):.2f} deg (max {max(turn):.2f})"
        )
    joints = [
        np.abs(np.array(a)[:, :2] - np.array(b)[:, :2]).max()
        for a, b in zip(float16["landmarks"], uint8["landmarks"], strict=True)
        if a and b
    ]
    if joints:
        print(
            f"joints tracked from each: worst joint per picture {np.median(joints):.4f} of the frame "
            f"(median), {max(joints):.4f} (max)"
        )


if __name__ == "__main__":
    main()
