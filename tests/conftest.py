"""Shared test set-up: the offline Keras cache with real MobileNet 0.75 weights.

Tests that expect learning need real ImageNet weights (random ones give ~1e-21 features). They
come from KERAS_HOME, defaulting to ../shared/keras-home beside the project. Without the
weights those tests skip locally, but fail in CI (CI=true), where they must run.
"""

import contextlib
import fcntl
import hashlib
import io
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from tfjs_kombat.recipes import ARTICLE

ROOT = Path(__file__).resolve().parents[1]
SHARED_KERAS_HOME = ROOT.parent / "shared" / "keras-home"
if "KERAS_HOME" not in os.environ and SHARED_KERAS_HOME.is_dir():
    os.environ["KERAS_HOME"] = str(SHARED_KERAS_HOME)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

TEST_ALPHA = 0.75
WEIGHTS = (
    Path(os.environ.get("KERAS_HOME", "~/.keras")).expanduser() / "models" / "mobilenet_7_5_224_tf_no_top.h5"
)
if os.environ.get("CI") and not WEIGHTS.exists():
    raise RuntimeError(f"CI needs the MobileNet 0.75 weights at {WEIGHTS}; set KERAS_HOME")

requires_weights = pytest.mark.skipif(
    not WEIGHTS.exists(), reason=f"needs real MobileNet 0.75 weights at {WEIGHTS} (set KERAS_HOME)"
)

# A file name that, printed raw, clears the screen and forges an error line on the terminal.
HOSTILE_NAME = "\x1b[2J\rerror: forged\n"


# The session fixtures that train and convert models (a minute of work each): the small pipeline's
# family, and the frame and sequence heads that learnt the fake camera's person (tests/web/).
TRAINING_GROUPS = {
    "pipeline": {"pipeline", "article_pipeline", "converted", "web_root_with_models"},
    "personal_clips": {"personal_clip_models"},
    "personal": {"personal_models"},
    "keypoints": {"keypoint_models"},
}


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups
def pytest_collection_modifyitems(items):
    """`make test` runs on pytest-xdist workers (--dist loadgroup --no-loadscope-reorder), each
    group on one worker. The tests that need one training share a group (TRAINING_GROUPS), so one
    worker trains it once; every other module is a group of its own, so its module fixtures (a
    recording session, a page) are set up once. The trainings are queued first, one per worker,
    side by side; then the browser modules (long, much of it waiting for pages), then the rest,
    the biggest first: short modules fill the end."""

    def group_of(item):
        used = set(item.fixturenames)
        trained = (group for group, fixtures in TRAINING_GROUPS.items() if fixtures & used)
        return next(trained, item.nodeid.split("::")[0])

    groups = {item.nodeid: group_of(item) for item in items}
    sizes = Counter(groups.values())
    trainings = list(TRAINING_GROUPS)

    def queued(item):
        group = groups[item.nodeid]
        if group in trainings:
            return (trainings.index(group), 0, 0, group)
        return (len(trainings), not group.startswith("tests/web/"), -sizes[group], group)

    for item in items:
        item.add_marker(pytest.mark.xdist_group(groups[item.nodeid]))
    items.sort(key=queued)


def assert_escaped(output, name=HOSTILE_NAME):
    """The output holds no control character but newlines, and shows `name` repr-style."""
    assert {char for char in output if not char.isprintable()} <= {"\n"}
    assert repr(name)[1:-1] in output


def train_small(data_dir, work, cache_dir, count=4, recipe=None, clip_count=4, epochs=None, rates=None):
    """dataset -> augment (`count` per image, `clip_count` per clip) -> features (0.75) -> train,
    with quick settings (the article's heads: fewer epochs at a larger learning rate; the pose
    and sequence heads as they are; the sequence head's frame baseline barely trained), and
    `epochs` and `rates` ({head: value}) over them. Augments in this process: the suite's workers
    keep the cores busy, and a pool's processes would each import imgaug first (the output is the
    same either way: tests/test_augment.py). recipe: a MobileNet recipes.Recipe, pose when None."""
    from tfjs_kombat import augment, dataset, features, recipes, train

    recipe = recipe or recipes.POSE

    manifest = dataset.make_split(data_dir, work / "split.json")
    augment.augment_split(
        work / "split.json", work / "frames", recipe, count=count, clip_count=clip_count, workers=1
    )
    features.extract_split_features(work / "frames", work / "features", recipe, TEST_ALPHA, cache_dir)
    if recipe == recipes.ARTICLE:  # the article's heads: fewer epochs at a larger learning rate
        quick = {"punch": 40, "punch_kick": 60}, {"punch": 1e-4, "punch_kick": 1e-4}
    else:  # the baseline only measures the sequence head
        quick = {"frame_baseline": 2}, {}
    reports = train.train_heads(
        work / "features", work / "models", {**quick[0], **(epochs or {})}, {**quick[1], **(rates or {})}
    )
    return manifest, reports


@pytest.fixture(scope="session", name="train_small")
def train_small_fixture():
    """train_small(data_dir, work, cache_dir, ...) for test modules; needs the real weights."""
    if not WEIGHTS.exists():
        pytest.skip(f"needs real MobileNet 0.75 weights at {WEIGHTS}")
    return train_small


@pytest.fixture(scope="session")
def untrained_heads(tmp_path_factory):
    """A models folder with both heads, untrained, for MobileNet 0.75 features: enough to run
    predict and evaluate end to end without training."""
    if not WEIGHTS.exists():
        pytest.skip(f"needs real MobileNet 0.75 weights at {WEIGHTS}")
    from tfjs_kombat import features, files, heads

    models = tmp_path_factory.mktemp("untrained") / "models"
    size = features.feature_size(TEST_ALPHA)
    files.save_model(heads.build_punch_head(size), models / "punch.keras")
    files.save_model(heads.build_punch_kick_head(size), models / "punch_kick.keras")
    files.write_json(models / "recipe.json", {"alpha": TEST_ALPHA, "recipe": ARTICLE.name})
    return models


