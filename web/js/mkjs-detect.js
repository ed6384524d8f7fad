/**
 * The article's controller API for MK.js: a `Detect` whose calls move MK.js's player (Sub-Zero,
 * fighters[0] of its basic mode) as its own keyboard controller would. MK.js ignores a move while
 * the fighter is busy (an attack, a hit, a jump lock it) and a repeat of the move it is in, so the
 * camera loop's every-frame calls start one move at a time.
 */

/** `fighter` is an MK.js Fighter (mk.game.fighters[0]); `types` is mk.moves.types. */
export function mkjsDetect(fighter, types) {
  const play = (move) => () => fighter.setMove(move);
  return Object.freeze({
    onPunch: play(types.HIGH_PUNCH),
    onKick: play(types.HIGH_KICK),
    // The sequence head's roundhouse: MK.js's spin kick, its stronger kick that knocks down.
    onRoundhouse: play(types.SPIN_KICK),
    // As MK.js's controllers do: a squatting fighter stands up; any other one just stands.
    onStand: () => fighter.setMove(fighter.getMove()?.type === types.SQUAT ? types.STAND_UP : types.STAND),
    // MK.js's moves for what a head beyond the article's punch/kick may also decide.
    onBlock: play(types.BLOCK),
    onSquat: play(types.SQUAT),
    onJump: play(types.JUMP),
    onUppercut: play(types.UPPERCUT),
  });
}
