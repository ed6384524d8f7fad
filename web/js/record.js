/**
 * The record page: while a class's button or number key is held, save camera frames for that
 * class at the chosen rate; review them as thumbnails, delete the wrong ones, and export one zip
 * laid out like a dataset (punches/0001.jpg, kicks/…, others/…, extra classes) for
 * `tfjs-kombat import`. This replaces the article's QuickTime recording, ffmpeg splitting and
 * sorting of frames by hand.
 *
 * Each frame is the FULL camera picture as JPEG: the Python pipeline crops the top band itself,
 * exactly as the game does, so the grey preview here only shows what the model will see.
 * Nothing is sent anywhere; the frames live in this tab until the zip is saved.
 *
 * Tests use `window.kombatRecorder`: counts() → { folder: frames }, exportZip() → Promise<Blob>.
 */

import { CameraError, grabFrame, startCamera } from './camera.js';
import { CLASS_DIRS, CLASS_NAME_PATTERN, CLASS_NAMES, FRAME_HEIGHT, FRAME_WIDTH } from './constants.js';
import { el } from './ui.js';
import { createZip } from './zip.js';

const FRAME = { width: FRAME_WIDTH, height: FRAME_HEIGHT };
const BUILT_IN_CLASSES = CLASS_NAMES.map((label, i) => ({ label, folder: CLASS_DIRS[i] }));
const CLASS_NAME = new RegExp(`^${CLASS_NAME_PATTERN}$`); // what `tfjs-kombat import` accepts
const MAX_CLASSES = 9; // one number key each
const JPEG_QUALITY = 0.92;
const THUMB_WIDTH = 96;
const THUMB_QUALITY = 0.7;
const CLEAR_CONFIRM_MS = 3000;
const ZIP_NAME = 'tfjs-kombat-recording.zip';

const $ = (id) => document.getElementById(id);
const video = $('camera');
const preview = $('preview');
const message = $('message');
const exportButton = $('export');
const fullCanvas = document.createElement('canvas'); // the camera frame at its own size
const thumbCanvas = document.createElement('canvas');

const classes = []; // { label, folder, key, frames: [{ jpeg, thumbUrl, image }], view: {…} }
let selected = null; // { cls, frame }: the thumbnail Delete removes
let recording = null; // { cls, timer }
let capturing = false; // a frame is being encoded; ticks that come meanwhile are skipped
let cameraReady = false;
let unsaved = false; // frames recorded or deleted since the last export

window.kombatRecorder = Object.freeze({ counts, exportZip });

function counts() {
  return Object.fromEntries(classes.map((cls) => [cls.folder, cls.frames.length]));
}

// --- camera and preview ------------------------------------------------------------------------

async function openCamera() {
  preview.width = FRAME.width;
  preview.height = FRAME.height;
  $('preview-caption').textContent = `What the model sees: the top band, ${FRAME.width}×${FRAME.height}, grey`;
  try {
    const stream = await startCamera(video);
    stream.getVideoTracks()[0].addEventListener('ended', () => {
      cameraReady = false;
      stopRecording();
      showMessage('The camera stopped (unplugged?). Export what you have, then reload.', true);
      updateControls();
    });
  } catch (error) {
    const text = error instanceof CameraError ? error.message : `The camera could not start (${error.message}).`;
    showMessage(`${text} Recording needs the camera.`, true);
    $('camera-pair').hidden = true;
    return;
  }
  placeBand();
  video.addEventListener('resize', placeBand); // a camera may change resolution (rotated, reconnected)
  cameraReady = true;
  showMessage('Ready: hold a class button, or its number key, to record.');
  updateControls();
  requestAnimationFrame(function show() {
    if (!cameraReady) return; // the camera stopped: so does its preview
    grabFrame(video, preview);
    requestAnimationFrame(show);
  });
}

/** Outline over the video where camera.js's toFrame crops: the top band, or a centred strip. */
function placeBand() {
  const share = (video.videoWidth * FRAME.height) / FRAME.width / video.videoHeight; // of the height
  const width = share > 1 ? 1 / share : 1; // a band taller than the picture: the full-height strip
  const band = $('band');
  band.style.height = `${100 * Math.min(share, 1)}%`;
  band.style.width = `${100 * width}%`;
  band.style.left = `${50 * (1 - width)}%`;
  band.hidden = false;
}

function showMessage(text, isError = false) {
  message.textContent = text;
  message.className = isError ? 'message error' : 'message';
}

// --- recording -----------------------------------------------------------------------------------

function startRecording(cls) {
  if (!cameraReady || recording?.cls === cls) return;
  stopRecording();
  const rate = Number($('rate').value);
  recording = { cls, timer: setInterval(() => capture(cls), 1000 / rate) };
  capture(cls);
  cls.view.card.classList.add('recording');
  $('rec-badge').textContent = `● REC ${cls.label}`;
  $('rec-badge').hidden = false;
}

