/**
 * Body pose: MediaPipe BlazePose (Apache-2.0, from npm's @mediapipe/pose), its detector and landmark
 * model converted by `make web` (`tfjs-kombat posemodels`) into TensorFlow.js graph models in
 * vendor/bodypose/, run on the page's own TensorFlow.js, and tracked as BlazePose's authors track:
 * the detector finds the person once; each later frame's region comes from the last frame's two
 * alignment landmarks; when the landmark model's presence drops below POSE_PRESENCE the person is
 * lost, that frame answers nobody and the next runs the detector again.
 *
 * The Python twin is tfjs_kombat/bodypose/ (region.py, detector.py, landmarks.py, tracker.py): the
 * same graphs, the same crops (tf.image.transform here, ImageProjectiveTransformV3 there, bilinear)
 * and the same decoding, step for step; tests/web/test_bodypose_parity.py holds them together.
 * Uses the global `tf` of vendor/tf.min.js. Every tensor made here is disposed before returning.
 */

import {
  BODY_LANDMARKS,
  POSE_ALIGNMENT,
  POSE_ANCHOR_STRIDES,
  POSE_ANCHORS_PER_LAYER,
  POSE_DETECTION_SCORE,
  POSE_DETECTOR_SIZE,
  POSE_LANDMARK_COUNT,
  POSE_LANDMARK_SIZE,
  POSE_LANDMARK_VALUES,
  POSE_OVERLAP,
  POSE_PRESENCE,
  POSE_REGION_SCALE,
} from './constants.js';

const MODELS_PATH = 'vendor/bodypose/';
// One anchor's output: box centre and size (0-3), 4 keypoints x (x, y) (4-11), score logit (12).
const ANCHOR_VALUES = 13;
const SCORE = 12;
const LOGIT_LIMIT = 100; // MediaPipe clips score logits before the sigmoid

/** Load the detector and a landmark model ('lite' or 'full'); both run once so the first frame is not slow. */
export async function loadBodyPose(variant = 'lite', base = MODELS_PATH) {
  const [detector, landmark] = await Promise.all([
    tf.loadGraphModel(`${base}detector/model.json`),
    tf.loadGraphModel(`${base}landmark_${variant}/model.json`),
  ]);
  tf.tidy(() => {
    detector.predict(tf.zeros([1, POSE_DETECTOR_SIZE, POSE_DETECTOR_SIZE, 3])).dataSync();
    landmark.predict(tf.zeros([1, POSE_LANDMARK_SIZE, POSE_LANDMARK_SIZE, 3])).dataSync();
  });
  return { detector, landmark, anchors: anchorCentres() };
}

/**
 * The detector's SSD anchor centres, as fractions of its input side, laid out as MediaPipe's pose
 * detection graph lays them: per run of equal strides one grid, row by row, each cell holding
 * POSE_ANCHORS_PER_LAYER anchors per layer of that stride. Returns [[x, y], ...].
 */
export function anchorCentres() {
  const centres = [];
  for (let i = 0; i < POSE_ANCHOR_STRIDES.length; ) {
    let layers = 0;
    while (POSE_ANCHOR_STRIDES[i + layers] === POSE_ANCHOR_STRIDES[i]) layers++;
    const cells = Math.ceil(POSE_DETECTOR_SIZE / POSE_ANCHOR_STRIDES[i]);
    for (let row = 0; row < cells; row++) {
      for (let column = 0; column < cells; column++) {
        for (let k = 0; k < POSE_ANCHORS_PER_LAYER * layers; k++) {
          centres.push([(column + 0.5) / cells, (row + 0.5) / cells]);
        }
      }
    }
    i += layers;
  }
  return centres;
}

/** A tracker of one person: track() it frame after frame. */
export function createTracker(models) {
  return { models, region: null, detectorRuns: 0 };
}

/** Forget the person: the next frame runs the detector. */
export function resetTracker(tracker) {
  tracker.region = null;
}

