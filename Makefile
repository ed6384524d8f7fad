# tfjs-kombat: `make train` runs the whole Python pipeline, `make test` runs every check.
# Knobs: RECIPE (keypoints, the default recipes.DEFAULT names; pose; article: the article's exact
# pipeline), ALPHA (MobileNet width: auto, 1.0, 0.75, 0.5, 0.25), DATA (dataset folder), MODELS,
# BUILD, PER_CLASS (default-data images per class).

RECIPE ?= keypoints
RECIPE_OPTION := --recipe $(RECIPE)
# auto: the article's 1.0 when its weights are cached or can be downloaded, else the widest
# width whose weights are cached (offline here: ../shared/keras-home's 0.75).
ALPHA ?= auto
# The default data: data/default holds render's own count per class; PER_CLASS=N renders
# data/default-N instead, so a count never reuses a folder rendered with another.
PER_CLASS ?=
DEFAULT_DATA := data/default$(if $(PER_CLASS),-$(PER_CLASS))
DATA ?= $(DEFAULT_DATA)
BUILD ?= build/$(RECIPE)
MODELS ?= models

# The offline Keras cache beside the project (real MobileNet 0.75 weights), when there is one.
ifneq ($(wildcard ../shared/keras-home/models),)
KERAS_HOME ?= $(abspath ../shared/keras-home)
endif
export KERAS_HOME
export TF_CPP_MIN_LOG_LEVEL = 3

VENV := .venv
PYTHON := $(VENV)/bin/python
KOMBAT := $(VENV)/bin/tfjs-kombat

.PHONY: install weights train season data web mkjs convert serve play test lint format benchmark benchmark-new-player clean

install: $(VENV)/.installed

# Pinned set (constraints.txt) into a local venv; re-run when the declared dependencies change.
# Through uv (itself pinned there): it fetches and unpacks in parallel, 15 s where pip took 45.
# Compiled to bytecode as it installs, as pip does: where PYTHONDONTWRITEBYTECODE is set, every
# import would compile TensorFlow afresh (7.7 s instead of 3.1).
$(VENV)/.installed: setup.cfg constraints.txt
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --quiet -c constraints.txt uv
	$(VENV)/bin/uv pip install --quiet --compile-bytecode --python $(PYTHON) -c constraints.txt -e '.[dev]'
	touch $@

# The embedded default dataset: procedural fighters, rendered once.
$(DEFAULT_DATA): | install
	$(KOMBAT) render $(DEFAULT_DATA)$(if $(PER_CLASS), --per-class $(PER_CLASS))

data: $(DEFAULT_DATA)

season: install
	$(KOMBAT) season --models $(MODELS)

# The MobileNet weights first: a machine without them learns it in seconds, not after rendering.
weights: install
	$(KOMBAT) weights --alpha $(ALPHA)

# RECIPE=keypoints reads no MobileNet and augments nothing: with the default DATA its features
# are generated people (seconds, nothing rendered); with a dataset, the pose model's keypoints of
# its pictures.
KEYPOINTS := $(filter keypoints,$(RECIPE))
DEFAULT_DATA_USED := $(filter $(DEFAULT_DATA),$(DATA))

ifeq ($(KEYPOINTS),)
train: install weights season $(if $(DEFAULT_DATA_USED),$(DEFAULT_DATA))
	$(KOMBAT) dataset $(DATA) --out $(BUILD)/split.json
	$(KOMBAT) augment $(BUILD)/split.json $(RECIPE_OPTION) --out $(BUILD)/frames
	$(KOMBAT) features $(BUILD)/frames $(RECIPE_OPTION) --alpha $(ALPHA) --out $(BUILD)/features --cache build/cache
	$(KOMBAT) train $(BUILD)/features --models $(MODELS)
else
train: install season
ifneq ($(DEFAULT_DATA_USED),)
	$(KOMBAT) features --generated $(RECIPE_OPTION) --out $(BUILD)/features
else
	$(KOMBAT) dataset $(DATA) --out $(BUILD)/split.json
	$(KOMBAT) features $(BUILD)/split.json $(RECIPE_OPTION) --out $(BUILD)/features --cache build/cache
endif
	$(KOMBAT) train $(BUILD)/features --models $(MODELS)
endif

# TensorFlow.js and its WASM backend from npm, copied into web/vendor/ (no CDN at run time), and
# web/js/constants.js, the pages' numbers, generated from tfjs_kombat/config.py (never committed).
TFJS := web/node_modules/@tensorflow/tfjs/dist
TFJS_WASM := web/node_modules/@tensorflow/tfjs-backend-wasm/dist
POSE_MODELS := web/vendor/bodypose/.converted
web: install web/vendor/.installed $(POSE_MODELS)
	$(KOMBAT) webconfig

web/vendor/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	mkdir -p web/vendor
	cp $(TFJS)/tf.min.js $(TFJS_WASM)/tf-backend-wasm.min.js $(TFJS_WASM)/*.wasm web/vendor/
	touch $@

# BlazePose (npm's @mediapipe/pose, Apache-2.0): its .tflite networks rebuilt as TensorFlow graphs
# and converted to TensorFlow.js graph models in web/vendor/bodypose/ (never committed); again when
# the code that rebuilds them changes.
$(POSE_MODELS): web/vendor/.installed $(addprefix tfjs_kombat/bodypose/,tflitegraph.py networks.py webmodels.py) | $(VENV)/.installed
	$(KOMBAT) posemodels
	touch $@

# MK.js, the article's game (MIT, not on npm, never committed here), from a checkout the user names:
# `make mkjs MKJS=path/to/mk.js` copies its game into web/vendor/mkjs/ for mkjs.html.
mkjs: install
	@test -n "$(MKJS)" || { echo "usage: make mkjs MKJS=path/to/mk.js (git clone https://github.com/mgechev/mk.js)" >&2; exit 2; }
	$(KOMBAT) mkjs "$(MKJS)"

QUANTIZATION ?= auto
convert: install
	$(KOMBAT) convert $(MODELS) --quantization $(QUANTIZATION)

PORT ?= 8000
serve: install web
	$(KOMBAT) serve --port $(PORT)

# Everything from a fresh clone: train once (unless models exist), convert, serve.
# models/ must be RECIPE's (models/recipe.json), or it trains again.
play: install web
	test -f $(MODELS)/punch_kick.keras && grep -qs '"recipe": "$(RECIPE)"' $(MODELS)/recipe.json || $(MAKE) train
	$(MAKE) convert serve

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Three workers, one per training the tests share, then a module at a time (tests/conftest.py
# queues them); much of a browser test is waiting for the page, so a third worker still gains
# on two cores.
test:
	$(MAKE) --jobs=2 lint web  # the Python set and npm's installed side by side
	$(PYTHON) -m pytest -q --numprocesses 3 --dist loadgroup --no-loadscope-reorder
	node --test tests/web/

benchmark: install
	$(PYTHON) benchmarks/features_speed.py --alpha $(ALPHA)

benchmark-new-player: install web
	$(PYTHON) benchmarks/new_player.py

clean:
	rm -rf build data/default data/default-*
