// Unit tests of the game logic in web/js/game/ (run with `node --test tests/web/`).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Ai, KICK_RANGE, PUNCH_RANGE, ROUNDHOUSE_RANGE } from '../../web/js/game/ai.js';
import { installDetect, installKeyboard, Intents } from '../../web/js/game/controls.js';
import { BLOCKSTUN, BODY_HALF_WIDTH, MAX_LIFE, MOVES, moveDuration } from '../../web/js/game/fighter.js';
import { ARENA, Match, NO_INPUT, ROUND_END_TICKS, TICK_RATE } from '../../web/js/game/match.js';
import { makeRng } from '../../web/js/game/rng.js';

const press = (name) => ({ ...NO_INPUT, [name]: true });
const walk = (move) => ({ ...NO_INPUT, move });
const IDLE = [NO_INPUT, NO_INPUT];

function fightingMatch(options) {
  const match = new Match(options);
  while (match.phase !== 'fight') match.step(IDLE);
  return match;
}

function place(match, distance) {
  const middle = (ARENA.left + ARENA.right) / 2;
  match.fighters[0].x = middle - distance / 2;
  match.fighters[1].x = middle + distance / 2;
}

// Steps `ticks` times; inputsAt(tick) gives that tick's inputs. Returns [{ tick, ...event }].
function run(match, ticks, inputsAt = () => IDLE) {
  const events = [];
  for (let tick = 0; tick < ticks; tick++) {
    for (const event of match.step(inputsAt(tick))) events.push({ tick, ...event });
  }
  return events;
}

const onFirstTick = (inputs) => (tick) => (tick === 0 ? inputs : IDLE);
const ofType = (events, type) => events.filter((event) => event.type === type);

// Make fighter `winner` win the current round by a real punch to an opponent on 1 life.
function winRound(match, winner) {
  place(match, 60);
  match.fighters[1 - winner].life = 1;
  const inputs = [NO_INPUT, NO_INPUT];
  inputs[winner] = press('punch');
  const events = run(match, 30, onFirstTick(inputs));
  assert.equal(ofType(events, 'ko').length, 1);
  return [...events, ...run(match, ROUND_END_TICKS + 120)].filter((event) => event.type !== 'hit');
}

test('a punch lands exactly when its active ticks start', () => {
  const match = fightingMatch();
  place(match, 70);
  const events = run(match, 40, (tick) => {
    if (tick === MOVES.punch.startup) assert.equal(match.fighters[0].attackPhase(), 'startup');
    return tick === 0 ? [press('punch'), NO_INPUT] : IDLE;
  });
  const hits = ofType(events, 'hit');
  assert.equal(hits.length, 1);
  assert.equal(hits[0].tick, MOVES.punch.startup);
  assert.equal(hits[0].move, 'punch');
});

test('attacks land only in range', () => {
  for (const [name, range] of [['punch', PUNCH_RANGE], ['kick', KICK_RANGE]]) {
    const near = fightingMatch();
    place(near, range - 2);
    assert.equal(ofType(run(near, 40, onFirstTick([press(name), NO_INPUT])), 'hit').length, 1, name);
    const far = fightingMatch();
    place(far, range + 2);
    assert.equal(ofType(run(far, 40, onFirstTick([press(name), NO_INPUT])), 'hit').length, 0, name);
  }
  assert.ok(KICK_RANGE > PUNCH_RANGE, 'a kick reaches further than a punch');
});

test('an attack hits at most once, although its box overlaps for several ticks', () => {
  const match = fightingMatch();
  place(match, 2 * BODY_HALF_WIDTH);
  const events = run(match, 60, onFirstTick([press('kick'), NO_INPUT]));
  assert.equal(ofType(events, 'hit').length, 1);
  assert.equal(match.fighters[1].life, MAX_LIFE - MOVES.kick.damage);
});

test('damage values: a kick hurts more than a punch', () => {
  const damageOf = (name) => {
    const match = fightingMatch();
    place(match, 70);
    const [hit] = ofType(run(match, 40, onFirstTick([press(name), NO_INPUT])), 'hit');
    assert.equal(match.fighters[1].life, MAX_LIFE - hit.damage);
    return hit.damage;
  };
  assert.equal(damageOf('punch'), MOVES.punch.damage);
  assert.equal(damageOf('kick'), MOVES.kick.damage);
  assert.ok(MOVES.kick.damage > MOVES.punch.damage);
});

