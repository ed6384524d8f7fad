/**
 * The try-it page: the article's widgets on one page. Three image widgets (MobileNet's top-5
 * ImageNet classes, the punch head, the punch/kick head) each take an uploaded or dropped image
 * or a camera snapshot, cut the same grey top-band frame the game classifies, show it, and show
 * the model's answer. The season widget asks the season MLP about a date.
 *
 * With the keypoint recipe's models (config.json's features.kind "keypoints") there is no
 * MobileNet: its widget and the punch head's are off, and the punch/kick widget finds the person
 * in the whole picture with BlazePose, draws the skeleton over it and asks the keypoint frame head.
 *
 * URL parameter: ?backend=wasm|webgl|cpu, as on the play page.
 */

import { startCamera, topBand, toFrame } from './camera.js';
import {
  backendNotice,
  chooseBackend,
  classify,
  decidePunch,
  imagenetTop,
  loadClassifier,
  loadConfig,
  loadModel,
  ruleOf,
  season,
} from './classifier.js';
import { BINARY_CLASS_NAMES, CLASS_NAMES, FRAME_HEADS, FRAME_HEIGHT, FRAME_WIDTH, SEASONS } from './constants.js';
import { resetTracker } from './bodypose.js';
import { classifyCameraFrame, loadKeypointClassifier, usesKeypoints } from './keypoint-classifier.js';
import { drawSkeleton, el, makeBars } from './ui.js';

const SNAP_COUNTDOWN_S = 3; // time to strike a pose after pressing the button
const SOURCE_PREVIEW_WIDTH = 200;
const TOP_K = 5; // ImageNet classes shown, as in the article's MobileNet widget
const ruleText = ({ other, action }) =>
  `stand if P(other) ≥ ${other}; else the larger of punch and kick if ≥ ${action}`;

const MODELS = 'models/';
const status = document.getElementById('try-status');

async function main() {
  if (!globalThis.tf?.wasm) {
    throw new Error('TensorFlow.js is not installed in web/vendor/: run `make web`, then reload.');
  }
  const asked = new URLSearchParams(location.search).get('backend');
  const backend = await chooseBackend(asked);
  const config = await loadConfig(MODELS);
  const keypoints = usesKeypoints(config);
  const classifier = keypoints ? await loadKeypointTry(config) : await loadClassifier(MODELS, { config });
  imageWidget('mobilenet-widget', classifier, async (frame, result) => {
    const top = await imagenetTop(classifier, frame, TOP_K);
    const bars = el('ul', { className: 'bars top5' });
    makeBars(bars, top.map(({ label }) => label.replaceAll('_', ' ')))(top.map(({ p }) => p));
    result.replaceChildren(bars);
  });
  imageWidget('punch-widget', classifier, async (frame, result) => {
    const { punch } = await classify(classifier, frame);
    const decision = decidePunch(punch, ruleOf(config, 'punch'));
    const bars = el('ul', { className: 'bars' });
    makeBars(bars, BINARY_CLASS_NAMES)([1 - punch, punch]);
    const rule = `P(punch) = ${punch.toFixed(2)}, punches at ≥ ${ruleOf(config, 'punch').punch}`;
    result.replaceChildren(answer(decision, rule), bars);
  });
  imageWidget('punch-kick-widget', classifier, async (frame, result, picture) => {
    const { punchKick, decision } = keypoints
      ? await classifyPicture(classifier, picture)
      : await classify(classifier, frame);
    if (!punchKick) {
      result.replaceChildren(answer(decision, 'Nobody found in the picture: the game stands.'));
      return;
    }
    const bars = el('ul', { className: 'bars' });
    makeBars(bars, CLASS_NAMES)(punchKick);
    result.replaceChildren(answer(decision, ruleText(ruleOf(config, 'punch_kick'))), bars);
  });
  seasonWidget(classifier);
  const { alpha, recipe } = classifier.config;
  const reads = keypoints ? 'BlazePose keypoints' : `MobileNet alpha ${alpha}`;
  const loaded = `Models loaded (${backend} backend, recipe ${recipe}, ${reads}).`;
  status.textContent = [loaded, backendNotice(asked, backend)].filter(Boolean).join(' ');
}

// The keypoint recipe on single pictures: BlazePose and the frame head (no sequence: a photo has
// no movement), and the season MLP when it was converted.
async function loadKeypointTry(config) {
  const classifier = await loadKeypointClassifier(MODELS, config, { sequence: false });
  const season = config.models.season ? await loadModel(MODELS + config.models.season, 'season') : null;
  return { ...classifier, imagenet: null, season };
}

// One picture is a new person: search it afresh, never from the last picture's region.
async function classifyPicture(classifier, picture) {
  resetTracker(classifier.tracker);
  const result = await classifyCameraFrame(classifier, picture.source, picture.width, picture.height);
  drawSkeleton(picture.preview, result.landmarks);
  return result;
}

function answer(decision, detail) {
  const verdict = el('p', { className: 'decision' }, decision);
  verdict.dataset.decision = decision;
  return el('div', {}, verdict, el('p', { className: 'detail' }, detail));
}

/**
 * Build an image widget in section `id`: picker, previews, result. `show(frame, result)` fills
 * `result` with the model's answer for the grey frame canvas. Absent model → a note instead.
 */