function stopRecording(cls = recording?.cls) {
  if (!recording || recording.cls !== cls) return;
  clearInterval(recording.timer);
  recording.cls.view.card.classList.remove('recording');
  recording = null;
  $('rec-badge').hidden = true;
}

async function capture(cls) {
  if (capturing || !cameraReady) return;
  capturing = true;
  try {
    const { videoWidth: width, videoHeight: height } = video;
    resize(fullCanvas, width, height);
    fullCanvas.getContext('2d').drawImage(video, 0, 0);
    resize(thumbCanvas, THUMB_WIDTH, Math.round((THUMB_WIDTH * height) / width));
    thumbCanvas.getContext('2d').drawImage(fullCanvas, 0, 0, thumbCanvas.width, thumbCanvas.height);
    const [jpeg, thumb] = await Promise.all([
      toJpeg(fullCanvas, JPEG_QUALITY),
      toJpeg(thumbCanvas, THUMB_QUALITY),
    ]);
    // Asked faster than the camera sends frames, the same picture comes twice; keep it once.
    if (!(await sameBytes(cls.frames.at(-1)?.jpeg, jpeg))) addFrame(cls, jpeg, thumb);
  } catch (error) {
    stopRecording();
    showMessage(`Could not save a frame (${error.message}).`, true);
  } finally {
    capturing = false;
  }
}

function resize(canvas, width, height) {
  if (canvas.width !== width || canvas.height !== height) Object.assign(canvas, { width, height });
}

function toJpeg(canvas, quality) {
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('JPEG encoding failed'))), 'image/jpeg', quality),
  );
}

async function sameBytes(a, b) {
  if (!a || a.size !== b.size) return false;
  const [x, y] = await Promise.all([a.arrayBuffer(), b.arrayBuffer()]).then((buffers) =>
    buffers.map((buffer) => new Uint8Array(buffer)),
  );
  return x.every((value, i) => value === y[i]);
}

// --- classes, thumbnails, review -------------------------------------------------------------------

function addClass(label, folder) {
  const cls = { label, folder, key: String(classes.length + 1), frames: [], clearTimer: null };
  const count = el('span', { className: 'count' }, '0');
  const button = el('button', { type: 'button', className: 'record-button', disabled: true });
  button.append(el('kbd', {}, cls.key), ' Hold to record');
  const strip = el('div', { className: 'strip', title: 'click a frame to select it, then Delete' });
  const remove = el('button', { type: 'button', disabled: true }, 'Delete selected');
  const clear = el('button', { type: 'button', disabled: true }, 'Clear class');
  const card = el(
    'section',
    { className: 'class-card' },
    el('header', {}, el('h3', {}, label), el('code', {}, `${folder}/`), count),
    button,
    strip,
    el('div', { className: 'card-actions' }, remove, clear),
  );
  card.dataset.folder = folder;
  cls.view = { card, count, button, strip, remove, clear };

  button.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    button.setPointerCapture(event.pointerId); // keeps recording if the pointer slides off
    startRecording(cls);
  });
  for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) {
    button.addEventListener(type, () => stopRecording(cls));
  }
  button.addEventListener('contextmenu', (event) => event.preventDefault()); // long touch
  remove.addEventListener('click', () => selected?.cls === cls && deleteSelected());
  clear.addEventListener('click', () => clearClass(cls));

  classes.push(cls);
  $('classes').append(card);
  updateControls();
  return cls;
}

function addFrame(cls, jpeg, thumb) {
  const frame = { jpeg, thumbUrl: URL.createObjectURL(thumb) };
  const { width, height } = thumbCanvas; // sized now, so the strip can scroll to it before it loads
  frame.image = el('img', { src: frame.thumbUrl, width, height, alt: `${cls.label} frame`, className: 'thumb' });
  frame.image.addEventListener('click', () => select(selected?.frame === frame ? null : { cls, frame }));
  cls.frames.push(frame);
  cls.view.strip.append(frame.image);
  cls.view.strip.scrollLeft = cls.view.strip.scrollWidth;
  unsaved = true;
  updateControls();
}

function select(next) {
  selected?.frame.image.classList.remove('selected');
  selected = next;
  selected?.frame.image.classList.add('selected');
  selected?.frame.image.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  updateControls();
}

/** Remove the selected frame and select its neighbour, so a run of bad frames goes key by key. */
function deleteSelected() {
  const { cls, frame } = selected;
  const index = cls.frames.indexOf(frame);
  dropFrame(cls, index);
  const neighbour = cls.frames[Math.min(index, cls.frames.length - 1)];
  select(neighbour ? { cls, frame: neighbour } : null);
}