test('blocking reduces damage and pushback', () => {
  const outcome = (defenderInput) => {
    const match = fightingMatch();
    place(match, 70);
    const before = match.fighters[1].x;
    const events = run(match, 60, (tick) => [tick === 0 ? press('kick') : NO_INPUT, defenderInput]);
    return { events, lost: MAX_LIFE - match.fighters[1].life, pushed: match.fighters[1].x - before };
  };
  const open = outcome(NO_INPUT);
  const guarded = outcome(press('block'));
  assert.equal(ofType(open.events, 'hit').length, 1);
  assert.equal(ofType(guarded.events, 'block').length, 1);
  assert.equal(ofType(guarded.events, 'hit').length, 0);
  assert.equal(guarded.lost, MOVES.kick.chip);
  assert.ok(guarded.lost < open.lost);
  assert.ok(guarded.pushed > 0 && guarded.pushed < open.pushed, `${guarded.pushed} vs ${open.pushed}`);
});

test('a blocking fighter is held in blockstun, then can act again', () => {
  const match = fightingMatch();
  place(match, 70);
  run(match, MOVES.punch.startup + 1, (tick) => [tick === 0 ? press('punch') : NO_INPUT, press('block')]);
  const defender = match.fighters[1];
  assert.equal(defender.state, 'block');
  assert.ok(defender.isBusy);
  run(match, BLOCKSTUN, () => [NO_INPUT, NO_INPUT]);
  assert.equal(defender.state, 'idle');
});

test('life never goes below 0', () => {
  const match = fightingMatch();
  place(match, 70);
  match.fighters[1].life = 3;
  const [hit] = ofType(run(match, 40, onFirstTick([press('kick'), NO_INPUT])), 'hit');
  assert.equal(match.fighters[1].life, 0);
  assert.equal(hit.damage, 3);
});

test('a K.O. ends the round, the winner scores, and the next round starts fresh', () => {
  const match = fightingMatch();
  place(match, 70);
  match.fighters[1].life = 5;
  const events = run(match, 40, onFirstTick([press('kick'), NO_INPUT]));
  assert.deepEqual(ofType(events, 'ko').map((event) => event.loser), [1]);
  const [end] = ofType(events, 'roundEnd');
  assert.deepEqual([end.winner, end.reason, end.round], [0, 'ko', 1]);
  assert.equal(match.phase, 'roundEnd');
  assert.equal(match.fighters[1].state, 'fall');
  assert.deepEqual(match.wins, [1, 0]);
  // Nobody fights during the round end: inputs are ignored.
  run(match, 30, () => [press('punch'), press('kick')]);
  assert.deepEqual([match.fighters[0].state === 'punch', match.fighters[1].state], [false, 'fall']);
  const next = run(match, ROUND_END_TICKS);
  assert.deepEqual(ofType(next, 'roundStart').map((event) => event.round), [2]);
  assert.equal(match.round, 2);
  assert.deepEqual(match.fighters.map((fighter) => fighter.life), [MAX_LIFE, MAX_LIFE]);
  assert.equal(match.phase, 'intro');
});

test('time-out: the fighter with more life wins the round; equal life is a draw', () => {
  const match = fightingMatch({ roundTime: 1 });
  match.fighters[0].life = 50;
  const events = run(match, TICK_RATE);
  const [end] = ofType(events, 'roundEnd');
  assert.equal(end.tick, TICK_RATE - 1);
  assert.deepEqual([end.winner, end.reason], [1, 'timeout']);
  assert.deepEqual(match.wins, [0, 1]);

  const even = fightingMatch({ roundTime: 1 });
  const [draw] = ofType(run(even, TICK_RATE), 'roundEnd');
  assert.equal(draw.winner, null);
  assert.deepEqual(even.wins, [0, 0]);
});

test('best of 3: the first to two round wins takes the match', () => {
  const match = fightingMatch();
  const events = [...winRound(match, 0)];
  while (match.phase !== 'fight') match.step(IDLE);
  events.push(...winRound(match, 1));
  assert.equal(match.matchOver, false);
  while (match.phase !== 'fight') match.step(IDLE);
  events.push(...winRound(match, 0));
  assert.deepEqual(ofType(events, 'roundEnd').map((event) => event.winner), [0, 1, 0]);
  const [end] = ofType(events, 'matchEnd');
  assert.deepEqual([end.winner, end.wins], [0, [2, 1]]);
  assert.ok(match.matchOver);
  assert.equal(match.winner, 0);
  assert.equal(match.round, 3);
  // A finished match stays finished.
  assert.deepEqual(run(match, 300, () => [press('punch'), press('kick')]), []);

  const sweep = fightingMatch();
  winRound(sweep, 1);
  while (sweep.phase !== 'fight') sweep.step(IDLE);
  winRound(sweep, 1);
  assert.deepEqual([sweep.matchOver, sweep.winner, sweep.round], [true, 1, 2]);
});