function imageWidget(id, classifier, show) {
  const section = document.getElementById(id);
  const model = section.dataset.model;
  const present = model === 'imagenet' ? classifier.imagenet : classifier.heads[model];
  if (!present) {
    const { recipe } = classifier.config;
    if (usesKeypoints(classifier.config)) {
      section.append(note(`The ${recipe} recipe reads body keypoints, not MobileNet, so this widget is off.`));
      return;
    }
    const trainedBy = Object.keys(FRAME_HEADS).filter((name) => FRAME_HEADS[name].includes(model));
    const why =
      trainedBy.length && !FRAME_HEADS[recipe]?.includes(model)
        ? `The ${recipe} recipe trains no ${model} head (make train RECIPE=${trainedBy[0]} does)`
        : `The ${model} model was not converted`;
    section.append(note(`${why}, so this widget is off.`));
    return;
  }

  const [width, height] = [FRAME_WIDTH, FRAME_HEIGHT];
  const wholePicture = usesKeypoints(classifier.config);
  const file = el('input', { type: 'file', accept: 'image/*' });
  const drop = el('label', { className: 'drop' }, file, 'Drop an image, or click here');
  const snap = el('button', { type: 'button', className: 'snap' }, 'Snap from camera');
  const source = el('canvas', { className: 'source', title: 'outlined: what the model sees' });
  const frame = el('canvas', { className: 'crop', width, height, title: `grey, ${width}×${height}` });
  const views = el('div', { className: 'views', hidden: true }, source, frame);
  const result = el('div', { className: 'result' });
  const message = el('p', { className: 'message' });
  section.append(el('div', { className: 'picker' }, drop, snap), views, result, message);

  async function use(picture, pictureWidth, pictureHeight) {
    message.className = 'message';
    message.textContent = '';
    // The keypoint heads read the whole picture: no band, no grey frame.
    const band = wholePicture ? null : topBand(pictureWidth, pictureHeight, width, height);
    drawSource(source, picture, pictureWidth, pictureHeight, band);
    frame.hidden = wholePicture;
    toFrame(picture, pictureWidth, pictureHeight, frame);
    views.hidden = false;
    await show(frame, result, { source: picture, width: pictureWidth, height: pictureHeight, preview: source });
  }
  const fail = (error) => {
    // The previous picture and its answer must not stand under an error about a new one.
    views.hidden = true;
    result.replaceChildren();
    message.className = 'message error';
    message.textContent = error.message;
  };
  const useFile = async (picked) => {
    if (!picked) return;
    const bitmap = await createImageBitmap(picked).catch(() => {
      throw new Error(`${picked.name} is not an image this browser can read.`);
    });
    try {
      await use(bitmap, bitmap.width, bitmap.height);
    } finally {
      bitmap.close();
    }
  };

  file.addEventListener('change', () => useFile(file.files[0]).catch(fail));
  drop.addEventListener('dragover', (event) => {
    event.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    useFile(event.dataTransfer.files[0]).catch(fail);
  });
  snap.addEventListener('click', () => snapshot(section, snap, use).catch(fail));
}

// The picture, small, with the band the model sees outlined (none: it sees the whole picture).
function drawSource(canvas, picture, pictureWidth, pictureHeight, band) {
  const scale = SOURCE_PREVIEW_WIDTH / pictureWidth;
  canvas.width = SOURCE_PREVIEW_WIDTH;
  canvas.height = Math.round(pictureHeight * scale);
  const context = canvas.getContext('2d');
  context.drawImage(picture, 0, 0, canvas.width, canvas.height);
  if (!band) return;
  context.strokeStyle = getComputedStyle(canvas).getPropertyValue('--gold').trim() || 'gold';
  context.lineWidth = 2;
  const [x, y, w, h] = band.map((value) => value * scale);
  context.strokeRect(x + 1, y + 1, w - 2, h - 2);
}

// Show the live camera in the widget, count down so there is time to strike a pose, hand the
// picture to `use`, then stop the camera (its light goes off), whatever happened.
async function snapshot(section, button, use) {
  const video = el('video', { muted: true, playsInline: true, className: 'snap-video' });
  section.querySelector('.picker').after(video);
  button.disabled = true;
  let stream = null;
  try {
    stream = await startCamera(video);
    for (let left = SNAP_COUNTDOWN_S; left > 0; left -= 1) {
      button.textContent = `Snapping in ${left}…`;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await use(video, video.videoWidth, video.videoHeight);
  } finally {
    stream?.getTracks().forEach((track) => track.stop());
    video.remove();
    button.textContent = 'Snap from camera';
    button.disabled = false;
  }
}

function seasonWidget(classifier) {
  const section = document.getElementById('season-widget');
  const input = document.getElementById('season-date');
  if (!classifier.season) {
    section.append(note('The season model was not converted, so this widget is off.'));
    input.disabled = true;
    return;
  }
  input.value ||= isoDate(new Date()); // today
  const verdict = el('p', { className: 'decision' });
  const bars = el('ul', { className: 'bars' });
  const showBars = makeBars(bars, SEASONS);
  section.append(verdict, bars);
  const update = async () => {
    const [year, month, day] = input.value.split('-').map(Number);
    if (!year) return;
    const { season: name, probs } = await season(classifier, new Date(year, month - 1, day));
    verdict.textContent = name;
    verdict.dataset.decision = name;
    showBars(probs);
  };
  input.addEventListener('input', update);
  update();
}

// 'YYYY-MM-DD' of a date in local time, what <input type="date"> holds.
function isoDate(date) {
  const parts = [date.getFullYear(), date.getMonth() + 1, date.getDate()];
  return parts.map((part) => String(part).padStart(2, '0')).join('-');
}

function note(text) {
  return el('p', { className: 'message' }, text);
}

main().catch((error) => {
  status.className = 'message error';
  status.textContent = error.message;
  for (const control of document.querySelectorAll('input, button')) control.disabled = true;
});
