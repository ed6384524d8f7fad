"""Shared set-up of the browser tests: one headless Chromium for the whole session (Debian's, else
Playwright's own: tests/chromium.py; driven by Playwright, with a fake camera), the project's own
static server for any web root, a copy of web/ with real models, trained by the `pipeline` fixture
(tests/conftest.py) and converted, and one with models that learnt the fake camera's person, for
the camera's end-to-end tests, and one with the sequence head (`models_with_sequence_head`) for
the play page's ring buffer, and one with the pipeline's frame head beside a sequence head that
always answers "roundhouse".
"""

import contextlib
import json
import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest
from chromium import launch_headless
from playwright.sync_api import sync_playwright

from tfjs_kombat import frames, webconfig
from tfjs_kombat.config import (
    CLASS_DIRS,
    CLASS_NAMES,
    CLIP_CLASS_DIRS,
    CLIP_CLASS_NAMES,
    CLIP_FPS,
    OTHER,
    ROUNDHOUSE,
    SEQUENCE_LENGTH,
)
from tfjs_kombat.errors import UserError
from tfjs_kombat.serve import make_server
from tfjs_kombat.synth import render, webcam

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
    """launch_chromium(*extra_args) -> a headless Chromium with chromium.CHROMIUM_ARGS and the extras.

    One Playwright serves the whole session (a second sync_playwright() in the same thread fails);
    a test module that needs other flags (e.g. a fake-camera clip) launches its own browser here.
    """
    with sync_playwright() as playwright:
        browsers = []

        def launch(*extra_args):
            try:
                browsers.append(launch_headless(playwright, *extra_args))
            except UserError as error:  # no Chromium: say how to get one, without a traceback
                pytest.fail(str(error), pytrace=False)
            return browsers[-1]

        yield launch
        for browser in browsers:
            browser.close()


@pytest.fixture(scope="session")
def browser(launch_chromium):
    """The browser most tests share: Chromium's own fake camera (a moving test pattern)."""
    return launch_chromium()


@pytest.fixture(scope="session")
def web_root_with_models(pipeline, season_models, tmp_path_factory):
    """A copy of web/ whose models/ holds the pipeline's heads, the season MLP (the try page's) and
    MobileNet, float32."""
    require_tfjs()
    from tfjs_kombat import metrics

    pipeline_root, _ = pipeline
    trained = tmp_path_factory.mktemp("trained")
    for path in (pipeline_root / "models").glob("*.*"):
        if path.suffix in (".keras", ".json"):
            shutil.copy(path, trained / path.name)
    shutil.copy(season_models / "season.keras", trained)
    season_entry = json.loads((season_models / "metrics.json").read_text())["season"]
    metrics.update_metrics(trained / "metrics.json", "season", season_entry)
    return converted_web_root(trained, tmp_path_factory.mktemp("web"), imagenet=True)


@pytest.fixture(scope="session")
def web_root_without_models(tmp_path_factory):
    """A copy of web/ as on a fresh clone after `make web` but before `make convert`."""
    require_tfjs()
    return copy_web(tmp_path_factory.mktemp("bare") / "web")


@pytest.fixture(scope="session")
def fighter_clip(tmp_path_factory):
    """A fake-camera clip of one rendered fighter: idle, punch, idle, kick, idle (11.6 s, looped)."""
    clip = tmp_path_factory.mktemp("clip") / "fighter.y4m"
    return clip, webcam.render_clip(clip)


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
            if start + webcam.MOVE_SECONDS <= t < end - webcam.MOVE_SECONDS:
                shutil.move(path, out_dir / CLASS_DIRS[CLASS_NAMES.index(pose)] / f"clip-{path.name}")


# What a player records of themself: a few seconds of each move (the clip plays each once, briefly).
RECORDING_SCRIPT = (("other", 4.0), ("punch", 4.0), ("other", 4.0), ("kick", 4.0), ("other", 2.0))