test('fighters do not walk through each other or out of the arena', () => {
  const match = fightingMatch();
  run(match, 200, () => [walk(1), NO_INPUT]);
  const [a, b] = match.fighters;
  assert.ok(b.x - a.x >= 2 * BODY_HALF_WIDTH - 1e-9);
  run(match, 400, () => [walk(-1), walk(1)]);
  assert.equal(a.x, ARENA.left);
  assert.equal(b.x, ARENA.right);
});

test('the fighters turn to face each other', () => {
  const match = fightingMatch();
  match.fighters[0].x = 700;
  match.fighters[1].x = 300;
  match.step(IDLE);
  assert.deepEqual(match.fighters.map((fighter) => fighter.facing), [-1, 1]);
});

test('the AI approaches when far and never swings at the air', () => {
  const match = fightingMatch();
  const ai = new Ai({ rng: makeRng(7) });
  const start = match.fighters[1].x;
  for (let tick = 0; tick < 40; tick++) {
    const input = ai.decide(match, 1);
    assert.ok(!input.punch && !input.kick && !input.roundhouse);
    match.step([NO_INPUT, input]);
  }
  assert.ok(match.fighters[1].x < start - 40, `moved from ${start} to ${match.fighters[1].x}`);
});

test('the AI attacks when in range', () => {
  for (const seed of [1, 2, 3]) {
    const match = fightingMatch();
    place(match, 80);
    const ai = new Ai({ rng: makeRng(seed) });
    const events = run(match, 120, () => [NO_INPUT, ai.decide(match, 1)]);
    const hits = ofType(events, 'hit').filter((event) => event.attacker === 1);
    assert.ok(hits.length >= 2, `seed ${seed}: ${hits.length} hits`);
    assert.ok(match.fighters[0].life < MAX_LIFE);
  }
});

test('a hard AI blocks attacks it sees coming; an easy one sees them too late', () => {
  const rng = makeRng(5);
  const blockedKicks = (difficulty) => {
    let blocked = 0;
    for (let trial = 0; trial < 100; trial++) {
      const match = fightingMatch();
      place(match, 130);
      const ai = new Ai({ rng, difficulty });
      // The AI looks up only once the kick is on its way, when it could have noticed it.
      match.step([press('kick'), NO_INPUT]);
      while (match.fighters[0].stateTicks < ai.reaction) match.step(IDLE);
      const events = run(match, moveDuration(MOVES.kick), () => [NO_INPUT, ai.decide(match, 1)]);
      blocked += ofType(events, 'block').length;
    }
    return blocked;
  };
  const hard = blockedKicks(1);
  assert.ok(hard >= 60 && hard <= 90, `hard AI blocked ${hard} of 100 kicks`);
  assert.equal(blockedKicks(0), 0);
});

test('the AI punishes an attack that missed, even while it meant to wait', () => {
  let punished = 0;
  for (let seed = 0; seed < 20; seed++) {
    const match = fightingMatch();
    place(match, PUNCH_RANGE + 20); // the punch falls short; a kick from the AI would not
    const ai = new Ai({ rng: makeRng(seed), difficulty: 1 });
    ai.hold(NO_INPUT, 1000);
    const events = run(match, 40, (tick) => [tick === 0 ? press('punch') : NO_INPUT, ai.decide(match, 1)]);
    const [hit] = ofType(events, 'hit');
    if (!hit) continue;
    assert.equal(hit.attacker, 1);
    // It kicked on the first tick of the punch's recovery.
    assert.equal(hit.tick, MOVES.punch.startup + MOVES.punch.active + 1 + MOVES.kick.startup);
    punished += 1;
  }
  assert.ok(punished >= 10, `punished ${punished} of 20 missed punches`);
});

