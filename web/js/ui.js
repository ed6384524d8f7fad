/**
 * The camera panel beside the game: the live camera, the grey frame the model sees (enlarged,
 * pixelated), one probability bar per class, the decision sent to the game, and the loop's
 * numbers (backend, latency, frames classified and skipped, the sequence head's window). With the
 * keypoint models there is no grey frame: the tracked skeleton is drawn over the live camera
 * instead. Errors (camera denied, no camera, models missing) are shown in its message area. Only
 * DOM here; camera-loop.js drives it.
 */

import { topBand } from './camera.js';
import { BODY_CONNECTIONS, BODY_LANDMARKS, KEYPOINT_VISIBLE } from './constants.js';

const BONES = BODY_CONNECTIONS.map((pair) => pair.map((name) => BODY_LANDMARKS.indexOf(name)));

const percent = (part, whole) => `${((100 * part) / whole).toFixed(2)}%`;

/** Build an element: el('p', {className: 'x'}, 'text', child, ...). */
export function el(tag, properties = {}, ...children) {
  const element = Object.assign(document.createElement(tag), properties);
  element.append(...children.filter((child) => child !== null && child !== undefined));
  return element;
}

/** One labelled probability bar per label; returns show(probs) that updates them. */
export function makeBars(container, labels) {
  const rows = labels.map((label) => {
    const fill = el('span', { className: 'fill' });
    const value = el('span', { className: 'value' }, '–');
    const name = el('span', { className: 'label', title: label }, label);
    const row = el('li', {}, name, el('span', { className: 'bar' }, fill), value);
    row.dataset.label = label;
    return { row, fill, value };
  });
  container.replaceChildren(...rows.map(({ row }) => row));
  return (probs) => {
    rows.forEach(({ fill, value }, i) => {
      fill.style.width = `${(100 * probs[i]).toFixed(1)}%`;
      value.textContent = probs[i].toFixed(2);
    });
  };
}

// The sequence head's window: filling (it stands meanwhile), or full.
function windowText({ frames, length }) {
  return frames < length ? `filling, ${frames}/${length} frames` : `last ${length} frames`;
}

export class CameraPanel {
  constructor(root) {
    this.video = el('video', { muted: true, playsInline: true, autoplay: true });
    this.band = el('div', { className: 'band', title: 'the part of the picture the model sees' });
    this.skeleton = el('canvas', { className: 'skeleton', hidden: true, title: 'the joints the pose model sees' });
    this.crop = el('canvas', { className: 'crop' });
    this.cropCaption = el('figcaption');
    this.decision = el('p', { className: 'decision' });
    this.numbers = el('dl', {
      className: 'numbers',
      title: 'latency: median of recent frames; skipped: ticks that came while a frame was being classified',
    });
    this.bars = el('ul', { className: 'bars' });
    this.message = el('p', { className: 'message', role: 'status' });
    this.cropFigure = el('figure', {}, this.crop, this.cropCaption);
    this.live = el(
      'div',
      { className: 'live' },
      el('figure', {}, el('div', { className: 'framed' }, this.video, this.band, this.skeleton)),
      el('div', {}, this.decision, this.numbers),
    );
    this.running = el(
      'div',
      { hidden: true },
      this.cropFigure,
      this.live,
      this.bars,
    );
    root.replaceChildren(el('h2', {}, 'Camera controller'), this.running, this.message);
  }

  /** A progress or state line ("loading models…"). */
  status(text) {
    this.message.className = 'message';
    this.message.textContent = text;
  }

  /** Something went wrong; the game keeps running. */
  error(text) {
    this.message.className = 'message error';
    this.message.textContent = text;
  }

  /**
   * The camera runs: show the feed, the crop band over it, and one bar per label. Without a
   * `frame` (the keypoint models read the whole picture) there is no crop: the skeleton instead.
   */
  start({ labels, frame }) {
    this.showProbs = makeBars(this.bars, labels);
    this.running.hidden = false;
    this.status('');
    if (!frame) {
      this.cropFigure.hidden = this.band.hidden = true;
      this.live.classList.add('whole-frame'); // the camera, larger: the skeleton is the preview
      const { videoWidth: width, videoHeight: height } = this.video;
      Object.assign(this.skeleton, { hidden: false, width, height });
      return;
    }
    this.crop.width = frame.width;
    this.crop.height = frame.height;
    const size = `${frame.width}×${frame.height}`;
    this.cropCaption.textContent = `What the model sees: the top band of the camera, ${size}, grey.`;
    const { videoWidth, videoHeight } = this.video;
    const [x, y, width, height] = topBand(videoWidth, videoHeight, frame.width, frame.height);
    Object.assign(this.band.style, {
      left: percent(x, videoWidth),
      top: percent(y, videoHeight),
      width: percent(width, videoWidth),
      height: percent(height, videoHeight),
    });
  }

  /**
   * The pose model's landmarks over the camera (rows of [x, y, z, visibility], x and y fractions
   * of the frame), only the joints it sees and the bones between them; null clears it.
   */
  showSkeleton(landmarks) {
    this.skeleton.getContext('2d').clearRect(0, 0, this.skeleton.width, this.skeleton.height);
    drawSkeleton(this.skeleton, landmarks);
  }

  /** One classified frame: its probabilities and decision, and the loop's numbers. */
  update(probs, decision, stats) {
    this.showProbs(probs);
    this.decision.textContent = decision;
    this.decision.dataset.decision = decision;
    this.showNumbers(stats);
  }

  showNumbers({ recipe, window, backend, latencyMs, frames, skipped }) {
    const rows = [
      ['recipe', recipe ?? '–'],
      ...(window ? [['window', windowText(window)]] : []),
      ['backend', backend ?? '–'],
      ['latency', latencyMs === null ? '–' : `${latencyMs.toFixed(0)} ms`],
      ['frames', String(frames)],
      ['skipped', String(skipped)],
    ];
    const cells = rows.flatMap(([name, value]) => [el('dt', {}, name), el('dd', {}, value)]);
    this.numbers.replaceChildren(...cells);
  }
}

/**
 * The pose model's landmarks (rows of [x, y, z, visibility], x and y fractions of the picture)
 * drawn onto a canvas of that picture: only the joints it sees and the bones between them; null
 * draws nothing.
 */
export function drawSkeleton(canvas, landmarks) {
  const { width, height } = canvas;
  if (!landmarks) return;
  const context = canvas.getContext('2d');
  const seen = landmarks.map(([, , , visibility]) => visibility >= KEYPOINT_VISIBLE);
  const at = (i) => [landmarks[i][0] * width, landmarks[i][1] * height];
  const unit = Math.max(2, width / 160); // lines as thick on a big camera as on a small one
  context.lineWidth = unit;
  context.strokeStyle = context.fillStyle = '#ffd34d';
  context.beginPath();
  for (const [a, b] of BONES) {
    if (!seen[a] || !seen[b]) continue;
    context.moveTo(...at(a));
    context.lineTo(...at(b));
  }
  context.stroke();
  seen.forEach((visible, i) => {
    if (!visible) return;
    context.beginPath();
    context.arc(...at(i), 1.5 * unit, 0, 2 * Math.PI);
    context.fill();
  });
}