def recorded_clips(data_dir, work, per_class=8, idle_clips=12):
    """The clip's person recorded as clips, as the record page does when a key is held, by the
    camera the game then plays with (640x480): `per_class` clips of SEQUENCE_LENGTH frames of
    each move, the move starting 0.1-0.8 s in, and `idle_clips` of standing, cut from one take of
    three sways. Every clip starts at its own phase of the idle sway: a head that saw only part
    of the sway (and at 320x240) read the rest of it as a punch, in 1 to 20 windows of 81."""

    def keep(taken, class_dir, k):
        clip = data_dir / class_dir / f"recorded-{k}"
        clip.mkdir(parents=True)
        for path in taken:
            shutil.copy(path, clip / path.name)

    standing = work / "standing.y4m"
    webcam.render_clip(standing, fps=CLIP_FPS, script=webcam.STILL_SCRIPT)
    take = frames.extract_frames(standing, work / "standing")  # seamless: it loops, like the still test's
    for k in range(idle_clips):
        first = k * len(take) // idle_clips
        keep([take[(first + i) % len(take)] for i in range(SEQUENCE_LENGTH)], CLIP_CLASS_DIRS[OTHER], k)
    for name, class_dir in zip(CLIP_CLASS_NAMES, CLIP_CLASS_DIRS, strict=True):
        if name == CLIP_CLASS_NAMES[OTHER]:
            continue
        for k in range(per_class):
            first = round(k * webcam.SWAY_SECONDS * CLIP_FPS / per_class)  # the frames before the clip
            video = work / f"{name}-{k}.y4m"
            script = (("other", first / CLIP_FPS + 0.1 * (k + 1)), (name, 1.2))
            webcam.render_clip(video, fps=CLIP_FPS, script=script)
            taken = frames.extract_frames(video, work / f"{name}-{k}")
            keep(taken[first : first + SEQUENCE_LENGTH], class_dir, k)


@pytest.fixture(scope="session")
def personal_models(train_small, tmp_path_factory):
    """Heads that learnt the fighter clip's person too, as a user records themself.

    Half the pipeline's default data (40 pictures per class, rendered afresh: this trains on its
    own pytest-xdist worker, beside the pipeline; 80 took 15 s more and played the same) plus the
    clip's person (same seed: same person, room and moves) recorded holding each move for a few
    seconds, as on the record page, labelled by the timeline; trained on real MobileNet 0.75
    features of two augmentations a picture (once a session). Scored frame by frame on the
    test clips (3 seeds), it acts on no standing frame (P(move) at most 0.13, the rule needing
    0.35) and hits 83-89% of the held punch's frames, as with four augmentations.
    """
    work = tmp_path_factory.mktemp("personal")
    render.render_dataset(work / "data", per_class=40, seed=7, clips_per_class=0)
    recording = work / "recording.y4m"
    recorded_frames(recording, webcam.render_clip(recording, script=RECORDING_SCRIPT), work / "data")
    train_small(work / "data", work, work / "cache", count=2)
    return work / "models"


@pytest.fixture(scope="session")
def personal_clip_models(train_small, tmp_path_factory):
    """A sequence head that learnt the fighter clip's person too: rendered clips of every clip
    class (people and rooms of their own) plus the clip's person recorded as clips of each move,
    a clips-only dataset (so only the sequence head trains), on its own pytest-xdist worker."""
    work = tmp_path_factory.mktemp("personal-clips")
    render.render_dataset(work / "data", per_class=0, seed=7, clips_per_class=16)
    recorded_clips(work / "data", work)
    train_small(work / "data", work, work / "cache", clip_count=6)
    return work / "models"


def converted_web_root(models, destination, imagenet=False):
    """A copy of web/ with `models` converted, float32 (and the try page's ImageNet classifier)."""
    from tfjs_kombat import convert

    root = copy_web(destination / "web")
    convert.convert_models(models, root / "models", quantization="float32", imagenet=imagenet)
    return root


@pytest.fixture(scope="session")
def personal_web_root(personal_models, tmp_path_factory):
    """The personal frame head in a copy of web/."""
    require_tfjs()
    return converted_web_root(personal_models, tmp_path_factory.mktemp("personal-web"))


@pytest.fixture(scope="session")
def personal_sequence_web_root(personal_clip_models, tmp_path_factory):
    """The personal sequence head, which then plays, in a copy of web/."""
    require_tfjs()
    return converted_web_root(personal_clip_models, tmp_path_factory.mktemp("personal-sequence"))


# ---------------------------------------------------------------------------------------------
# Stand-in sequence heads in the page (untrained or fitted on random vectors), exported and listed
# in config.json by convert's own functions, for the tests of what the page does with one.

TEST_ALPHA = 0.75


