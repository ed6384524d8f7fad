/**
 * The computer opponent. Each tick it looks at the match and returns an input, like a player
 * would: walk in when far, attack when an attack would land, step back now and then, block an
 * attack it noticed in time, and punish one that missed. From kicking distance it sometimes
 * throws the slow, strong roundhouse. It commits to a plan for a few ticks
 * (a human does not change their mind 60 times a second). All chance comes from the seeded rng,
 * so a seed replays a fight.
 *
 * difficulty (0..1) sets how fast it notices attacks, how often it attacks and how often it blocks.
 * Against a player who attacks whenever in range (as a camera player does), 0.5 loses most
 * matches and 1 wins most.
 */

import { BODY_HALF_WIDTH, MOVES, moveDuration } from './fighter.js';
import { NO_INPUT } from './match.js';

// Centre-to-centre distances at which each attack reaches the other body.
export const PUNCH_RANGE = MOVES.punch.reach[1] + BODY_HALF_WIDTH;
export const KICK_RANGE = MOVES.kick.reach[1] + BODY_HALF_WIDTH;
export const ROUNDHOUSE_RANGE = MOVES.roundhouse.reach[1] + BODY_HALF_WIDTH;
// Of the attacks it chooses from kicking distance, this share are roundhouses (up close it wants a
// quick one; punishing a miss too).
const ROUNDHOUSE_SHARE = 0.25;

export class Ai {
  constructor({ rng, difficulty = 0.5 }) {
    const skill = Math.min(1, Math.max(0, difficulty));
    this.rng = rng;
    this.reaction = Math.round(lerp(12, 2, skill)); // ticks before it sees an attack coming
    this.aggression = lerp(0.25, 0.75, skill); // chance to attack when in range
    this.guard = lerp(0.15, 0.75, skill); // chance to block an attack it saw coming
    this.plan = NO_INPUT; // held movement/block, kept for planTicks
    this.planTicks = 0;
    this.judgedAttack = null; // start tick of the last enemy attack judged for an opening
  }

  /** The input for fighter `me` this tick. */
  decide(match, me) {
    const self = match.fighters[me];
    const foe = match.fighters[1 - me];
    if (match.phase !== 'fight') {
      this.planTicks = 0;
      return NO_INPUT;
    }
    if (this.seesAttackComing(self, foe)) {
      const ticksLeft = moveDuration(foe.attack) - foe.stateTicks;
      return this.hold({ ...NO_INPUT, block: true }, ticksLeft + 2);
    }
    if (this.seesOpening(match, self, foe)) return this.strike(this.bestAttack(self, foe));
    if (this.planTicks > 0) {
      this.planTicks -= 1;
      return this.plan;
    }
    return this.choose(self, foe);
  }

  // Judged once per enemy attack, `reaction` ticks after it started, and only if it would reach.
  seesAttackComing(self, foe) {
    const move = foe.attack;
    if (!move || foe.stateTicks !== this.reaction || foe.attackPhase() === 'recovery') return false;
    const reach = move.reach[1] + BODY_HALF_WIDTH;
    return Math.abs(foe.x - self.x) <= reach + 10 && this.rng() < this.guard;
  }

  // An attack that missed or was blocked leaves the foe open while it recovers: punish it.
  // Judged once per attack, on the first tick of its recovery when this fighter is free.
  seesOpening(match, self, foe) {
    if (foe.attackPhase() !== 'recovery' || self.isBusy) return false;
    const attackStart = match.tick - foe.stateTicks;
    if (attackStart === this.judgedAttack) return false;
    this.judgedAttack = attackStart;
    return Math.abs(foe.x - self.x) <= KICK_RANGE && this.rng() < this.aggression;
  }

  bestAttack(self, foe) {
    return Math.abs(foe.x - self.x) <= PUNCH_RANGE ? 'punch' : 'kick';
  }

  choose(self, foe) {
    const distance = Math.abs(foe.x - self.x);
    const toward = Math.sign(foe.x - self.x) || self.facing;
    const roll = this.rng();
    if (distance > KICK_RANGE) return this.hold({ ...NO_INPUT, move: toward }, this.ticks(6, 16));
    if (distance <= PUNCH_RANGE) {
      if (roll < this.aggression) return this.strike(this.rng() < 0.6 ? 'punch' : 'kick');
      if (roll < this.aggression + 0.15) return this.hold({ ...NO_INPUT, move: -toward }, this.ticks(8, 20));
      return this.hold(NO_INPUT, this.ticks(4, 14));
    }
    // Too far for a punch, close enough for a kick. The same roll picks which kick.
    if (roll < this.aggression) {
      return this.strike(roll < this.aggression * (1 - ROUNDHOUSE_SHARE) ? 'kick' : 'roundhouse');
    }
    if (roll < this.aggression + 0.3) return this.hold({ ...NO_INPUT, move: toward }, this.ticks(4, 10));
    return this.hold(NO_INPUT, this.ticks(4, 14));
  }

  // An attack is one press; afterwards it waits a moment before choosing again.
  strike(name) {
    this.hold(NO_INPUT, this.ticks(this.reaction, this.reaction + 12));
    return { ...NO_INPUT, [name]: true };
  }

  hold(input, ticks) {
    this.plan = input;
    this.planTicks = ticks;
    return input;
  }

  ticks(low, high) {
    return low + Math.floor(this.rng() * (high - low + 1));
  }
}

function lerp(a, b, t) {
  return a + (b - a) * t;
}
