/**
 * The player's controls: the keyboard and the `Detect` API of MK.js's controller (a global
 * object with onPunch, onKick and onStand that the camera classifier calls, and onRoundhouse for
 * the sequence head's roundhouse). Both only write
 * intents; the match reads one input per tick with `take()`. Attacks are single presses: one
 * that arrives while the fighter is busy is dropped, not queued.
 */

// Keys by KeyboardEvent.key (letters lower-cased), so the legend matches what is printed on the key.
export const KEY_ACTIONS = {
  arrowleft: 'left',
  a: 'left',
  arrowright: 'right',
  d: 'right',
  j: 'punch',
  z: 'punch',
  k: 'kick',
  x: 'kick',
  i: 'roundhouse',
  v: 'roundhouse',
  l: 'block',
  c: 'block',
  arrowdown: 'block',
  s: 'block',
};

const ATTACKS = new Set(['punch', 'kick', 'roundhouse']);

export class Intents {
  constructor() {
    this.left = false;
    this.right = false;
    this.block = false;
    this.punch = false;
    this.kick = false;
    this.roundhouse = false;
  }

  /** Stand still: stop walking and blocking (what the camera reports when it sees no move). */
  stand() {
    this.left = false;
    this.right = false;
    this.block = false;
  }

  /** This tick's input; attack presses are used up by reading them. */
  take() {
    const input = {
      move: (this.right ? 1 : 0) - (this.left ? 1 : 0),
      block: this.block,
      punch: this.punch,
      kick: this.kick,
      roundhouse: this.roundhouse,
    };
    this.punch = false;
    this.kick = false;
    this.roundhouse = false;
    return input;
  }
}

/** Keyboard → intents. onRestart is called on Enter. */
export function installKeyboard(target, intents, { onRestart }) {
  const actionOf = (event) => KEY_ACTIONS[event.key.toLowerCase()];
  target.addEventListener('keydown', (event) => {
    if (isTyping(event)) return;
    if (event.key === 'Enter') return onRestart();
    const action = actionOf(event);
    if (!action) return;
    event.preventDefault(); // arrows would scroll the page
    // A held attack key repeats; only the first press attacks.
    if (ATTACKS.has(action) && event.repeat) return;
    intents[action] = true;
  });
  target.addEventListener('keyup', (event) => {
    const action = actionOf(event);
    if (action === 'left' || action === 'right' || action === 'block') intents[action] = false;
  });
  // Keys released while the page had no focus never send keyup: do not walk on forever.
  target.addEventListener('blur', () => intents.stand());
}

// Keys typed into a form field (the camera panel may have some) are not moves.
function isTyping(event) {
  return Boolean(event.target?.closest?.('input, textarea, select'));
}

/**
 * Create `target.Detect = { onPunch, onKick, onRoundhouse, onStand }`: the controller API of
 * MK.js, and the roundhouse the sequence head tells apart from the other kicks.
 */
export function installDetect(target = globalThis, intents) {
  target.Detect = Object.freeze({
    onPunch() {
      intents.punch = true;
    },
    onKick() {
      intents.kick = true;
    },
    onRoundhouse() {
      intents.roundhouse = true;
    },
    onStand() {
      intents.stand();
    },
  });
  return target.Detect;
}