def sequence_extractor(recipe, alpha=TEST_ALPHA):
    """The recipe's MobileNet feature extractor; skips (fails in CI) without its weights."""
    from tfjs_kombat import features

    try:
        return features.build_feature_extractor(alpha, recipe)
    except (UserError, OSError) as error:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"needs the MobileNet {alpha} weights: {error}")


def frame_vector_size(extractor, pool):
    """D: the size of one frame's step, MobileNet's vector or its map pooled by `pool`, flattened."""
    from tfjs_kombat import convert

    return convert.pooled_size(list(extractor.output_shape[1:]), pool)


def roundhouse_sequence_head(vector_size):
    """A sequence head that answers "roundhouse" (P ~ 0.97) whatever it sees."""
    from tfjs_kombat import heads

    model = heads.build_sequence_head(SEQUENCE_LENGTH, vector_size)
    output = model.get_layer("sequence_output")
    kernel, bias = output.get_weights()
    bias = np.zeros_like(bias)
    bias[ROUNDHOUSE] = 5.0
    output.set_weights([np.zeros_like(kernel), bias])
    return model


def random_frame_vectors(rng, count, vector_size):
    """Random steps shaped like pooled ReLU6 features: non-negative, mostly small."""
    return rng.gamma(1.0, 0.5, size=(count, SEQUENCE_LENGTH, vector_size)).astype("float32")


def fitted_sequence_head(vector_size, seed=0):
    """A sequence head fitted for a few epochs on random sequences (labels from a random projection
    of how their steps change: the head reads change, not the window's mean), so that its outputs
    are confident and varied, not near-uniform."""
    import keras

    from tfjs_kombat import heads

    keras.utils.set_random_seed(seed)
    rng = np.random.default_rng(seed)
    x = random_frame_vectors(rng, 256, vector_size)
    projection = rng.normal(size=(vector_size, len(CLIP_CLASS_NAMES)))
    labels = (x[:, -1] - x[:, 0]) @ projection
    model = heads.build_sequence_head(SEQUENCE_LENGTH, vector_size)
    y = keras.utils.to_categorical(labels.argmax(axis=1), len(CLIP_CLASS_NAMES))
    model.fit(x, y, epochs=30, batch_size=32, verbose=0)
    return model


def models_with_sequence_head(models_dir, recipe_name, make_head):
    """models_dir/ as the play page loads it with a sequence head: the recipe's MobileNet 0.75
    and the head make_head(D) returns, float32, and convert's config.json for them. Returns
    (extractor, head, pool)."""
    from tfjs_kombat import convert, recipes

    models_dir = Path(models_dir)
    recipe = recipes.named(recipe_name)
    extractor = sequence_extractor(recipe)
    pool = recipe.sequence_pool
    head = make_head(frame_vector_size(extractor, pool))
    to_convert = {"mobilenet": extractor, "sequence": head}
    for name, model in to_convert.items():
        convert.export_graph_model(model, models_dir / name, "float32")
    made_by = {"recipe": recipe.name, "alpha": TEST_ALPHA, "sequence": {"pool": pool}}
    config = convert.page_config(made_by, to_convert, dict.fromkeys(to_convert, "float32"), {})
    (models_dir / "config.json").write_text(json.dumps(config))
    return extractor, head, pool


@pytest.fixture(scope="session")
def sequence_kit():
    """The helpers above, for test modules (they do not import conftest)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        models=models_with_sequence_head,
        fitted_head=fitted_sequence_head,
        roundhouse_head=roundhouse_sequence_head,
        vector_size=frame_vector_size,
    )


@pytest.fixture(scope="session")
def roundhouse_web_root(copy_web, tmp_path_factory):
    """A copy of web/ whose models are the pose recipe's MobileNet and a sequence head that
    always answers "roundhouse": what the page does with the head's decision, whatever the camera."""
    root = copy_web(tmp_path_factory.mktemp("roundhouse") / "web")
    models_with_sequence_head(root / "models", "pose", roundhouse_sequence_head)
    return root


