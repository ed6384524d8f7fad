// Unit tests of the Detect that drives MK.js (web/js/mkjs-detect.js), on a stand-in fighter.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { mkjsDetect } from '../../web/js/mkjs-detect.js';

// mk.moves.types as MK.js defines them (the values are its sprite folders).
const TYPES = {
  STAND: 'stand',
  STAND_UP: 'stand-up',
  SQUAT: 'squating',
  HIGH_PUNCH: 'high-punch',
  HIGH_KICK: 'high-kick',
  BLOCK: 'blocking',
  JUMP: 'jumping',
  UPPERCUT: 'uppercut',
  SPIN_KICK: 'spin-kick',
};

function fighter(current = TYPES.STAND) {
  const moves = [];
  return {
    moves,
    getMove: () => ({ type: current }),
    setMove(type) {
      moves.push(type);
      current = type;
    },
  };
}

test('the article\'s three calls play the high punch, the high kick and stand', () => {
  const player = fighter();
  const detect = mkjsDetect(player, TYPES);
  detect.onPunch();
  detect.onKick();
  detect.onStand();
  assert.deepEqual(player.moves, ['high-punch', 'high-kick', 'stand']);
});

test('the sequence head\'s roundhouse plays MK.js\'s spin kick', () => {
  const player = fighter();
  mkjsDetect(player, TYPES).onRoundhouse();
  assert.deepEqual(player.moves, ['spin-kick']);
});

test('stand gets a squatting fighter up, as MK.js does', () => {
  const player = fighter(TYPES.SQUAT);
  mkjsDetect(player, TYPES).onStand();
  assert.deepEqual(player.moves, ['stand-up']);
});

test('further decisions play the MK.js move of that name', () => {
  const player = fighter();
  const detect = mkjsDetect(player, TYPES);
  for (const call of ['onBlock', 'onSquat', 'onJump', 'onUppercut']) detect[call]();
  assert.deepEqual(player.moves, ['blocking', 'squating', 'jumping', 'uppercut']);
  assert.ok(Object.isFrozen(detect));
});