function dropFrame(cls, index) {
  const [frame] = cls.frames.splice(index, 1);
  frame.image.remove();
  URL.revokeObjectURL(frame.thumbUrl);
  unsaved = true;
}

/** A first click arms the button; only a second one within a few seconds clears the class. */
function clearClass(cls) {
  const { clear } = cls.view;
  if (!cls.clearTimer) {
    clear.textContent = `Clear ${cls.frames.length}? Click again`;
    cls.clearTimer = setTimeout(() => disarm(cls), CLEAR_CONFIRM_MS);
    return;
  }
  disarm(cls);
  if (selected?.cls === cls) select(null);
  while (cls.frames.length) dropFrame(cls, cls.frames.length - 1);
  updateControls();
}

function disarm(cls) {
  clearTimeout(cls.clearTimer);
  cls.clearTimer = null;
  cls.view.clear.textContent = 'Clear class';
}

function updateControls() {
  for (const cls of classes) {
    const { count, button, remove, clear } = cls.view;
    count.textContent = `${cls.frames.length} frame${cls.frames.length === 1 ? '' : 's'}`;
    button.disabled = !cameraReady;
    remove.disabled = selected?.cls !== cls;
    clear.disabled = cls.frames.length === 0;
  }
  const recorded = classes.filter((cls) => cls.frames.length);
  const total = recorded.reduce((sum, cls) => sum + cls.frames.length, 0);
  exportButton.disabled = total === 0;
  $('export-summary').textContent = total
    ? `${total} frames: ${recorded.map((cls) => `${cls.frames.length} ${cls.label}`).join(', ')}`
    : 'Nothing recorded yet.';
}

function addExtraClass(event) {
  event.preventDefault();
  const input = $('class-name');
  const name = input.value.trim();
  const problem = classNameProblem(name);
  $('class-error').textContent = problem ?? '';
  if (problem) return;
  const cls = addClass(name, name);
  input.value = '';
  input.blur(); // so the new class's number key records at once instead of typing into the box
  if (cameraReady) showMessage(`Added ${name}: hold its button or key ${cls.key} to record.`);
}

function classNameProblem(name) {
  if (classes.length >= MAX_CLASSES) return `At most ${MAX_CLASSES} classes: one per number key.`;
  if (!CLASS_NAME.test(name)) return 'Use 1 to 40 lower-case letters, digits, _ or -.';
  const taken = classes.find((cls) => cls.folder === name || cls.label === name);
  if (taken) return `"${name}" is already the ${taken.label} class.`;
  return null;
}

// --- export --------------------------------------------------------------------------------------

/** Every recorded frame in one zip: <folder>/0001.jpg, …; classes without frames are left out. */
function exportZip() {
  const entries = classes.flatMap((cls) =>
    cls.frames.map((frame, i) => ({ name: `${cls.folder}/${String(i + 1).padStart(4, '0')}.jpg`, data: frame.jpeg })),
  );
  if (!entries.length) return Promise.reject(new Error('nothing recorded yet'));
  return createZip(entries);
}

async function download() {
  exportButton.disabled = true;
  try {
    const blob = await exportZip();
    const url = URL.createObjectURL(blob);
    el('a', { href: url, download: ZIP_NAME }).click();
    setTimeout(() => URL.revokeObjectURL(url), 60_000); // the download reads it after the click
    unsaved = false;
    showMessage(`Exported ${ZIP_NAME} (${(blob.size / 1024 ** 2).toFixed(1)} MB). Next: tfjs-kombat import it.`);
  } catch (error) {
    showMessage(`Export failed: ${error.message}`, true);
  } finally {
    updateControls();
  }
}

// --- keys ----------------------------------------------------------------------------------------

function classForKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.target.matches?.('input, textarea')) return null;
  return classes.find((cls) => cls.key === event.key) ?? null;
}

addEventListener('keydown', (event) => {
  const cls = classForKey(event);
  if (cls) {
    event.preventDefault(); // and a focused <select> does not jump to "10"
    if (!event.repeat) startRecording(cls);
  } else if (['Delete', 'Backspace'].includes(event.key) && selected && !event.target.matches?.('input')) {
    event.preventDefault();
    deleteSelected();
  }
});
addEventListener('keyup', (event) => {
  const cls = classes.find(({ key }) => key === event.key); // wherever the focus went meanwhile
  if (cls) stopRecording(cls);
});
// A key released while the page is not focused sends no keyup: stop rather than record forever.
addEventListener('blur', () => stopRecording());
document.addEventListener('visibilitychange', () => document.hidden && stopRecording());
addEventListener('beforeunload', (event) => {
  if (unsaved && classes.some((cls) => cls.frames.length)) event.preventDefault();
});

for (const { label, folder } of BUILT_IN_CLASSES) addClass(label, folder);
$('add-class').addEventListener('submit', addExtraClass);
exportButton.addEventListener('click', download);
openCamera();
