/**
 * The classifier: the converted TensorFlow.js graph models in web/models/ (MobileNet features →
 * the punch and punch/kick heads, plus the try-it page's ImageNet and season models, plus the
 * play pages' sequence head) and the article's decisions on their outputs.
 *
 * The sequence head (when config.json lists it) reads the last T frames, not one: each frame's
 * MobileNet output becomes one vector (the article recipe's feature vector as it is; the pose
 * recipe's map averaged over config.json's `sequence.pool` cells and flattened, as Keras's
 * AveragePooling2D + Flatten do), kept in a ring buffer of the last T vectors, so MobileNet still
 * runs once per frame. Once the buffer is full the head runs every frame on the stacked [1, T, D];
 * until then the page stands. When a frame head is loaded too, a move of the sequence head plays
 * only if the frame head would have acted on a frame of the window (decideSequenceWithFrames).
 * Uses the global `tf` of vendor/tf.min.js; no DOM here besides what tf needs. Every shared number
 * (frame size, output order, thresholds) comes from constants.js, generated from
 * tfjs_kombat/config.py; models/config.json, which `tfjs-kombat convert` writes, lists the models
 * and their facts.
 *
 * The Python twin of the decisions is tfjs_kombat/heads.py (decide_punch, decide_punch_kick,
 * decide_sequence), with each head's thresholds from config.json's `rules` (heads.Rule: the
 * article's, or the keypoint heads' stricter one); the frame head's vouching is the page's own
 * (docs/design.md).
 */

import {
  ACTION_THRESHOLD,
  CLIP_CLASS_NAMES,
  DAYS_PER_YEAR,
  FRAME_HEIGHT,
  FRAME_WIDTH,
  KICK,
  OTHER,
  OTHER_THRESHOLD,
  PUNCH,
  PUNCH_THRESHOLD,
  SEASONS,
} from './constants.js';

// What the game does for each of the sequence head's classes ('other' stands): the two kicks
// that only the movement tells apart become the roundhouse and the game's plain kick.
export const SEQUENCE_MOVES = Object.freeze({
  punch: 'punch',
  kick: 'kick',
  roundhouse: 'roundhouse',
  back_kick: 'kick',
});

const SOFTWARE_RENDERERS = /swiftshader|llvmpipe|software|basic render/i;
const WASM_PATH = 'vendor/'; // the .wasm binaries sit beside tf.min.js; never a CDN
// The season MLP's input is day / DAYS_PER_YEAR of a non-leap year (tfjs_kombat/season.py).
const NON_LEAP_YEAR = 2001;
let wasmPathSet = false;

/** A problem with the converted models that the user fixes by (re)running the pipeline. */
export class ModelsError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ModelsError';
    this.kind = 'models-missing';
  }
}

/**
 * Pick and initialise a TensorFlow.js backend; returns its name. `preferred` (from ?backend=)
 * wins when it works. Otherwise WebGL only on a real GPU: without one WebGL runs on a software
 * rasteriser and is ~10x slower than WASM (docs/measurements.md). Then WASM, then plain JS.
 */
export async function chooseBackend(preferred) {
  const order = ['wasm', 'cpu'];
  if (hasRealGpu()) order.unshift('webgl');
  if (preferred) order.unshift(preferred);
  for (const name of new Set(order)) {
    if (await tryBackend(name)) return name;
  }
  throw new Error(`no TensorFlow.js backend could start (tried ${[...new Set(order)].join(', ')})`);
}

/** What to tell the user when ?backend= asked for a backend that did not start ('' when it did). */
export function backendNotice(asked, used) {
  return asked && asked !== used ? `The ${asked} backend (?backend=${asked}) could not start: using ${used}.` : '';
}

async function tryBackend(name) {
  if (!tf.findBackendFactory(name)) return false;
  if (name === 'wasm' && !wasmPathSet) {
    tf.wasm.setWasmPaths(WASM_PATH);
    wasmPathSet = true;
  }
  try {
    return (await tf.setBackend(name)) && tf.getBackend() === name;
  } catch {
    return false; // e.g. WebGL context creation failed: try the next one
  }
}