@pytest.fixture(scope="session")
def frame_and_roundhouse_web_root(pipeline, tmp_path_factory):
    """A copy of web/ with the pipeline's frame head (the pose recipe's, trained as `make play
    RECIPE=pose` trains it, smaller) and a sequence head that always answers "roundhouse", the boldest a
    sequence head can be: the page plays the sequence head, and every move it plays must be one
    the frame head saw too."""
    from tfjs_kombat import files, recipes

    require_tfjs()
    pipeline_root, _ = pipeline
    models = tmp_path_factory.mktemp("frame-and-roundhouse") / "models"
    shutil.copytree(pipeline_root / "models", models)
    recipe = recipes.named(json.loads((models / "recipe.json").read_text())["recipe"])
    size = frame_vector_size(sequence_extractor(recipe), recipe.sequence_pool)
    files.save_model(roundhouse_sequence_head(size), models / "sequence.keras")
    facts = {
        "length": SEQUENCE_LENGTH,
        "size": size,
        "pool": recipe.sequence_pool,
        "classes": CLIP_CLASS_NAMES,
    }
    made_by = {"alpha": TEST_ALPHA, "recipe": recipe.name, "sequence": facts}
    files.write_json(models / "recipe.json", made_by)
    return converted_web_root(models, tmp_path_factory.mktemp("frame-and-roundhouse-web"))


@pytest.fixture(scope="session")
def still_browser(launch_chromium, tmp_path_factory):
    """Chromium whose fake camera plays the clip's person standing still in guard."""
    clip = tmp_path_factory.mktemp("still") / "still.y4m"
    webcam.render_clip(clip, script=webcam.STILL_SCRIPT)
    return launch_chromium(f"--use-file-for-fake-video-capture={clip}")


# ---------------------------------------------------------------------------------------------
# The keypoint recipe's page: keypoint heads exported as `tfjs-kombat convert` exports a model,
# beside a config.json laid out as the keypoint recipe's convert writes it; BlazePose comes from
# web/vendor/bodypose/ (`make web`).


def require_bodypose():
    """BlazePose's graph models come from `make web`; without them the keypoint page cannot run."""
    from tfjs_kombat.bodypose import modelfiles

    if not (modelfiles.WEB_MODELS / modelfiles.DETECTOR / "model.json").is_file():
        message = f"needs BlazePose's graph models in {modelfiles.WEB_MODELS} (run `make web`)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def keypoint_models(models_dir, frame_head, sequence_head, quantization="float32"):
    """models_dir/ as the play page loads the keypoint recipe's models: the frame head (punch_kick)
    and the sequence head, and config.json saying their features are BlazePose lite's keypoints."""
    from tfjs_kombat import convert

    models_dir = Path(models_dir)
    to_convert = {"punch_kick": frame_head, "sequence": sequence_head}
    stored = {
        name: convert.export_graph_model(model, models_dir / name, quantization)
        for name, model in to_convert.items()
    }
    # config.json as `tfjs-kombat convert` writes it for the keypoints recipe
    config = convert.page_config({"recipe": "keypoints", "alpha": None}, to_convert, stored, {})
    (models_dir / "config.json").write_text(json.dumps(config))
    return config


def always_answering(model, body_name, output_name, answer):
    """The keypoint head `model` made to answer class `answer` (P ~ 0.97 over 3 or 5 classes)
    whatever it sees: its output layer (in the body model both mirror images share) zeroed,
    but for that class's bias."""
    output = model.get_layer(body_name).get_layer(output_name)
    kernel, bias = output.get_weights()
    bias = np.zeros_like(bias)
    bias[answer] = 5.0
    output.set_weights([np.zeros_like(kernel), bias])
    return model


@pytest.fixture(scope="session")
def always_moving_keypoints_web_root(copy_web, tmp_path_factory):
    """A copy of web/ with keypoint heads that always act: the frame head punches, the sequence
    head answers "roundhouse". Whatever the page plays is what it does with someone in view."""
    from tfjs_kombat import heads
    from tfjs_kombat.config import PUNCH

    require_bodypose()
    root = copy_web(tmp_path_factory.mktemp("keypoints") / "web")
    frame_head = always_answering(
        heads.build_keypoint_frame_head(), "body_punch_kick", "punch_kick_output", PUNCH
    )
    sequence_head = always_answering(
        heads.build_keypoint_sequence_head(SEQUENCE_LENGTH), "body_sequence", "sequence_output", ROUNDHOUSE
    )
    keypoint_models(root / "models", frame_head, sequence_head)
    return root


@pytest.fixture(scope="session", name="keypoint_models")
def keypoint_models_fixture():
    """keypoint_models(models_dir, frame_head, sequence_head) as a fixture, once BlazePose is known
    to be in web/vendor."""
    require_bodypose()
    return keypoint_models
