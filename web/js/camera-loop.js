/**
 * The camera controller of the play pages (index.html plays our game, mkjs.html plays MK.js):
 * pick a TensorFlow.js backend, load the models, open the camera, then every CLASSIFY_INTERVAL_MS
 * grab the grey frame, classify it and tell the game through the global `Detect` (onPunch /
 * onKick / onStand, and onRoundhouse from the sequence head), as the article's page does. Each
 * page brings its panel and its `Detect`. When config.json lists the sequence head, it decides
 * (over the last SEQUENCE_LENGTH frames, its moves vouched for by the frame head when there is one:
 * classifier.js) and the panel shows its classes' bars; until its window is full the fighter stands.
 *
 * What a tick runs depends on what made the models (config.json's `features`): MobileNet on the
 * grey top band of the frame (classifier.js), or BlazePose on the whole camera frame and the
 * keypoint heads (keypoint-classifier.js), whose panel draws the tracked skeleton over the camera
 * and says "step into view" while nobody is found (the fighter stands meanwhile).
 *
 * Unlike the article's setInterval, work never piles up: a tick that fires while the previous
 * frame is still being classified is counted as skipped and does nothing. Any failure (no
 * TensorFlow.js, no models, no camera) stops the camera and is shown in the panel; the game keeps
 * playing by keyboard.
 *
 * URL parameters: ?backend=wasm|webgl|cpu (default: the fastest this machine has), ?camera=off.
 * Tests read the loop through `window.kombatCamera.stats()`.
 */

import { grabFrame, startCamera } from './camera.js';
import { backendNotice, chooseBackend, classify as classifyFrame, loadClassifier, loadConfig } from './classifier.js';
import { BINARY_CLASS_NAMES, CLASS_NAMES, CLASSIFY_INTERVAL_MS, FRAME_HEIGHT, FRAME_WIDTH } from './constants.js';
import { classifyCameraFrame, loadKeypointClassifier, usesKeypoints } from './keypoint-classifier.js';

const MODELS = 'models/';
const LATENCY_WINDOW = 20; // frames in the latency median
const KEYBOARD_STILL_WORKS = 'The game still plays by keyboard.';
const STEP_INTO_VIEW = 'Nobody in view: step into view, your whole upper body at least.';