/** The WebGL renderer string names a hardware GPU (not SwiftShader, llvmpipe, ...). */
function hasRealGpu() {
  const gl = document.createElement('canvas').getContext('webgl');
  if (!gl) return false;
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER);
  gl.getExtension('WEBGL_lose_context')?.loseContext(); // free the probe's context
  return Boolean(renderer) && !SOFTWARE_RENDERERS.test(renderer);
}

/**
 * Load config.json and every model it lists; models it does not list are null. A missing
 * config, MobileNet or head, or a MobileNet converted for another frame size than constants.js's,
 * throws a ModelsError (kind 'models-missing') that says what to run.
 * `extras: false` loads only what play uses: MobileNet, the punch/kick head (the binary punch head
 * only when there is no punch/kick head) and the sequence head when config.json lists one; not
 * the try-it page's models. The try-it page (`extras: true`) judges single photos: it
 * loads the frame heads and never the sequence head. `config`: config.json when already loaded.
 */
export async function loadClassifier(base = 'models/', { extras = true, config: given = null } = {}) {
  const config = given ?? (await loadConfig(base));
  if (!config.models?.mobilenet) {
    throw new ModelsError(missingMessage(`${base}config.json lists no MobileNet`));
  }
  const [height, width] = config.inputShapes?.mobilenet ?? [];
  if (height !== FRAME_HEIGHT || width !== FRAME_WIDTH) {
    const converted = `MobileNet was converted for ${width}x${height} frames`;
    throw new ModelsError(missingMessage(`${converted}, the pages use ${FRAME_WIDTH}x${FRAME_HEIGHT}`));
  }
  const playsSequence = !extras && Boolean(config.models.sequence);
  const sequenceFacts = playsSequence ? sequenceConfig(config) : null;
  const wanted = (name) => {
    if (extras) return name !== 'sequence';
    if (name === 'sequence') return playsSequence;
    return name === 'punch' ? !config.models.punch_kick : true;
  };
  const load = (name) => (config.models[name] && wanted(name) ? loadModel(base + config.models[name], name) : null);
  const names = ['mobilenet', 'punch', 'punch_kick', 'sequence', ...(extras ? ['imagenet', 'season'] : [])];
  const loaded = await Promise.all(names.map(load));
  const [mobilenet, punch, punchKick, sequenceModel, imagenet = null, seasonModel = null] = loaded;
  if (!punch && !punchKick && !sequenceModel) {
    throw new ModelsError(missingMessage(`${base}config.json lists no trained head`));
  }
  const labels = imagenet ? await fetchJson(`${base}imagenet/labels.json`).catch(() => null) : null;
  const heads = { punch, punch_kick: punchKick };
  // frames: the last T frame vectors; moved: whether the frame head would have acted on each.
  const sequence = sequenceModel ? { ...sequenceFacts, model: sequenceModel, frames: [], moved: [] } : null;
  const classifier = { config, mobilenet, heads, imagenet, labels, season: seasonModel, sequence };
  classifier.featureShape = warmUp(classifier); // MobileNet's output for one frame
  return classifier;
}

/**
 * The sequence head's facts from config.json: its window T, the shape of one step ([D], or the
 * keypoint recipe's [33, 4]) and its size, the pose recipe's pooling, its classes. Classes other
 * than constants.js's mean the models predate the pages.
 */
export function sequenceConfig(config) {
  const facts = config.sequence ?? {};
  const [length, ...stepShape] = config.inputShapes?.sequence ?? [];
  const size = stepShape.reduce((product, n) => product * n, 1);
  const classes = facts.classes ?? CLIP_CLASS_NAMES;
  const pool = facts.pool ?? null;
  const problems = [];
  if (!Number.isInteger(length) || !stepShape.length || !stepShape.every(Number.isInteger)) {
    problems.push('config.json gives no input shape for it');
  } else if (facts.length !== undefined && facts.length !== length) {
    problems.push(`its window is ${length} frames, config.json says ${facts.length}`);
  }
  if (classes.join() !== CLIP_CLASS_NAMES.join()) {
    problems.push(`its classes are ${classes.join(', ')}, the pages know ${CLIP_CLASS_NAMES.join(', ')}`);
  }
  if (pool !== null && !(pool.length === 2 && pool.every((n) => Number.isInteger(n) && n > 0))) {
    problems.push(`its pooling ${JSON.stringify(pool)} is not two cell sizes`);
  }
  if (problems.length) {
    throw new ModelsError(missingMessage(`The sequence head does not fit the pages: ${problems.join('; ')}`));
  }
  return { length, stepShape, size, pool, classes };
}