/**
 * The person's landmarks in this frame (a [height, width, 3] tensor of RGB values 0-255, e.g.
 * tf.browser.fromPixels(video); left to the caller to dispose): BODY_LANDMARKS.length rows of
 * [x, y, z, visibility], x and y as fractions of the frame's width and height, z in units of its
 * width; null when nobody is found.
 */
export async function track(tracker, frame) {
  const [height, width] = frame.shape;
  const image = tf.tidy(() => tf.expandDims(tf.cast(frame, 'float32'), 0));
  try {
    if (tracker.region === null) {
      tracker.detectorRuns++;
      tracker.region = await detect(tracker.models, image, width, height);
      if (tracker.region === null) return null;
    }
    const found = await estimate(tracker.models, image, tracker.region);
    if (found.presence < POSE_PRESENCE) {
      tracker.region = null;
      return null;
    }
    const [centre, far] = POSE_ALIGNMENT;
    tracker.region = fromAlignment(found.points[centre], found.points[far]);
    return found.points.slice(0, BODY_LANDMARKS.length).map(([x, y], i) => [
      x / width,
      y / height,
      found.z[i] / width,
      found.visibility[i],
    ]);
  } finally {
    image.dispose();
  }
}

// ---------------------------------------------------------------------------------------------
// Regions: the square of the frame a network reads, turned upright. Centre (x, y) and side in frame
// pixels, rotation in radians (clockwise on the screen: y points down). Python: region.py.

/** The detector's view: the frame letterboxed into a square of its longer side. */
export function wholeFrame(width, height) {
  return { x: width / 2, y: height / 2, size: Math.max(width, height), rotation: 0 };
}

/**
 * The region two alignment points give: centred on the first, its side POSE_REGION_SCALE times
 * twice their distance, turned so that the second lies straight above the first.
 */
export function fromAlignment([cx, cy], [fx, fy]) {
  const dx = fx - cx;
  const dy = fy - cy;
  const rotation = wrapped(Math.PI / 2 - Math.atan2(-dy, dx));
  return { x: cx, y: cy, size: 2 * Math.hypot(dx, dy) * POSE_REGION_SCALE, rotation };
}

function wrapped(angle) {
  return angle - 2 * Math.PI * Math.floor((angle + Math.PI) / (2 * Math.PI));
}

/** A point of the region (fractions of its side from its upright top-left corner) → frame pixels. */
export function toFrame(region, [u, v]) {
  const [a, b] = [u - 0.5, v - 0.5];
  const [cos, sin] = [Math.cos(region.rotation), Math.sin(region.rotation)];
  return [region.x + (cos * a - sin * b) * region.size, region.y + (sin * a + cos * b) * region.size];
}

/**
 * The 8 numbers of tf.image.transform that take each pixel (column, row) of a side x side crop to
 * the frame position it samples: toFrame() of the crop pixel's centre, less half a pixel.
 */
export function cropTransform(region, side) {
  const scale = region.size / side;
  const offset = 0.5 / side - 0.5;
  const [cos, sin] = [Math.cos(region.rotation), Math.sin(region.rotation)];
  return [
    cos * scale,
    -sin * scale,
    region.x - 0.5 + (cos - sin) * offset * region.size,
    sin * scale,
    cos * scale,
    region.y - 0.5 + (sin + cos) * offset * region.size,
    0,
    0,
  ];
}

/** A side x side bilinear crop of image ([1, h, w, 3] float32) over the region. */
function crop(image, region, side, fillMode) {
  return tf.tidy(() => {
    const transform = tf.tensor2d([cropTransform(region, side)], [1, 8], 'float32');
    return tf.image.transform(image, transform, 'bilinear', fillMode, 0, [side, side]);
  });
}

// ---------------------------------------------------------------------------------------------
// The detector. Python: detector.py.