test('Detect.onPunch and Detect.onKick make the player attack', () => {
  for (const [method, state] of [['onPunch', 'punch'], ['onKick', 'kick']]) {
    const match = fightingMatch();
    place(match, 70);
    const intents = new Intents();
    const target = {};
    installDetect(target, intents);
    target.Detect[method]();
    match.step([intents.take(), NO_INPUT]);
    assert.equal(match.fighters[0].state, state);
    const events = run(match, 40, () => [intents.take(), NO_INPUT]);
    assert.equal(ofType(events, 'hit').length, 1, 'one call, one attack');
    assert.equal(match.fighters[1].life, MAX_LIFE - MOVES[state].damage);
  }
});

test('Detect.onStand stops walking', () => {
  const match = fightingMatch();
  const intents = new Intents();
  const target = {};
  installDetect(target, intents);
  intents.right = true;
  run(match, 5, () => [intents.take(), NO_INPUT]);
  assert.equal(match.fighters[0].state, 'walk');
  target.Detect.onStand();
  match.step([intents.take(), NO_INPUT]);
  const stoppedAt = match.fighters[0].x;
  run(match, 10, () => [intents.take(), NO_INPUT]);
  assert.equal(match.fighters[0].state, 'idle');
  assert.equal(match.fighters[0].x, stoppedAt);
});

test('attacks pressed while busy are ignored, not queued', () => {
  const match = fightingMatch();
  place(match, 300);
  const intents = new Intents();
  const target = {};
  installDetect(target, intents);
  target.Detect.onPunch();
  const states = [];
  for (let tick = 0; tick < moveDuration(MOVES.punch) + 10; tick++) {
    if (tick === 3) target.Detect.onKick(); // mid-punch
    match.step([intents.take(), NO_INPUT]);
    states.push(match.fighters[0].state);
  }
  assert.ok(!states.includes('kick'));
  assert.equal(states.at(-1), 'idle');

  // Stunned fighters cannot attack either.
  place(match, 70);
  run(match, MOVES.kick.startup + 1, (tick) => [NO_INPUT, tick === 0 ? press('kick') : NO_INPUT]);
  assert.equal(match.fighters[0].state, 'hit');
  match.step([press('punch'), NO_INPUT]);
  assert.equal(match.fighters[0].state, 'hit');
});

test('keyboard: held keys walk and block, attack keys fire once per press, Enter restarts', () => {
  const target = new EventTarget();
  const intents = new Intents();
  let restarts = 0;
  installKeyboard(target, intents, { onRestart: () => (restarts += 1) });
  const key = (type, name, repeat = false) =>
    target.dispatchEvent(Object.assign(new Event(type), { key: name, repeat }));
  key('keydown', 'ArrowRight');
  key('keydown', 'J');
  assert.deepEqual(intents.take(), { move: 1, block: false, punch: true, kick: false, roundhouse: false });
  assert.equal(intents.take().punch, false, 'a press is used once');
  key('keydown', 'j', true);
  assert.equal(intents.take().punch, false, 'auto-repeat does not attack');
  key('keyup', 'ArrowRight');
  key('keydown', 'l');
  key('keydown', 'x');
  assert.deepEqual(intents.take(), { move: 0, block: true, punch: false, kick: true, roundhouse: false });
  key('keydown', 'Enter');
  assert.equal(restarts, 1);
});

test('the roundhouse: a stronger, slower kick that lands at head height and recovers slowly', () => {
  const [kick, roundhouse] = [MOVES.kick, MOVES.roundhouse];
  assert.ok(roundhouse.damage > kick.damage && roundhouse.chip > kick.chip, 'stronger');
  assert.ok(roundhouse.startup > kick.startup, 'slower to land');
  assert.ok(roundhouse.recovery > kick.recovery, 'longer recovery');
  assert.ok(moveDuration(roundhouse) > moveDuration(kick));
  assert.ok(roundhouse.height[0] > kick.height[1], 'higher than the kick');
  assert.ok(ROUNDHOUSE_RANGE >= KICK_RANGE);

  const match = fightingMatch();
  place(match, 90);
  const states = [];
  const events = run(match, 80, (tick) => {
    states.push(match.fighters[0].state);
    return tick === 0 ? [press('roundhouse'), NO_INPUT] : IDLE;
  });
  const hits = ofType(events, 'hit');
  assert.equal(hits.length, 1);
  assert.equal(hits[0].tick, roundhouse.startup);
  assert.equal(hits[0].move, 'roundhouse');
  assert.equal(hits[0].damage, roundhouse.damage);
  assert.equal(match.fighters[1].life, MAX_LIFE - roundhouse.damage);
  // Busy for the whole move: the fighter is back to idle only after startup + active + recovery.
  assert.equal(states.lastIndexOf('roundhouse'), moveDuration(roundhouse));
  assert.ok(match.fighters[1].x - match.fighters[0].x > 90 + kick.pushback, 'it pushes back further');

  // In range and out of range.
  for (const [distance, landed] of [[ROUNDHOUSE_RANGE - 2, 1], [ROUNDHOUSE_RANGE + 2, 0]]) {
    const again = fightingMatch();
    place(again, distance);
    assert.equal(ofType(run(again, 60, onFirstTick([press('roundhouse'), NO_INPUT])), 'hit').length, landed);
  }
});

