/**
 * The play page's wiring: a match, the AI opponent, the player's controls (keyboard and the
 * global `Detect` API that the camera classifier calls), the renderer, and the frame loop that
 * steps the simulation at a fixed 60 Hz however fast the screen refreshes.
 *
 * URL parameters (for play and for tests): ?ai=off (the opponent stands still), ?seed=N (the AI's
 * random seed), ?roundTime=S (seconds per round), ?difficulty=0..1.
 * Tests read the game through `window.kombat.state()`; nothing here depends on the camera.
 */

import { Ai } from './game/ai.js';
import { installDetect, installKeyboard, Intents } from './game/controls.js';
import { Match, NO_INPUT, TICK_RATE } from './game/match.js';
import { Renderer } from './game/render.js';
import { makeRng } from './game/rng.js';

const TICK_MS = 1000 / TICK_RATE;
const MAX_CATCH_UP_MS = 250; // after a hidden tab or a long stall, skip time instead of racing

const NAMES = ['EMBER', 'FROST'];
const options = Object.freeze(readOptions(new URLSearchParams(location.search)));
const rng = makeRng(options.seed);
const intents = new Intents();
const renderer = new Renderer(document.getElementById('arena'), { names: NAMES });
let match;
let ai;

function newMatch() {
  match = new Match({ roundTime: options.roundTime });
  ai = options.ai ? new Ai({ rng, difficulty: options.difficulty }) : null;
  intents.stand();
}

function readOptions(params) {
  const number = (name, fallback, low, high) => {
    const value = Number(params.get(name));
    if (!params.has(name) || !Number.isFinite(value)) return fallback;
    return Math.min(high, Math.max(low, value));
  };
  return {
    ai: params.get('ai') !== 'off',
    seed: Math.floor(number('seed', Math.random() * 2 ** 32, 0, 2 ** 32 - 1)),
    roundTime: number('roundTime', 60, 1, 99),
    difficulty: number('difficulty', 0.5, 0, 1),
  };
}

function tick() {
  const inputs = [intents.take(), ai ? ai.decide(match, 1) : NO_INPUT];
  renderer.handle(match.step(inputs), match);
}

let last = performance.now();
let owed = 0; // simulation time not yet stepped, ms
function frame(now) {
  owed += Math.min(now - last, MAX_CATCH_UP_MS);
  last = now;
  while (owed >= TICK_MS) {
    tick();
    owed -= TICK_MS;
  }
  renderer.draw(match);
  requestAnimationFrame(frame);
}

function describe() {
  const [player, opponent] = match.fighters;
  const side = (index) => (index === 0 ? 'player' : index === 1 ? 'opponent' : null);
  return {
    tick: match.tick,
    phase: match.phase,
    round: match.round,
    secondsLeft: match.secondsLeft,
    life: { player: player.life, opponent: opponent.life },
    wins: { player: match.wins[0], opponent: match.wins[1] },
    x: { player: player.x, opponent: opponent.x },
    player: player.state,
    opponent: opponent.state,
    matchOver: match.matchOver,
    winner: match.matchOver ? (side(match.winner) ?? 'draw') : null,
  };
}

newMatch();
installKeyboard(window, intents, { onRestart: () => match.matchOver && newMatch() });
installDetect(window, intents);
window.kombat = Object.freeze({ state: describe, options });
requestAnimationFrame(frame);