async function detect(models, image, width, height) {
  const output = tf.tidy(() => {
    const square = crop(image, wholeFrame(width, height), POSE_DETECTOR_SIZE, 'constant');
    return models.detector.predict(tf.sub(tf.div(square, 127.5), 1));
  });
  let values;
  try {
    values = await output.data();
  } finally {
    output.dispose();
  }
  const keypoints = bestPerson(values, models.anchors);
  if (keypoints === null) return null;
  const view = wholeFrame(width, height);
  return fromAlignment(toFrame(view, keypoints[0]), toFrame(view, keypoints[1]));
}

const sigmoid = (x) => 1 / (1 + Math.exp(-x));

/**
 * The best person's 4 keypoints ([[x, y] x 4], fractions of the detector's input side) from its
 * output (anchors x 13 values), or null: the highest score of at least POSE_DETECTION_SCORE, its
 * keypoints averaged, weighted by score, with those of every box overlapping it by more than
 * POSE_OVERLAP (the first answer of MediaPipe's weighted non-max suppression).
 */
export function bestPerson(output, anchors) {
  const found = [];
  anchors.forEach(([ax, ay], i) => {
    const raw = (k) => output[i * ANCHOR_VALUES + k] / POSE_DETECTOR_SIZE;
    const logit = Math.min(Math.max(output[i * ANCHOR_VALUES + SCORE], -LOGIT_LIMIT), LOGIT_LIMIT);
    const score = sigmoid(logit);
    if (score < POSE_DETECTION_SCORE) return;
    const [x, y, w, h] = [raw(0) + ax, raw(1) + ay, raw(2), raw(3)];
    const keypoints = [0, 1, 2, 3].map((k) => [raw(4 + 2 * k) + ax, raw(5 + 2 * k) + ay]);
    found.push({ score, box: [x - w / 2, y - h / 2, x + w / 2, y + h / 2], keypoints });
  });
  if (!found.length) return null;
  const best = found.reduce((top, candidate) => (candidate.score > top.score ? candidate : top));
  const same = found.filter((candidate) => candidate === best || overlap(best.box, candidate.box) > POSE_OVERLAP);
  const total = same.reduce((sum, candidate) => sum + candidate.score, 0);
  return [0, 1, 2, 3].map((k) =>
    [0, 1].map((axis) => same.reduce((sum, c) => sum + (c.score / total) * c.keypoints[k][axis], 0)),
  );
}

/** Intersection over union of two boxes [x0, y0, x1, y1]. */
function overlap(a, b) {
  const width = Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0]));
  const height = Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));
  const intersection = width * height;
  const union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - intersection;
  return union > 0 ? intersection / union : 0;
}

// ---------------------------------------------------------------------------------------------
// The landmark model on a region. Python: landmarks.py.

async function estimate(models, image, region) {
  const output = tf.tidy(() => {
    const upright = crop(image, region, POSE_LANDMARK_SIZE, 'nearest');
    return models.landmark.predict(tf.div(upright, 255));
  });
  let values;
  try {
    values = await output.data();
  } finally {
    output.dispose();
  }
  return fromOutput(values, region);
}

/**
 * The landmark model's output (POSE_LANDMARK_COUNT x POSE_LANDMARK_VALUES, then the presence) on
 * this region → { points: [[x, y]] in frame pixels, z (pixels), visibility, presence }.
 */
export function fromOutput(values, region) {
  const points = [];
  const z = [];
  const visibility = [];
  for (let i = 0; i < POSE_LANDMARK_COUNT; i++) {
    const at = i * POSE_LANDMARK_VALUES;
    points.push(toFrame(region, [values[at] / POSE_LANDMARK_SIZE, values[at + 1] / POSE_LANDMARK_SIZE]));
    z.push((values[at + 2] / POSE_LANDMARK_SIZE) * region.size);
    visibility.push(sigmoid(values[at + 3]));
  }
  return { points, z, visibility, presence: values[POSE_LANDMARK_COUNT * POSE_LANDMARK_VALUES] };
}
