/**
 * The keypoint recipe's classifier (config.json's `features.kind` is "keypoints"): BlazePose
 * (bodypose.js) tracks the person in the whole camera frame, and the keypoint heads read the 33
 * landmarks, rows in BODY_LANDMARKS order of [x, y, z, visibility] with x, y and z in units of the
 * frame's WIDTH (Python's body.in_width_units). Centring, scaling by the torso, masking and the
 * mirror image are inside the heads' graphs, so the page feeds them the pose model's numbers as
 * they are.
 *
 * The heads and their decisions are classifier.js's, run the same way as on MobileNet's
 * features: the frame head (punch / kick / other) on this frame's keypoints, the sequence head
 * on the ring buffer of the last T frames' keypoints, its moves played only when the frame head
 * acted in its window. When nobody is found the page stands, no head runs, and the window starts
 * again (a window must not join the frames before someone left to those after they came back).
 */

import { createTracker, loadBodyPose, track } from './bodypose.js';
import {
  ModelsError,
  classifyWith,
  loadModel,
  missingMessage,
  resetSequence,
  sequenceConfig,
} from './classifier.js';
import { BODY_LANDMARKS, KEYPOINT_VALUES, POSE_LANDMARK_MODELS } from './constants.js';

// What one frame's keypoints are: the heads' input without the batch.
export const KEYPOINT_SHAPE = Object.freeze([BODY_LANDMARKS.length, KEYPOINT_VALUES.length]);

/** Whether config.json's models read body keypoints (a missing `features` means MobileNet's). */
export function usesKeypoints(config) {
  return config.features?.kind === 'keypoints';
}

/**
 * BlazePose (detector and the landmark model config.json names) and the keypoint heads it lists:
 * the punch/kick frame head and the sequence head, either or both (`sequence: false`: never the
 * sequence head, for single pictures). A missing or misshapen model is a ModelsError that says
 * what to run.
 */
export async function loadKeypointClassifier(base, config, { sequence: withSequence = true } = {}) {
  const variant = config.features.poseModel ?? 'lite';
  const problems = [];
  if (!POSE_LANDMARK_MODELS.includes(variant)) {
    problems.push(`config.json asks for BlazePose ${variant}, the pages have ${POSE_LANDMARK_MODELS.join(', ')}`);
  }
  const frameShape = config.inputShapes?.punch_kick;
  if (config.models?.punch_kick && String(frameShape) !== String(KEYPOINT_SHAPE)) {
    problems.push(`the frame head reads [${frameShape}], not one frame's keypoints [${KEYPOINT_SHAPE}]`);
  }
  const sequenceFacts = withSequence && config.models?.sequence ? sequenceConfig(config) : null;
  if (sequenceFacts && String(sequenceFacts.stepShape) !== String(KEYPOINT_SHAPE)) {
    problems.push(`the sequence head reads steps of [${sequenceFacts.stepShape}], not [${KEYPOINT_SHAPE}]`);
  }
  if (problems.length) {
    throw new ModelsError(missingMessage(`The keypoint models do not fit the pages: ${problems.join('; ')}`));
  }
  const load = (name) => (config.models?.[name] ? loadModel(base + config.models[name], name) : null);
  const [pose, punchKick, sequenceModel] = await Promise.all([
    loadBodyPose(variant).catch((error) => {
      const missing = `BlazePose is not in web/vendor/bodypose/ (${error.message})`;
      throw new ModelsError(`${missing}: run \`make web\`, then reload.`);
    }),
    load('punch_kick'),
    sequenceFacts ? load('sequence') : null,
  ]);
  if (!punchKick && !sequenceModel) {
    throw new ModelsError(missingMessage(`${base}config.json lists no trained keypoint head`));
  }
  const sequence = sequenceModel ? { ...sequenceFacts, model: sequenceModel, frames: [], moved: [] } : null;
  const classifier = {
    config,
    heads: { punch: null, punch_kick: punchKick },
    sequence,
    featureShape: [...KEYPOINT_SHAPE],
    tracker: createTracker(pose),
  };
  warmUp(classifier);
  return classifier;
}

// The first predict compiles kernels and allocates memory; do it now, not on the first frame.
function warmUp({ heads, sequence }) {
  tf.tidy(() => {
    heads.punch_kick?.predict(tf.zeros([1, ...KEYPOINT_SHAPE])).dataSync();
    sequence?.model.predict(tf.zeros([1, sequence.length, ...KEYPOINT_SHAPE])).dataSync();
  });
}

/**
 * Classify the camera's current frame (a <video>, or anything tf.browser.fromPixels reads, of
 * width x height): track the person, then classifyKeypoints. Returns classifyKeypoints' result
 * plus `searched`, whether the detector ran (it searches for a person; a tracked frame does not).
 */
export async function classifyCameraFrame(classifier, source, width, height) {
  const runs = classifier.tracker.detectorRuns;
  const frame = tf.browser.fromPixels(source, 3);
  let landmarks;
  try {
    landmarks = await track(classifier.tracker, frame);
  } finally {
    frame.dispose();
  }
  const result = await classifyKeypoints(classifier, landmarks && inWidthUnits(landmarks, width, height));
  return { ...result, landmarks, searched: classifier.tracker.detectorRuns > runs };
}

/**
 * The heads on one frame's keypoints (rows of [x, y, z, visibility] in width units), or on nobody
 * (null): then 'stand', no head runs and the sequence window is emptied. classifyWith's result
 * plus `found`, whether someone was in view.
 */
export async function classifyKeypoints(classifier, keypoints) {
  if (keypoints === null) {
    resetSequence(classifier);
    const empty = { punchKick: null, punch: null, sequence: null };
    return { ...empty, sequenceFrames: classifier.sequence ? 0 : null, decision: 'stand', found: false };
  }
  const shape = [1, ...KEYPOINT_SHAPE];
  const result = await classifyWith(classifier, () => tf.tensor(Float32Array.from(keypoints.flat()), shape));
  return { ...result, found: true };
}

/** bodypose.js's landmarks (x, y as fractions of the frame's width and height) with y in units of its width. */
export function inWidthUnits(landmarks, width, height) {
  return landmarks.map(([x, y, z, visibility]) => [x, (y * height) / width, z, visibility]);
}
