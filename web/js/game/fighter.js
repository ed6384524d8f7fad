/**
 * One fighter: a small state machine with a position, a facing and the boxes used for hit
 * detection. Pure logic, no drawing.
 *
 *   idle/walk ──punch/kick/roundhouse──► attack (startup → active → recovery) ──► idle
 *   idle/walk ──block held──► block (blockstun after a blocked hit) ──released──► idle
 *   any ──hit──► hit (stunned for the move's hitstun) ──► idle
 *   any ──life 0──► fall (lies down; the round is over)
 *
 * Units: x in arena pixels, heights in pixels above the floor, time in 60 Hz ticks.
 */

export const MAX_LIFE = 100;
export const WALK_SPEED = 3.5;
export const BODY_HALF_WIDTH = 28;
export const BODY_HEIGHT = 228;
export const BLOCKSTUN = 8;

// Frame data. reach: the attack box spans [near, far] px in front of the body centre;
// height: [low, high] px above the floor. A blocked hit deals `chip` instead of `damage`
// and pushes the defender `blockPushback` instead of `pushback`.
export const MOVES = {
  punch: {
    startup: 5, active: 4, recovery: 10,
    damage: 6, chip: 1, hitstun: 14, pushback: 14, blockPushback: 5,
    reach: [24, 86], height: [160, 190],
  },
  kick: {
    startup: 9, active: 5, recovery: 16,
    damage: 10, chip: 2, hitstun: 20, pushback: 26, blockPushback: 10,
    reach: [28, 120], height: [100, 135],
  },
  // The roundhouse: the body turns and the leg sweeps round to head height. Stronger than the kick
  // and a little longer, but slow to come and slower to recover: a miss leaves a wide opening.
  roundhouse: {
    startup: 15, active: 6, recovery: 26,
    damage: 16, chip: 3, hitstun: 26, pushback: 40, blockPushback: 14,
    reach: [30, 126], height: [140, 185],
  },
};

const SLIDE_KEPT = 0.8; // fraction of a push's slide speed kept from one tick to the next

export function moveDuration(move) {
  return move.startup + move.active + move.recovery;
}

export class Fighter {
  constructor(x = 0, facing = 1) {
    this.reset(x, facing);
  }

  reset(x, facing) {
    this.x = x;
    this.facing = facing; // +1 looks right, -1 looks left
    this.slideSpeed = 0;
    this.life = MAX_LIFE;
    this.enter('idle');
  }

  enter(state) {
    this.state = state;
    this.stateTicks = 0; // ticks spent in this state; 0 on the tick it was entered
    this.stun = 0; // ticks left of hitstun or blockstun
    this.hasHit = false; // an attack connects at most once
  }

  /** The move in progress (punch, kick or roundhouse), or null. */
  get attack() {
    return MOVES[this.state] ?? null;
  }

  /** Busy fighters ignore every input: mid-attack, stunned, or down. */
  get isBusy() {
    return this.attack !== null || this.state === 'hit' || this.state === 'fall' || this.stun > 0;
  }

  attackPhase() {
    const move = this.attack;
    if (!move) return null;
    if (this.stateTicks < move.startup) return 'startup';
    if (this.stateTicks < move.startup + move.active) return 'active';
    return 'recovery';
  }

  /** Advance one tick. input: { move: -1|0|1 (screen direction), block, punch, kick, roundhouse }. */
  update(input) {
    this.stateTicks += 1;
    this.slide();
    if (this.stun > 0) this.stun -= 1;
    if (this.state === 'fall') return;
    if (this.state === 'hit' && this.stun === 0) this.enter('idle');
    const move = this.attack;
    if (move && this.stateTicks >= moveDuration(move)) this.enter('idle');
    if (!this.isBusy) this.act(input);
  }

  act({ move = 0, block = false, punch = false, kick = false, roundhouse = false }) {
    if (punch) return this.enter('punch');
    if (kick) return this.enter('kick');
    if (roundhouse) return this.enter('roundhouse');
    if (block) return this.keep('block');
    if (move !== 0) {
      this.keep('walk');
      this.x += Math.sign(move) * WALK_SPEED;
      return;
    }
    this.keep('idle');
  }

  // Staying in a state keeps its clock running (the walk cycle and idle breathing use it).
  keep(state) {
    if (this.state !== state) this.enter(state);
  }

  slide() {
    this.x += this.slideSpeed;
    this.slideSpeed *= SLIDE_KEPT;
    if (Math.abs(this.slideSpeed) < 0.05) this.slideSpeed = 0;
  }

  /** Start sliding so that the fighter travels `distance` px in total (sign = direction). */
  push(distance) {
    this.slideSpeed = distance * (1 - SLIDE_KEPT);
  }

  takeHit(move, direction) {
    this.life = Math.max(0, this.life - move.damage);
    this.enter('hit');
    this.stun = move.hitstun;
    this.push(direction * move.pushback);
  }

  blockHit(move, direction) {
    this.life = Math.max(0, this.life - move.chip);
    this.stun = BLOCKSTUN;
    this.push(direction * move.blockPushback);
  }

  knockDown() {
    this.enter('fall'); // keeps sliding from the blow that knocked it down
  }

  /** Where this fighter can be hit, or null while down. */
  hurtbox() {
    if (this.state === 'fall') return null;
    return { left: this.x - BODY_HALF_WIDTH, right: this.x + BODY_HALF_WIDTH, low: 0, high: BODY_HEIGHT };
  }

  /** Where the attack in progress hits, during its active ticks only; otherwise null. */
  hitbox() {
    if (this.attackPhase() !== 'active') return null;
    const move = this.attack;
    const near = this.x + this.facing * move.reach[0];
    const far = this.x + this.facing * move.reach[1];
    const [low, high] = move.height;
    return { left: Math.min(near, far), right: Math.max(near, far), low, high };
  }
}
