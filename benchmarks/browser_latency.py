"""Camera-to-decision latency in headless Chromium, and what the play page downloads.

Serves web/ (after `make convert`), plays a rendered fighter clip as Chromium's fake camera,
opens the play page on the WASM backend, lets it classify ~150 frames, and prints the median
per-frame latency (grab the frame, crop, grey, MobileNet at 224x224 inside the model, head,
decision) and the bytes the page fetched, models apart (as they came over the wire: `tfjs-kombat
serve` gzips weights and scripts for a browser that accepts it). A benchmark that prints, not a
test.

When config.json lists the sequence head, the page runs it (MobileNet, the frame vector into the
ring buffer, the head on the last SEQUENCE_LENGTH vectors) beside the frame head, which vouches for
its moves, and that is what is timed. --stand-in-sequence times it before one is trained: an
untrained sequence head of the right shape, converted with the default quantization, is added to a
copy of the models (its weights do not change its speed). --models DIR takes the converted models
from DIR instead.

    .venv/bin/python benchmarks/browser_latency.py [--backend wasm] [--frames 150]
    .venv/bin/python benchmarks/browser_latency.py --stand-in-sequence [--models DIR]
    .venv/bin/python benchmarks/browser_latency.py --stand-in-keypoints

--stand-in-keypoints times the keypoint recipe's route before its heads are trained: untrained
keypoint heads (frame and sequence, converted with the default quantization, config.json as the
keypoint recipe's convert writes it) in a copy of web/; the page runs BlazePose on the whole
camera frame, then the heads. It prints the median latency of the frames where the detector
searched for the person and of those where the landmark model alone tracked them, once with the
fighter in view and once on Chromium's test card (nobody: every frame searches), and the models
the page downloads: BlazePose (vendor/bodypose/) and the heads.
"""

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # chromium.py

from chromium import launch_headless  # noqa: E402

from tfjs_kombat import serve  # noqa: E402
from tfjs_kombat.config import CLIP_CLASS_NAMES, SEQUENCE_LENGTH  # noqa: E402
from tfjs_kombat.errors import UserError  # noqa: E402
from tfjs_kombat.synth import webcam  # noqa: E402


def measure(web_root, backend="wasm", frames=150, clip=None, test_card=False):
    """Serve web_root, play a fighter clip (or Chromium's own test card) to the play page and return
    its median camera-to-decision ms, what it fetched (MB, models apart) and the page's own stats."""
    server = serve.make_server(web_root, port=0, quiet=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/index.html?ai=off&backend={backend}"
    fetched = {}
    with tempfile.TemporaryDirectory() as folder, sync_playwright() as playwright:
        if clip is None and not test_card:
            clip = Path(folder) / "fighter.y4m"
            webcam.render_clip(clip)
        camera = () if test_card else (f"--use-file-for-fake-video-capture={clip}",)
        try:
            browser = launch_headless(playwright, *camera)
        except UserError as error:  # no Chromium: how to get one, without a traceback
            raise SystemExit(f"error: {error}") from None
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
        "pose_mb": sum(size for url, size in fetched.items() if "/vendor/bodypose/" in url) / 1e6,
        "stats": stats,
    }


def copy_site(web_root, models, destination):
    """web_root's pages and TensorFlow.js, with `models` as its models/ (node_modules left out)."""
    skip = shutil.ignore_patterns("node_modules", "models")
    shutil.copytree(web_root, destination, ignore=lambda folder, names: skip(folder, names))
    shutil.copytree(models, Path(destination) / "models")
    return Path(destination)


def add_stand_in_sequence(models_dir):
    """An untrained sequence head shaped for these models ([T, D]: D from the recipe's MobileNet and
    its pooling), converted as `tfjs-kombat convert` converts, and listed in config.json."""
    from tfjs_kombat import convert, features, heads, recipes

    config_path = Path(models_dir) / "config.json"
    config = json.loads(config_path.read_text())
    recipe = recipes.named(config["recipe"])
    shape = features.build_feature_extractor(config["alpha"], recipe).output_shape[1:]
    size = convert.pooled_size(shape, recipe.sequence_pool)
    model = heads.build_sequence_head(SEQUENCE_LENGTH, size)
    stored = convert.export_graph_model(model, Path(models_dir) / "sequence")
    config["models"]["sequence"] = "sequence/model.json"
    config["inputShapes"]["sequence"] = [SEQUENCE_LENGTH, size]
    config.setdefault("quantization", {})["sequence"] = stored
    config["sequence"] = {
        "length": SEQUENCE_LENGTH,
        "pool": list(recipe.sequence_pool) if recipe.sequence_pool else None,
        "classes": list(CLIP_CLASS_NAMES),
    }
    config_path.write_text(json.dumps(config, indent=2))
    return size, stored