/** Run the loop for `panel` (a ui.js CameraPanel) with the page's URL parameters. */
export function startCameraLoop(panel, params) {
  const stats = {
    recipe: null, // which training recipe made the models (config.json)
    features: null, // what the heads read: 'mobilenet' or 'keypoints'
    head: null, // the head that decides: 'sequence', 'punch_kick' or 'punch'
    window: null, // the sequence head's { frames, length }: frames in its window of length
    backend: null,
    frames: 0,
    skipped: 0,
    latencies: [],
    decisions: { punch: 0, kick: 0, stand: 0 },
    pose: null, // keypoints: frames searched (the detector ran), tracked, with nobody; latencies apart
    numTensors: null, // after the last frame, when all of its tensors are disposed
    inFlight: 0, // frames being classified now: never more than 1
    maxInFlight: 0,
    ready: false,
    error: null,
  };
  let notice = ''; // shown with every status: the asked backend did not start
  let stream = null;
  let timer = null;
  let lastDecision = 'stand';

  const snapshot = () => {
    const { latencies, inFlight, pose, ...rest } = stats;
    const copied = stats.window && { ...stats.window };
    return {
      ...rest,
      window: copied,
      decisions: { ...stats.decisions },
      latencyMs: median(latencies),
      pose: pose && poseSnapshot(pose),
    };
  };
  const status = (text) => panel.status([notice, text].filter(Boolean).join(' '));
  window.kombatCamera = Object.freeze({ stats: snapshot });

  async function main() {
    if (params.get('camera') === 'off') {
      panel.status(`Camera off (?camera=off). ${KEYBOARD_STILL_WORKS}`);
      return;
    }
    if (!globalThis.tf?.wasm) {
      const message = 'TensorFlow.js is not installed in web/vendor/: run `make web`, then reload.';
      throw problem('tfjs-missing', message);
    }
    panel.status('Starting TensorFlow.js…');
    stats.backend = await chooseBackend(params.get('backend'));
    notice = backendNotice(params.get('backend'), stats.backend);
    status(`Loading the models (${stats.backend} backend)…`);
    const route = await loadRoute(await loadConfig(MODELS), panel);
    const { classifier } = route;
    status('Starting the camera…');
    stream = await startCamera(panel.video);
    const { head, labels } = playingHead(classifier);
    stats.head = head;
    if (classifier.sequence) {
      stats.window = { frames: 0, length: classifier.sequence.length };
      stats.decisions.roundhouse = 0;
    }
    stats.features = route.features;
    if (route.features === 'keypoints') {
      stats.pose = { searched: 0, tracked: 0, nobody: 0, latencies: { searched: [], tracked: [] } };
    }
    const frame = route.features === 'keypoints' ? null : { width: FRAME_WIDTH, height: FRAME_HEIGHT };
    panel.start({ labels, frame });
    stats.recipe = classifier.config.recipe;
    status('');
    panel.showNumbers(snapshot());
    stream.getVideoTracks()[0].addEventListener('ended', () => {
      fail(problem('failed', 'The camera stopped (unplugged?). Reload to start it again.'));
    });
    stats.ready = true;
    timer = setInterval(() => tick(route), CLASSIFY_INTERVAL_MS);
  }

  async function tick({ classifier, classify }) {
    if (stats.inFlight > 0) {
      stats.skipped += 1;
      return;
    }
    stats.inFlight += 1;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    try {
      const started = performance.now();
      const result = await classify();
      if (stats.error) return; // failed meanwhile: leave its message, tell the game nothing
      const latency = performance.now() - started;
      stats.latencies = [...stats.latencies, latency].slice(-LATENCY_WINDOW);
      stats.frames += 1;
      stats.decisions[result.decision] = (stats.decisions[result.decision] ?? 0) + 1;
      stats.numTensors = tf.memory().numTensors;
      if (stats.window) stats.window.frames = result.sequenceFrames;
      if (stats.pose) countPose(stats.pose, result, latency);
      const nobody = result.found === false;
      panel.update(barValues(result, classifier), result.decision, snapshot());
      if (stats.pose) panel.showSkeleton(result.landmarks);
      status([slowness(CLASSIFY_INTERVAL_MS), nobody ? STEP_INTO_VIEW : ''].filter(Boolean).join(' '));
      tellTheGame(result.decision);
    } catch (error) {
      fail(error);
    } finally {
      stats.inFlight -= 1;
    }
  }

  // On a slow backend the camera lags (and a synchronous one, like cpu, stalls the game meanwhile).
  function slowness(intervalMs) {
    const latency = median(stats.latencies);
    if (latency <= intervalMs) return '';
    const hint = stats.backend === 'wasm' ? '' : ' Try ?backend=wasm.';
    return (
      `Each frame takes ${Math.round(latency)} ms, longer than the ${intervalMs} ms between frames: ` +
      `moves register late.${hint}`
    );
  }

  // A move is sent every frame it is seen, as Detect.on<Move>() (onPunch, onKick, and any further
  // move a head decides); the game drops those that arrive while the fighter is busy. "Stand" is
  // sent only when a move ends: sent every frame, it would stop the keyboard's walking ten times a
  // second. Detect is looked up every frame: the page may install it once its game is ready.
  function tellTheGame(decision) {
    const detect = window.Detect;
    if (decision !== 'stand') detect?.[`on${decision[0].toUpperCase()}${decision.slice(1)}`]?.();
    else if (lastDecision !== 'stand') detect?.onStand();
    lastDecision = decision;
  }

  // The first failure stops everything; a frame still being classified then changes nothing.
  function fail(error) {
    if (stats.error) return;
    clearInterval(timer);
    stream?.getTracks().forEach((track) => track.stop());
    stats.ready = false;
    stats.error = { kind: error.kind ?? 'failed', message: error.message };
    panel.error(`${error.message} ${KEYBOARD_STILL_WORKS}`);
    console.warn('camera controller:', error);
  }

  main().catch(fail);
}

/**
 * What each tick runs for these models: { features, classifier, classify() → its result }.
 * MobileNet reads the grey top band (drawn into the panel's crop); BlazePose reads the whole frame.
 */
async function loadRoute(config, panel) {
  if (usesKeypoints(config)) {
    const classifier = await loadKeypointClassifier(MODELS, config);
    const { video } = panel;
    const classify = () => classifyCameraFrame(classifier, video, video.videoWidth, video.videoHeight);
    return { features: 'keypoints', classifier, classify };
  }
  const classifier = await loadClassifier(MODELS, { extras: false, config });
  const classify = () => classifyFrame(classifier, grabFrame(panel.video, panel.crop));
  return { features: 'mobilenet', classifier, classify };
}

// Frames the tracker searched for a person in (the detector ran), tracked (the landmark model
// only), and found nobody in; the latencies of searched and tracked frames apart: the detector
// makes a frame about three times slower.
function countPose(pose, result, latency) {
  const kind = result.searched ? 'searched' : 'tracked';
  pose[kind] += 1;
  if (!result.found) pose.nobody += 1;
  pose.latencies[kind] = [...pose.latencies[kind], latency].slice(-LATENCY_WINDOW);
}

function poseSnapshot({ latencies, ...counts }) {
  return { ...counts, searchedMs: median(latencies.searched), trackedMs: median(latencies.tracked) };
}

// The head that decides, by the models loaded: its name and the classes of its bars.
function playingHead(classifier) {
  if (classifier.sequence) return { head: 'sequence', labels: classifier.sequence.classes };
  if (classifier.heads.punch_kick) return { head: 'punch_kick', labels: CLASS_NAMES };
  return { head: 'punch', labels: BINARY_CLASS_NAMES };
}

// The bars of the head that decides: the sequence head's are empty until its window is full, and
// every bar is empty while nobody is in view.
function barValues(result, classifier) {
  if (classifier.sequence) return result.sequence ?? classifier.sequence.classes.map(() => 0);
  if (result.found === false) return CLASS_NAMES.map(() => 0);
  return result.punchKick ?? [1 - result.punch, result.punch];
}

function median(values) {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function problem(kind, message) {
  return Object.assign(new Error(message), { kind });
}