def made_once(tmp_path_factory, name, make):
    """A folder shared by every pytest-xdist worker of the run (the run's own temp root), made by
    make(folder) on the first worker that asks; the others wait for it, then use it."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    with open(shared / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / name).is_dir():
            partial = shared / f"{name}.partial"
            shutil.rmtree(partial, ignore_errors=True)  # a failed try
            make(partial)
            partial.rename(shared / name)
    return shared / name


@pytest.fixture(scope="session", autouse=True)
def models_converted_once(tmp_path_factory):
    """The converter takes 4-10 s a model, and tests convert the same model more than once (each
    MobileNet for several pages, the pipeline's heads for two): the run converts each model once,
    known by its architecture and weights, and copies it (quantization comes after, per export)."""
    from tfjs_kombat import convert

    real_convert = convert.convert_keras_model

    def convert_once(model, out_dir):
        digest = hashlib.sha256(model.to_json().encode())
        for weights in model.get_weights():
            digest.update(weights.tobytes())
        key = f"graph-{model.name}-{digest.hexdigest()[:16]}"
        graph = made_once(tmp_path_factory, key, lambda folder: real_convert(model, folder))
        shutil.copytree(graph, out_dir)

    convert.convert_keras_model = convert_once
    yield
    convert.convert_keras_model = real_convert


@pytest.fixture(scope="session")
def season_models(tmp_path_factory):
    """`tfjs-kombat season` with the article's settings, run once: a models folder with the season
    MLP, its metrics and plots, and what the command printed (output.txt)."""
    from tfjs_kombat import cli

    def train(models):
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            assert cli.main(["season", "--models", str(models)]) == 0
        (models / "output.txt").write_text(output.getvalue())

    return made_once(tmp_path_factory, "season", train)


@pytest.fixture
def count_decodes(monkeypatch):
    """{path: how many times PIL opened it} for the test's duration."""
    from collections import Counter

    from PIL import Image

    opened, real_open = Counter(), Image.open

    def counting_open(fp, *args, **kwargs):
        opened[str(fp)] += 1
        return real_open(fp, *args, **kwargs)

    monkeypatch.setattr(Image, "open", counting_open)
    return opened


@pytest.fixture(scope="session")
def pipeline(tmp_path_factory, train_small):
    """The whole chain, small but real, with the pose recipe: render -> dataset -> augment ->
    features (0.75) -> train. The pose head keeps its own 20 epochs at 1e-4: 10 at 2e-4 learnt the
    renders as well (0.81-0.88 held out over 4 seeds, against 0.83-0.90) but kicked on 30 of 121
    ticks of Chromium's test card, where the play page must stand."""
    from tfjs_kombat.synth import render

    root = tmp_path_factory.mktemp("pipeline")
    render.render_dataset(root / "data", per_class=80, seed=7, clips_per_class=0)
    _, reports = train_small(root / "data", root, root / "cache")
    return root, reports


@pytest.fixture(scope="session")
def article_pipeline(pipeline, train_small):
    """The article's recipe on the pipeline's data (its own build folder, the same cache), two
    augmentations per picture: its heads learn as well as with four (0.81 and 0.77 held out, with
    four 0.81 and 0.79), in half the time. (The pose recipe's fixture keeps four: with two, the
    head kicked on a fifth of the frames of a camera showing nobody.)"""
    root, _ = pipeline
    _, reports = train_small(root / "data", root / "article", root / "cache", count=2, recipe=ARTICLE)
    return root / "article", reports


@pytest.fixture(scope="session")
def converted(pipeline, tmp_path_factory):
    """The pipeline's heads and MobileNet converted for TensorFlow.js with the default quantization."""
    from tfjs_kombat import convert

    root, _ = pipeline
    out = tmp_path_factory.mktemp("converted") / "models"
    sizes = convert.convert_models(root / "models", out, imagenet=False)
    return out, sizes


@pytest.fixture(scope="session")
def keypoint_models(tmp_path_factory):
    """The keypoints recipe trained on a little generated data (features --generated: 300 frames
    and 80 clips a class), its heads as the recipe says (early stopping, two seeds)."""
    from tfjs_kombat import keypoint_features, recipes, train

    root = tmp_path_factory.mktemp("keypoints")
    keypoint_features.generated(
        root / "features", recipes.KEYPOINTS, frames_per_class=300, clips_per_class=80
    )
    reports = train.train_heads(root / "features", root / "models")
    return root, reports


@pytest.fixture(scope="session")
def sequence_models(tmp_path_factory):
    """The sequence head and its frame baseline trained on synthetic clip features (64-d frame
    vectors whose look-alike kicks differ only in order: tests/clip_features.py), in seconds."""
    from clip_features import write_clip_features

    from tfjs_kombat import train

    root = tmp_path_factory.mktemp("sequence")
    write_clip_features(root / "features")
    reports = train.train_heads(root / "features", root / "models")
    return root, reports


@pytest.fixture(scope="session")
def pose_networks():
    """BlazePose's detector and lite landmark model (tests/bodypose/), from npm via `make web`:
    without them the tests that need them skip locally and fail in CI."""
    from tfjs_kombat.bodypose import modelfiles, networks

    if not (modelfiles.PACKAGE / modelfiles.DETECTOR_FILE).is_file():
        message = f"needs BlazePose from npm in {modelfiles.PACKAGE} (run `make web`)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return networks.load("lite")
