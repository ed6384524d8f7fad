/**
 * The match: two fighters in an arena, stepped at a fixed 60 Hz. Each step takes one input per
 * fighter and returns the events of that tick (hit, block, ko, roundStart, roundEnd, matchEnd)
 * so the page can react. Pure logic: no DOM, no canvas, no clock, no randomness, so the same
 * inputs always give the same fight (node tests run it directly).
 *
 * Phases of a round: intro ("ROUND n", "FIGHT!") → fight → roundEnd (K.O. or time-out) → the next
 * round, or `over` once a fighter has won `roundsToWin` rounds (best of 3 by default).
 */

import { BODY_HALF_WIDTH, Fighter } from './fighter.js';

export const TICK_RATE = 60;
export const ARENA = { width: 960, left: 60, right: 900 };
export const INTRO_TICKS = 100;
export const ROUND_END_TICKS = 150;
export const START_DISTANCE = 300;
export const NO_INPUT = Object.freeze({ move: 0, block: false, punch: false, kick: false, roundhouse: false });

const MIN_DISTANCE = 2 * BODY_HALF_WIDTH; // bodies do not overlap

export class Match {
  constructor({ roundTime = 60, roundsToWin = 2 } = {}) {
    this.roundTicks = Math.round(roundTime * TICK_RATE);
    this.roundsToWin = roundsToWin;
    this.fighters = [new Fighter(), new Fighter()];
    this.wins = [0, 0];
    this.round = 0;
    this.tick = 0;
    this.winner = null; // index of the match winner, null while playing or after a draw
    this.queued = []; // events raised outside step(), handed out by the next step()
    this.startRound(this.queued);
  }

  get matchOver() {
    return this.phase === 'over';
  }

  /** Whole seconds left on the round clock, as shown on screen. */
  get secondsLeft() {
    return Math.ceil(this.timeLeft / TICK_RATE);
  }

  /** Advance one tick. inputs: [player, opponent], each { move, block, punch, kick, roundhouse }. */
  step(inputs) {
    const events = this.queued;
    this.queued = [];
    this.tick += 1;
    this.phaseTicks += 1;
    const fighting = this.phase === 'fight';
    this.fighters.forEach((fighter, i) => fighter.update(fighting ? (inputs[i] ?? NO_INPUT) : NO_INPUT));
    this.keepApart();
    this.faceEachOther();
    if (fighting) {
      this.resolveHits(events);
      this.checkRoundEnd(events);
    } else if (this.phase === 'intro' && this.phaseTicks >= INTRO_TICKS) {
      this.setPhase('fight');
    } else if (this.phase === 'roundEnd' && this.phaseTicks >= ROUND_END_TICKS) {
      this.nextRound(events);
    }
    return events;
  }

  setPhase(phase) {
    this.phase = phase;
    this.phaseTicks = 0;
  }

  startRound(events) {
    this.round += 1;
    const middle = (ARENA.left + ARENA.right) / 2;
    this.fighters[0].reset(middle - START_DISTANCE / 2, 1);
    this.fighters[1].reset(middle + START_DISTANCE / 2, -1);
    this.timeLeft = this.roundTicks;
    this.roundWinner = null;
    this.roundEndReason = null;
    this.setPhase('intro');
    events.push({ type: 'roundStart', round: this.round });
  }

  endRound(events, winner, reason) {
    if (winner !== null) this.wins[winner] += 1;
    this.roundWinner = winner;
    this.roundEndReason = reason;
    this.setPhase('roundEnd');
    events.push({ type: 'roundEnd', round: this.round, winner, reason });
  }

  nextRound(events) {
    const champion = this.wins.findIndex((count) => count >= this.roundsToWin);
    if (champion === -1) return this.startRound(events);
    this.winner = champion;
    this.setPhase('over');
    events.push({ type: 'matchEnd', winner: champion, wins: [...this.wins] });
  }

  keepApart() {
    const [a, b] = this.fighters;
    const direction = Math.sign(b.x - a.x) || a.facing;
    const overlap = MIN_DISTANCE - Math.abs(b.x - a.x);
    if (overlap > 0) {
      a.x -= (direction * overlap) / 2;
      b.x += (direction * overlap) / 2;
    }
    for (const fighter of this.fighters) fighter.x = clampToArena(fighter.x);
    // One of them is against a wall: the other one gives way.
    const stillOverlapping = MIN_DISTANCE - Math.abs(b.x - a.x);
    if (stillOverlapping > 0) {
      const aAtWall = a.x === ARENA.left || a.x === ARENA.right;
      if (aAtWall) b.x += direction * stillOverlapping;
      else a.x -= direction * stillOverlapping;
    }
  }

  faceEachOther() {
    const [a, b] = this.fighters;
    for (const [fighter, other] of [[a, b], [b, a]]) {
      if (!fighter.isBusy) fighter.facing = Math.sign(other.x - fighter.x) || fighter.facing;
    }
  }

  // Both attacks are judged on the positions before either lands, so simultaneous hits trade.
  resolveHits(events) {
    const hits = [];
    this.fighters.forEach((attacker, i) => {
      const defender = this.fighters[1 - i];
      const box = attacker.hitbox();
      if (!box || attacker.hasHit || !overlaps(box, defender.hurtbox())) return;
      const blocked = defender.state === 'block' && defender.facing === -attacker.facing;
      hits.push({ attacker: i, name: attacker.state, move: attacker.attack, blocked });
    });
    for (const { attacker, name, move, blocked } of hits) {
      const striker = this.fighters[attacker];
      const target = this.fighters[1 - attacker];
      const lifeBefore = target.life;
      striker.hasHit = true;
      if (blocked) target.blockHit(move, striker.facing);
      else target.takeHit(move, striker.facing);
      events.push({
        type: blocked ? 'block' : 'hit',
        attacker,
        defender: 1 - attacker,
        move: name,
        damage: lifeBefore - target.life,
        x: target.x - striker.facing * BODY_HALF_WIDTH,
        height: (move.height[0] + move.height[1]) / 2,
      });
    }
  }

  checkRoundEnd(events) {
    const down = this.fighters.map((fighter) => fighter.life === 0);
    if (down[0] || down[1]) {
      down.forEach((isDown, i) => {
        if (!isDown) return;
        this.fighters[i].knockDown();
        events.push({ type: 'ko', loser: i });
      });
      const winner = down[0] && down[1] ? null : down[0] ? 1 : 0;
      return this.endRound(events, winner, 'ko');
    }
    this.timeLeft -= 1;
    if (this.timeLeft > 0) return;
    const [life0, life1] = this.fighters.map((fighter) => fighter.life);
    this.endRound(events, life0 === life1 ? null : life0 > life1 ? 0 : 1, 'timeout');
  }

  /** A plain copy of everything that matters, for tests and the page's read-only hook. */
  snapshot() {
    return {
      tick: this.tick,
      phase: this.phase,
      round: this.round,
      wins: [...this.wins],
      timeLeft: this.timeLeft,
      winner: this.winner,
      fighters: this.fighters.map(({ x, facing, life, state, stateTicks, stun }) => ({
        x, facing, life, state, stateTicks, stun,
      })),
    };
  }
}

function clampToArena(x) {
  return Math.min(ARENA.right, Math.max(ARENA.left, x));
}

function overlaps(a, b) {
  return b !== null && a.left < b.right && b.left < a.right && a.low < b.high && b.low < a.high;
}
