/**
 * The camera panel beside the game: the live camera, the grey frame the model sees (enlarged,
 * pixelated), one probability bar per class, the decision sent to the game, and the loop's
 * numbers (backend, latency, frames classified and skipped, the sequence head's window). Errors
 * (camera denied, no camera, models missing) are shown in its message area. Only DOM here;
 * camera-loop.js drives it.
 */

import { topBand } from './camera.js';

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
    this.crop = el('canvas', { className: 'crop' });
    this.cropCaption = el('figcaption');
    this.decision = el('p', { className: 'decision' });
    this.numbers = el('dl', {
      className: 'numbers',
      title: 'latency: median of recent frames; skipped: ticks that came while a frame was being classified',
    });
    this.bars = el('ul', { className: 'bars' });
    this.message = el('p', { className: 'message', role: 'status' });
    this.running = el(
      'div',
      { hidden: true },
      el('figure', {}, this.crop, this.cropCaption),
      el(
        'div',
        { className: 'live' },
        el('figure', {}, el('div', { className: 'framed' }, this.video, this.band)),
        el('div', {}, this.decision, this.numbers),
      ),
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

  /** The camera runs: show the feed, the crop band over it, and one bar per label. */
  start({ labels, frame }) {
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
    this.showProbs = makeBars(this.bars, labels);
    this.running.hidden = false;
    this.status('');
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