/** models/config.json; a ModelsError that says what to run when there is none. */
export async function loadConfig(base) {
  try {
    return await fetchJson(`${base}config.json`);
  } catch (error) {
    throw new ModelsError(missingMessage(`The page found no models (${error.message})`));
  }
}

/** A graph model; a ModelsError that says what to run when it does not load. */
export async function loadModel(url, name) {
  try {
    return await tf.loadGraphModel(url);
  } catch (error) {
    throw new ModelsError(missingMessage(`Could not load the ${name} model (${error.message})`));
  }
}

/** What is wrong with the models, and how the user fixes it. */
export function missingMessage(what) {
  return (
    `${what}. Train and convert them with \`make train\` and \`make convert\` ` +
    '(just `make convert` if models/ already holds the trained .keras files), then reload.'
  );
}

async function fetchJson(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

// The first predict compiles kernels and allocates memory; do it now, not on the first frame.
// A MobileNet whose frame vector does not have the sequence head's size throws a ModelsError.
// Returns the shape of MobileNet's output for one frame.
function warmUp({ mobilenet, heads, imagenet, season, sequence }) {
  return tf.tidy(() => {
    const features = mobilenet.predict(tf.zeros([1, FRAME_HEIGHT, FRAME_WIDTH, 3]));
    for (const head of [heads.punch, heads.punch_kick, imagenet]) head?.predict(features).dataSync();
    season?.predict(tf.zeros([1, 1])).dataSync();
    const shape = features.shape.slice(1);
    if (!sequence) return shape;
    const vector = frameVector(features, sequence.pool);
    if (vector.size !== sequence.size) {
      const pooled = `pooled by ${JSON.stringify(sequence.pool)}`;
      const made = `MobileNet's [${features.shape.slice(1)}] output, ${pooled}, gives ${vector.size} values`;
      throw new ModelsError(missingMessage(`${made}, the sequence head reads ${sequence.size}`));
    }
    sequence.model.predict(tf.zeros(sequenceShape(sequence))).dataSync();
    return shape;
  });
}

/**
 * One frame's step of the sequence: MobileNet's output for it ([1, ...]) → a [D] vector, the
 * feature vector as it is or, with `pool` ([rows, columns]), its map averaged over pool-sized
 * cells ('valid': leftover rows and columns are dropped) and flattened row by row, channels last.
 */
export function frameVector(features, pool) {
  return tf.tidy(() => {
    const pooled = pool && features.rank === 4 ? tf.avgPool(features, pool, pool, 'valid') : features;
    return tf.reshape(pooled, [-1]);
  });
}

// The sequence head's input: one window of T steps.
const sequenceShape = (sequence) => [1, sequence.length, ...sequence.stepShape];

/** Forget the frames seen so far: the sequence head waits for T new ones. */
export function resetSequence(classifier) {
  const { sequence } = classifier;
  if (!sequence) return;
  tf.dispose(sequence.frames);
  sequence.frames = [];
  sequence.moved = [];
}

// Keep this frame's vector, drop the oldest beyond T: the buffer holds at most T tensors.
function remember(sequence, vector) {
  sequence.frames.push(tf.keep(vector));
  while (sequence.frames.length > sequence.length) sequence.frames.shift().dispose();
}

/** The article's thresholds (constants.js), for heads whose config.json names no rule of its own. */
export const ARTICLE_RULE = Object.freeze({
  other: OTHER_THRESHOLD,
  action: ACTION_THRESHOLD,
  punch: PUNCH_THRESHOLD,
});

/** A head's rule from config.json's `rules` (heads.Rule: other, action, punch), else the article's. */
export function ruleOf(config, head) {
  return config?.rules?.[head] ?? ARTICLE_RULE;
}

/** The n-ary head's rule: its outputs (PUNCH, KICK, OTHER index them) → 'punch' | 'kick' | 'stand'. */
export function decide(probs, rule = ARTICLE_RULE) {
  const [punch, kick, other] = [probs[PUNCH], probs[KICK], probs[OTHER]];
  if (other >= rule.other) return 'stand';
  if (kick > punch && kick >= rule.action) return 'kick';
  if (punch > kick && punch >= rule.action) return 'punch';
  return 'stand';
}

/**
 * The sequence head's rule, the n-ary rule over its classes (CLIP_CLASS_NAMES): 'stand' if
 * P(other) >= rule.other, else the most likely move if it reaches rule.action, as the game's move
 * (SEQUENCE_MOVES: the back kick is a kick), else 'stand'. Python's twin: heads.decide_sequence.
 */
export function decideSequence(probs, rule = ARTICLE_RULE) {
  if (probs[OTHER] >= rule.other) return 'stand';
  let best = -1;
  probs.forEach((p, i) => {
    if (i !== OTHER && (best === -1 || p > probs[best])) best = i;
  });
  return best !== -1 && probs[best] >= rule.action ? SEQUENCE_MOVES[CLIP_CLASS_NAMES[best]] : 'stand';
}

/**
 * What the page plays from the sequence head's probabilities (null until its window is full) and
 * `moved`, whether the frame head would have acted on each frame of the window (null without a
 * frame head): decideSequence's move only if the frame head saw a move too, else 'stand'.
 * The sequence head sees only change (each frame minus the window's mean): a screen or a camera's
 * test card changing with nobody in view reads to it as a move; the frame head, which sees what is
 * in the picture and learnt pictures of nobody, stands there.
 */
export function decideSequenceWithFrames(probs, moved, rule = ARTICLE_RULE) {
  if (!probs) return 'stand';
  if (moved && !moved.some(Boolean)) return 'stand';
  return decideSequence(probs, rule);
}

/** The binary head's rule: P(punch) → 'punch' | 'stand'. */
export function decidePunch(p, rule = ARTICLE_RULE) {
  return p >= rule.punch ? 'punch' : 'stand';
}

/**
 * Classify one frame: a frame-sized canvas / ImageData, or a typed array of RGBA or RGB pixels
 * (row-major, FRAME_HEIGHT x FRAME_WIDTH). The frame is used as given: grey it first (camera.js)
 * to match what the heads were trained on. Returns { punchKick: [p, k, o] | null,
 * punch: P(punch) | null, sequence, sequenceFrames, decision, features?, vector? }: with the
 * sequence head, `sequence` is its probabilities over CLIP_CLASS_NAMES once T frames are in
 * (null before), `sequenceFrames` how many are; `vector` (withFeatures) is this frame's step.
 */
export async function classify(classifier, source, options) {
  return classifyWith(classifier, () => classifier.mobilenet.predict(frameTensor(source)), options);
}

/**
 * Classify from MobileNet's output for one frame (a plain or typed array of its output's values,
 * the shape config.json's heads read): the frame heads and the sequence step as classify does.
 * Tests feed the page's own path with it, without MobileNet.
 */
export async function classifyFeatures(classifier, values, options) {
  const shape = [1, ...classifier.featureShape];
  return classifyWith(classifier, () => tf.tensor(Float32Array.from(values), shape), options);
}

/**
 * The heads on one frame's features (makeFeatures() returns them as a [1, ...featureShape] tensor,
 * inside a tidy): the frame heads, this frame's step into the sequence head's window and, once the
 * window is full, the sequence head on it; then the decision. classify's result.
 */
export async function classifyWith(classifier, makeFeatures, { withFeatures = false } = {}) {
  const { heads, sequence } = classifier;
  const outputs = tf.tidy(() => {
    const features = makeFeatures();
    const vector = sequence ? frameVector(features, sequence.pool) : null;
    if (vector) remember(sequence, vector);
    const full = sequence !== null && sequence.frames.length === sequence.length;
    return {
      punchKick: heads.punch_kick?.predict(features) ?? null,
      punch: heads.punch?.predict(features) ?? null,
      sequence: full ? sequence.model.predict(tf.reshape(tf.stack(sequence.frames), sequenceShape(sequence))) : null,
      features: withFeatures ? features : null,
      vector: withFeatures && vector ? tf.clone(vector) : null, // the buffer's own stays kept
    };
  });
  try {
    const punchKick = outputs.punchKick ? Array.from(await outputs.punchKick.data()) : null;
    const punch = outputs.punch ? (await outputs.punch.data())[0] : null;
    const probs = outputs.sequence ? Array.from(await outputs.sequence.data()) : null;
    const frameDecision = decision(punchKick, punch, classifier.config);
    const hasFrameHead = Boolean(heads.punch_kick || heads.punch);
    if (sequence) {
      sequence.moved = [...sequence.moved, frameDecision !== 'stand'].slice(-sequence.length);
    }
    const result = {
      punchKick,
      punch,
      sequence: probs,
      sequenceFrames: sequence ? sequence.frames.length : null,
      // The sequence head plays when there is one (vouched for by the frame head when there is
      // one); until its window is full, the page stands.
      decision: sequence
        ? decideSequenceWithFrames(
            probs,
            hasFrameHead ? sequence.moved : null,
            ruleOf(classifier.config, 'sequence'),
          )
        : frameDecision,
    };
    if (withFeatures) result.features = Array.from(await outputs.features.data());
    if (outputs.vector) result.vector = Array.from(await outputs.vector.data());
    return result;
  } finally {
    tf.dispose(outputs);
  }
}

/** Plain array / typed array of FRAME_HEIGHT * FRAME_WIDTH * 3 RGB values → classify's result. */
export async function classifyPixels(classifier, rgb, options) {
  const [width, height] = [FRAME_WIDTH, FRAME_HEIGHT];
  if (rgb.length !== width * height * 3) {
    throw new Error(`expected ${width * height * 3} RGB values (${width}x${height}x3), got ${rgb.length}`);
  }
  return classify(classifier, rgb, options);
}

// The n-ary head plays when there is one; the binary head alone can only punch.
function decision(punchKick, punch, config) {
  if (punchKick) return decide(punchKick, ruleOf(config, 'punch_kick'));
  if (punch !== null) return decidePunch(punch, ruleOf(config, 'punch'));
  return 'stand';
}

// A [1, height, width, 3] float32 tensor of 0..255 pixels (MobileNet preprocesses inside).
function frameTensor(source) {
  const [width, height] = [FRAME_WIDTH, FRAME_HEIGHT];
  if (!ArrayBuffer.isView(source) && !Array.isArray(source)) {
    return tf.expandDims(tf.cast(tf.browser.fromPixels(source, 3), 'float32'), 0);
  }
  const channels = source.length / (width * height);
  if (channels !== 3 && channels !== 4) {
    const size = `${width * height * 3} (RGB) or ${width * height * 4} (RGBA)`;
    throw new Error(`a ${width}x${height} frame has ${size} values, not ${source.length}`);
  }
  const pixels = tf.tensor(Float32Array.from(source), [1, height, width, channels]);
  return channels === 3 ? pixels : pixels.slice([0, 0, 0, 0], [1, height, width, 3]);
}

/** MobileNet's own ImageNet classes for a frame: the k most likely, as [{label, p}]. */
export async function imagenetTop(classifier, source, k = 5) {
  if (!classifier.imagenet) {
    throw new ModelsError(missingMessage('The ImageNet classifier was not converted'));
  }
  const { values, indices } = tf.tidy(() => {
    const features = classifier.mobilenet.predict(frameTensor(source));
    return tf.topk(classifier.imagenet.predict(features), k);
  });
  try {
    const [p, index] = [await values.data(), await indices.data()];
    return Array.from(index, (i, rank) => ({ label: classifier.labels?.[i] ?? `class ${i}`, p: p[rank] }));
  } finally {
    tf.dispose([values, indices]);
  }
}

/** The season MLP's answer for a date: { season, probs } (probs in SEASONS order). */
export async function season(classifier, date) {
  if (!classifier.season) throw new ModelsError(missingMessage('The season model was not converted'));
  const output = tf.tidy(() => classifier.season.predict(tf.tensor2d([[dayOfYear(date) / DAYS_PER_YEAR]])));
  try {
    const probs = Array.from(await output.data());
    const best = probs.indexOf(Math.max(...probs));
    return { season: SEASONS[best], probs };
  } finally {
    output.dispose();
  }
}

// 0-based day of a non-leap year, as tfjs_kombat/season.py trains on; 29 Feb counts as 1 Mar.
function dayOfYear(date) {
  const day = Date.UTC(NON_LEAP_YEAR, date.getMonth(), date.getDate()) - Date.UTC(NON_LEAP_YEAR, 0, 1);
  return day / 86_400_000;
}