def add_stand_in_keypoint_heads(models_dir):
    """Untrained keypoint heads (frame and sequence) in models_dir, converted as `tfjs-kombat
    convert` converts, and config.json as the keypoint recipe's convert writes it."""
    from tfjs_kombat import convert, heads

    to_convert = {
        "punch_kick": heads.build_keypoint_frame_head(),
        "sequence": heads.build_keypoint_sequence_head(SEQUENCE_LENGTH),
    }
    stored = {
        name: convert.export_graph_model(model, Path(models_dir) / name) for name, model in to_convert.items()
    }
    config = convert.page_config({"recipe": "keypoints", "alpha": None}, to_convert, stored, {})
    (Path(models_dir) / "config.json").write_text(json.dumps(config, indent=2))
    return stored


def milliseconds(value):
    return "-" if value is None else f"{value:.1f} ms"


def keypoints_route(backend, frames):
    """Time the keypoint route with stand-in heads: the fighter in view, then nobody (the test card)."""
    with tempfile.TemporaryDirectory(prefix="tfjs-kombat-latency-") as work:
        root = Path(work) / "web"
        skip = shutil.ignore_patterns("node_modules", "models", "mkjs")
        shutil.copytree(serve.DEFAULT_ROOT, root, ignore=skip)
        (root / "models").mkdir()
        stored = add_stand_in_keypoint_heads(root / "models")
        print(f"keypoint heads: stand-ins (untrained, {stored})")
        for camera, test_card in (("the fighter in view", False), ("nobody (the test card)", True)):
            result = measure(root, backend, frames, test_card=test_card)
            stats, pose = result["stats"], result["stats"]["pose"]
            acted = sum(count for move, count in stats["decisions"].items() if move != "stand")
            print(
                f"{camera}: backend {stats['backend']}, {stats['frames']} frames, "
                f"{stats['skipped']} ticks skipped, acted on {acted}; median {result['median_ms']:.1f} ms "
                f"(target <= 40 ms); searched {pose['searched']} ({milliseconds(pose['searchedMs'])}), "
                f"tracked {pose['tracked']} ({milliseconds(pose['trackedMs'])}), nobody in {pose['nobody']}"
            )
        print(
            f"models downloaded: BlazePose {result['pose_mb']:.2f} MB + heads {result['models_mb']:.2f} MB = "
            f"{result['pose_mb'] + result['models_mb']:.2f} MB (target <= 4 MB); "
            f"page {result['page_mb']:.2f} MB in {result['requests']} requests"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", default="wasm", choices=["wasm", "webgl", "cpu"])
    parser.add_argument("--frames", type=int, default=150)
    parser.add_argument("--models", type=Path, help="converted models to serve (default: web/models)")
    parser.add_argument(
        "--stand-in-sequence",
        action="store_true",
        help="when the models have no sequence head, time an untrained one of the right shape",
    )
    parser.add_argument(
        "--stand-in-keypoints",
        action="store_true",
        help="time the keypoint recipe's route (BlazePose and untrained keypoint heads)",
    )
    args = parser.parse_args()
    if args.stand_in_keypoints:
        keypoints_route(args.backend, args.frames)
        return
    models = args.models or serve.DEFAULT_ROOT / "models"
    if not (models / "config.json").exists():
        raise SystemExit(f"no models in {models}: run `make convert` first")
    listed = "sequence" in json.loads((models / "config.json").read_text())["models"]
    with tempfile.TemporaryDirectory(prefix="tfjs-kombat-latency-") as work:
        root = serve.DEFAULT_ROOT
        if args.models or (args.stand_in_sequence and not listed):
            root = copy_site(serve.DEFAULT_ROOT, models, Path(work) / "web")
        if args.stand_in_sequence and not listed:
            size, stored = add_stand_in_sequence(root / "models")
            print(f"sequence head: a stand-in (untrained, [{SEQUENCE_LENGTH}, {size}], {stored})")
        result = measure(root, args.backend, args.frames)
    stats = result["stats"]
    head = stats.get("head") or "?"
    print(
        f"backend {stats['backend']}, head {head}, {stats['frames']} frames classified, "
        f"{stats['skipped']} ticks skipped"
    )
    print(f"median camera-to-decision latency: {result['median_ms']:.1f} ms (target <= 40 ms)")
    pose = f"BlazePose {result['pose_mb']:.2f} MB + heads " if result["pose_mb"] else ""
    models = result["pose_mb"] + result["models_mb"]
    print(
        f"page downloads: {result['page_mb']:.2f} MB in {result['requests']} requests, models "
        f"{pose}{result['models_mb']:.2f} MB = {models:.2f} MB (target <= 4 MB)"
    )


if __name__ == "__main__":
    main()
