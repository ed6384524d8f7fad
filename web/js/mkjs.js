/**
 * The MK.js page: Minko Gechev's MK.js (the article's game, MIT; copied into vendor/mkjs/ by
 * `make mkjs`, never part of this project) in its single-player mode, Sub-Zero against a Kano
 * who stands still, played by MK.js's own keyboard controller and by the same camera loop as the
 * play page, through the `Detect` of mkjs-detect.js. Without vendor/mkjs/ the page says how to
 * get it and leaves the camera off.
 *
 * URL parameters: those of the camera loop (?backend=, ?camera=off).
 */

import { startCameraLoop } from './camera-loop.js';
import { mkjsDetect } from './mkjs-detect.js';
import { CameraPanel, el } from './ui.js';

const MKJS = 'vendor/mkjs/';
const SCROLL_KEYS = new Set(['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight', ' ']);

const $ = (id) => document.getElementById(id);
const message = $('mk-message');

async function main() {
  try {
    await loadScript(`${MKJS}src/mk.js`);
  } catch {
    message.className = 'message error';
    message.replaceChildren(...howToGetMkjs());
    return;
  }
  mk.config.IMAGES = `${MKJS}images/`; // MK.js loads its sprites relative to the page
  const lifeBars = [$('mk-life-0'), $('mk-life-1')];
  mk.start({
    arena: { arena: mk.arenas.types.THRONE_ROOM, container: $('mk-arena') },
    fighters: [{ name: 'Subzero' }, { name: 'Kano' }],
    gameType: 'basic',
    callbacks: {
      attack: (fighter, opponent) => {
        lifeBars[mk.game.fighters.indexOf(opponent)].style.width = `${opponent.getLife()}%`;
      },
      'game-end': (loser) => {
        const winner = loser === mk.game.fighters[0] ? 'Kano' : 'Sub-Zero';
        message.textContent = `${winner} wins. Reload the page to fight again.`;
      },
    },
  }).ready(() => {
    window.Detect = mkjsDetect(mk.game.fighters[0], mk.moves.types);
    $('mk-stage').classList.add('ready');
    message.textContent = '';
  });
  // MK.js reads the arrows without keeping them from scrolling the page.
  addEventListener('keydown', (event) => SCROLL_KEYS.has(event.key) && event.preventDefault());
  startCameraLoop(new CameraPanel($('camera-panel')), new URLSearchParams(location.search));
}

function loadScript(src) {
  return new Promise((resolve, reject) => document.head.append(el('script', { src, onload: resolve, onerror: reject })));
}

function howToGetMkjs() {
  return [
    `MK.js is not installed in ${MKJS}. It is Minko Gechev's game (MIT), not part of this project: `,
    el('code', {}, 'git clone https://github.com/mgechev/mk.js'),
    ', then in this project ',
    el('code', {}, 'make mkjs MKJS=path/to/mk.js'),
    ', and reload. Our own game plays meanwhile on ',
    el('a', { href: 'index.html' }, 'the play page'),
    '.',
  ];
}

main();
