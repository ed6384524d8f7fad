/**
 * The record page: while a class's button or number key is held, save camera frames for that
 * class; review them as thumbnails, delete the wrong ones, and export one zip laid out like a
 * dataset for `tfjs-kombat import`. This replaces the article's QuickTime recording, ffmpeg
 * splitting and sorting of frames by hand.
 *
 * Each hold records either one clip or single frames (the page's "Each hold records" choice):
 * - a clip: the hold's frames, at the game's rate (CLASSIFY_INTERVAL_MS, config.CLIP_FPS), kept
 *   together as one move for the sequence head: <class>/<clip>/001.jpg, 002.jpg, … (dataset.js);
 * - single frames, as before clips: at the chosen rate, each frame on its own for the frame heads:
 *   <class>/0001.jpg, …. The classes that are only clips (the two kicks told apart by how they
 *   move, CLIP_CLASS_DIRS beyond CLASS_DIRS) record clips whatever the choice.
 *
 * Each frame is the FULL camera picture as JPEG: the Python pipeline crops the top band itself,
 * exactly as the game does, so the grey preview here only shows what the model will see.
 * Nothing is sent anywhere; the frames live in this tab until the zip is saved.
 *
 * Tests use `window.kombatRecorder`: counts() → { folder: frames, clips' frames included },
 * clips() → { folder: [frames of each clip] }, exportZip() → Promise<Blob>.
 */

import { CameraError, grabFrame, startCamera } from './camera.js';
import {
  CLASS_DIRS,
  CLASS_NAME_PATTERN,
  CLASSIFY_INTERVAL_MS,
  CLIP_CLASS_DIRS,
  CLIP_CLASS_NAMES,
  FRAME_HEIGHT,
  FRAME_WIDTH,
  SEQUENCE_LENGTH,
} from './constants.js';
import { exportEntries, sessionStamp } from './dataset.js';
import { el } from './ui.js';
import { createZip } from './zip.js';

const FRAME = { width: FRAME_WIDTH, height: FRAME_HEIGHT };
// The clip classes start with the frame classes; the others are recorded as clips only.
const BUILT_IN_CLASSES = CLIP_CLASS_DIRS.map((folder, i) => ({
  label: CLIP_CLASS_NAMES[i],
  folder,
  clipsOnly: !CLASS_DIRS.includes(folder),
}));
const CLIP_RATE = 1000 / CLASSIFY_INTERVAL_MS; // clips are taken at the rate the game classifies
const CLASS_NAME = new RegExp(`^${CLASS_NAME_PATTERN}$`); // what `tfjs-kombat import` accepts
const MAX_CLASSES = 9; // one number key each
const SESSION = sessionStamp(new Date()); // the first part of this session's clip names
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

// { label, folder, key, clipsOnly, frames: [frame], clips: [clip], view: {…} }, where a frame is
// { jpeg, thumbUrl, image } and a clip (one hold) is { frames: [frame], box, caption, dropped }.
const classes = [];
let selected = null; // { cls, frame } or { cls, clip }: what Delete removes
let recording = null; // { cls, clip (null: single frames), timer }
let capturing = false; // a frame is being encoded; ticks that come meanwhile are skipped
let cameraReady = false;
let unsaved = false; // frames recorded or deleted since the last export

window.kombatRecorder = Object.freeze({ counts, clips, exportZip });

function counts() {
  return Object.fromEntries(classes.map((cls) => [cls.folder, frameCount(cls)]));
}

function clips() {
  return Object.fromEntries(classes.map((cls) => [cls.folder, cls.clips.map((clip) => clip.frames.length)]));
}

function frameCount(cls) {
  return cls.frames.length + cls.clips.reduce((sum, clip) => sum + clip.frames.length, 0);
}

/** "clips" or "frames": what a hold records, from the page's choice. */
function mode() {
  return document.querySelector('input[name="mode"]:checked').value;
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
  const asClip = cls.clipsOnly || mode() === 'clips';
  // A clip joins its class (and the strip) with its first frame: a hold too short for one leaves none.
  const clip = asClip ? { frames: [], box: null, caption: null, dropped: false } : null;
  const rate = asClip ? CLIP_RATE : Number($('rate').value);
  recording = { cls, clip, timer: setInterval(() => capture(cls, clip), 1000 / rate) };
  capture(cls, clip);
  cls.view.card.classList.add('recording');
  $('rec-badge').textContent = `● REC ${cls.label}${asClip ? ` · clip ${cls.clips.length + 1}` : ''}`;
  $('rec-badge').hidden = false;
}