test('a blocked roundhouse chips and leaves the attacker open longer than a kick', () => {
  const openFor = (name) => {
    const match = fightingMatch();
    place(match, 90);
    const events = run(match, 80, (tick) => [tick === 0 ? press(name) : NO_INPUT, press('block')]);
    assert.equal(ofType(events, 'block').length, 1, name);
    assert.equal(match.fighters[1].life, MAX_LIFE - MOVES[name].chip, name);
    // Ticks between the defender's blockstun ending and the attacker being free again.
    return moveDuration(MOVES[name]) - MOVES[name].startup - BLOCKSTUN;
  };
  assert.ok(openFor('roundhouse') > openFor('kick') + 10);
});

test('Detect.onRoundhouse and the I and V keys play the roundhouse, once per press', () => {
  const match = fightingMatch();
  place(match, 90);
  const intents = new Intents();
  const target = new EventTarget();
  installDetect(target, intents);
  installKeyboard(target, intents, { onRestart: () => {} });
  target.Detect.onRoundhouse();
  match.step([intents.take(), NO_INPUT]);
  assert.equal(match.fighters[0].state, 'roundhouse');

  const key = (type, name, repeat = false) =>
    target.dispatchEvent(Object.assign(new Event(type), { key: name, repeat }));
  for (const name of ['i', 'I', 'v', 'V']) {
    key('keydown', name);
    assert.equal(intents.take().roundhouse, true, name);
    assert.equal(intents.take().roundhouse, false, `${name}: a press is used once`);
    key('keydown', name, true);
    assert.equal(intents.take().roundhouse, false, `${name}: auto-repeat does not attack`);
  }
  // The roundhouse keys are no other action's.
  const taken = new Set(['j', 'z', 'k', 'x', 'l', 'c', 's', 'a', 'd']);
  assert.ok(!taken.has('i') && !taken.has('v'));
});

test('the AI throws a roundhouse now and then, and it lands', () => {
  const rng = makeRng(3);
  const ais = [new Ai({ rng, difficulty: 0.5 }), new Ai({ rng, difficulty: 0.5 })];
  const match = new Match({ roundTime: 60 });
  const events = run(match, 6000, () => [ais[0].decide(match, 0), ais[1].decide(match, 1)]);
  const moves = ofType(events, 'hit').map((event) => event.move);
  const roundhouses = moves.filter((move) => move === 'roundhouse').length;
  assert.ok(roundhouses >= 2 && roundhouses < moves.length / 2, `${roundhouses} of ${moves.length} hits`);
});

test('the same seed replays the same fight; another seed does not', () => {
  const play = (seed) => {
    const rng = makeRng(seed);
    const ais = [new Ai({ rng, difficulty: 0.3 }), new Ai({ rng, difficulty: 0.8 })];
    const match = new Match({ roundTime: 20 });
    const events = run(match, 4000, () => [ais[0].decide(match, 0), ais[1].decide(match, 1)]);
    return { events, snapshot: match.snapshot() };
  };
  const first = play(11);
  assert.ok(ofType(first.events, 'hit').length > 10, 'the AIs really fought');
  assert.deepEqual(play(11), first);
  assert.notDeepEqual(play(12).events, first.events);
});

test('the seeded rng is repeatable and in [0, 1)', () => {
  const a = makeRng(44);
  const b = makeRng(44);
  const values = Array.from({ length: 1000 }, () => a());
  assert.deepEqual(values, Array.from({ length: 1000 }, () => b()));
  assert.ok(values.every((value) => value >= 0 && value < 1));
  assert.ok(new Set(values).size > 990);
});