function stopRecording(cls = recording?.cls) {
  if (!recording || recording.cls !== cls) return;
  clearInterval(recording.timer);
  recording.cls.view.card.classList.remove('recording');
  recording = null;
  $('rec-badge').hidden = true;
}

/** One frame for the class: into the clip being recorded, or on its own when clip is null. */
async function capture(cls, clip) {
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
    const previous = clip ? clip.frames.at(-1) : cls.frames.at(-1);
    if (!(await sameBytes(previous?.jpeg, jpeg))) addFrame(cls, clip, jpeg, thumb);
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

function addClass(label, folder, clipsOnly = false) {
  const key = String(classes.length + 1);
  const cls = { label, folder, key, clipsOnly, frames: [], clips: [], clearTimer: null };
  const count = el('span', { className: 'count' }, '0');
  const button = el('button', { type: 'button', className: 'record-button', disabled: true });
  const action = el('span', {}, ' Hold to record');
  button.append(el('kbd', {}, cls.key), action);
  const strip = el('div', {
    className: 'strip',
    title: 'click a frame (or a clip) to select it, then Delete',
  });
  const remove = el('button', { type: 'button', disabled: true }, 'Delete selected');
  const clear = el('button', { type: 'button', disabled: true }, 'Clear class');
  const card = el(
    'section',
    { className: 'class-card' },
    el(
      'header',
      {},
      el('h3', {}, label.replace(/_/g, ' ')),
      el('code', {}, `${folder}/`),
      clipsOnly ? el('span', { className: 'tag', title: 'told apart by how it moves' }, 'clips only') : null,
      count,
    ),
    button,
    strip,
    el('div', { className: 'card-actions' }, remove, clear),
  );
  card.dataset.folder = folder;
  cls.view = { card, count, button, action, strip, remove, clear };

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

function addFrame(cls, clip, jpeg, thumb) {
  if (clip?.dropped) return; // deleted while its last frame was being encoded
  const frame = { jpeg, thumbUrl: URL.createObjectURL(thumb) };
  const { width, height } = thumbCanvas; // sized now, so the strip can scroll to it before it loads
  frame.image = el('img', { src: frame.thumbUrl, width, height, alt: `${cls.label} frame`, className: 'thumb' });
  if (clip) {
    if (!clip.box) showClip(cls, clip);
    clip.frames.push(frame);
    clip.box.append(frame.image);
  } else {
    frame.image.addEventListener('click', () => select(selected?.frame === frame ? null : { cls, frame }));
    cls.frames.push(frame);
    cls.view.strip.append(frame.image);
  }
  cls.view.strip.scrollLeft = cls.view.strip.scrollWidth;
  unsaved = true;
  updateControls();
}

/** A clip's first frame: the clip joins its class, as a box of thumbnails under a caption. */
function showClip(cls, clip) {
  clip.caption = el('span', { className: 'clip-caption' });
  clip.box = el('div', { className: 'clip', title: 'one clip: click it to select it, then Delete' }, clip.caption);
  clip.box.addEventListener('click', () => select(selected?.clip === clip ? null : { cls, clip }));
  cls.clips.push(clip);
  cls.view.strip.append(clip.box);
}

/** The thumbnail (a single frame) or the box (a clip) that a selection highlights. */
function selectedElement(selection) {
  return selection?.clip ? selection.clip.box : selection?.frame.image;
}

function select(next) {
  selectedElement(selected)?.classList.remove('selected');
  selected = next;
  selectedElement(selected)?.classList.add('selected');
  selectedElement(selected)?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  updateControls();
}

/** Remove the selected frame or clip and select its neighbour, so a run of bad ones goes key by key. */
function deleteSelected() {
  const { cls, frame, clip } = selected;
  if (clip) {
    const index = cls.clips.indexOf(clip);
    dropClip(cls, index);
    const neighbour = cls.clips[Math.min(index, cls.clips.length - 1)];
    select(neighbour ? { cls, clip: neighbour } : null);
    return;
  }
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

function dropClip(cls, index) {
  const [clip] = cls.clips.splice(index, 1);
  if (recording?.clip === clip) stopRecording(); // a clip is one hold: deleting it ends the hold
  clip.dropped = true;
  clip.box.remove();
  for (const frame of clip.frames) URL.revokeObjectURL(frame.thumbUrl);
  unsaved = true;
}

/** A first click arms the button; only a second one within a few seconds clears the class. */
function clearClass(cls) {
  const { clear } = cls.view;
  if (!cls.clearTimer) {
    clear.textContent = `Clear ${frameCount(cls)}? Click again`;
    cls.clearTimer = setTimeout(() => disarm(cls), CLEAR_CONFIRM_MS);
    return;
  }
  disarm(cls);
  if (selected?.cls === cls) select(null);
  while (cls.frames.length) dropFrame(cls, cls.frames.length - 1);
  while (cls.clips.length) dropClip(cls, cls.clips.length - 1);
  updateControls();
}

function disarm(cls) {
  clearTimeout(cls.clearTimer);
  cls.clearTimer = null;
  cls.view.clear.textContent = 'Clear class';
}

const plural = (count, noun) => `${count} ${noun}${count === 1 ? '' : 's'}`;

function updateControls() {
  const asClips = mode() === 'clips';
  $('rate').disabled = asClips;
  for (const cls of classes) {
    const { count, button, action, remove, clear } = cls.view;
    const frames = frameCount(cls);
    count.textContent = `${plural(cls.clips.length, 'clip')} · ${plural(frames, 'frame')}`;
    button.disabled = !cameraReady;
    action.textContent = asClips || cls.clipsOnly ? ' Hold to record a clip' : ' Hold to record frames';
    remove.disabled = selected?.cls !== cls;
    clear.disabled = frames === 0;
    cls.clips.forEach((clip, i) => {
      clip.caption.textContent = `clip ${i + 1} · ${clip.frames.length}`;
    });
  }
  const recorded = classes.filter((cls) => frameCount(cls));
  const total = recorded.reduce((sum, cls) => sum + frameCount(cls), 0);
  const clipTotal = recorded.reduce((sum, cls) => sum + cls.clips.length, 0);
  const describe = (cls) => {
    const clipFrames = frameCount(cls) - cls.frames.length;
    const parts = [
      cls.clips.length && `${plural(cls.clips.length, 'clip')} (${plural(clipFrames, 'frame')})`,
      cls.frames.length && plural(cls.frames.length, 'single frame'),
    ];
    return `${cls.label}: ${parts.filter(Boolean).join(' + ')}`;
  };
  exportButton.disabled = total === 0;
  $('export-summary').textContent = total
    ? `${plural(total, 'frame')}, ${plural(clipTotal, 'clip')}. ${recorded.map(describe).join('; ')}`
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

/** Every recorded frame in one zip: <folder>/0001.jpg, … and <folder>/<clip>/001.jpg, … (dataset.js). */
function exportZip() {
  const recorded = classes.map((cls) => ({
    folder: cls.folder,
    frames: cls.frames.map((frame) => frame.jpeg),
    clips: cls.clips.map((clip) => clip.frames.map((frame) => frame.jpeg)),
  }));
  const entries = exportEntries(recorded, SESSION);
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

/** A key typed into a text box (the class name), not a radio button's or the page's. */
function typing(event) {
  return Boolean(event.target.matches?.('input:not([type="radio"]), textarea'));
}

function classForKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) return null;
  return classes.find((cls) => cls.key === event.key) ?? null;
}

addEventListener('keydown', (event) => {
  const cls = classForKey(event);
  if (cls) {
    event.preventDefault(); // and a focused <select> does not jump to "10"
    if (!event.repeat) startRecording(cls);
  } else if (['Delete', 'Backspace'].includes(event.key) && selected && !typing(event)) {
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
  if (unsaved && classes.some(frameCount)) event.preventDefault();
});

function describeModes() {
  const onlyClips = BUILT_IN_CLASSES.filter((cls) => cls.clipsOnly).map((cls) => cls.label.replace(/_/g, ' '));
  $('clip-rate').textContent = `${CLIP_RATE} per second (the rate the game reads moves at)`;
  $('clip-length').textContent = `${((SEQUENCE_LENGTH * CLASSIFY_INTERVAL_MS) / 1000).toFixed(1)} s`;
  $('clips-only').textContent = onlyClips.join(' and ');
}

for (const { label, folder, clipsOnly } of BUILT_IN_CLASSES) addClass(label, folder, clipsOnly);
describeModes();
for (const input of document.querySelectorAll('input[name="mode"]')) {
  input.addEventListener('change', updateControls);
}
$('add-class').addEventListener('submit', addExtraClass);
exportButton.addEventListener('click', download);
openCamera();
