/**
 * The fighters as articulated figures. A pose is a set of joint angles; forward kinematics turns
 * it into joint positions (the lowest point resting on the floor); limbs are stroked as thick
 * rounded lines with an outline. Poses are keyframes blended by the time a fighter has spent in
 * its state, so a punch visibly chambers, extends and retracts. A pose may also turn the whole
 * body about its vertical axis (`spin`, radians), drawn as a horizontal squash that mirrors the
 * figure while its back is to the opponent: the roundhouse turns a full circle as its leg sweeps.
 */

import { FLOOR_Y, OUTLINE, segment, WIDTH } from './paint.js';

// Body proportions, px, before FIGURE_SCALE (the boxes in fighter.js match the scaled figure).
const FIGURE_SCALE = 1.2;
const TORSO = 62;
const NECK = 6;
const HEAD_RADIUS = 16;
const UPPER_ARM = 34;
const FOREARM = 32;
const THIGH = 50;
const SHIN = 50;
const FOOT = 15;

export const PALETTES = [
  { suit: '#f4c22b', shade: '#b98a12', wrap: '#26201a', wrapShade: '#15110d', sash: '#8c1c12' },
  { suit: '#3c8ee8', shade: '#225a9e', wrap: '#1a2230', wrapShade: '#0e131c', sash: '#e8eef7' },
];
const SKIN = '#e3b08a';

// Poses: radians. Limbs: 0 hangs straight down, positive swings forward (toward the facing side).
// Knees bend backward by `knee`; elbows bend forward/up by `elbow`; lean tilts the torso forward.
const GUARD = {
  lean: 0.12, head: 0.05,
  frontShoulder: 0.55, frontElbow: 1.95, backShoulder: 0.25, backElbow: 2.25,
  frontHip: 0.42, frontKnee: 0.55, backHip: -0.32, backKnee: 0.3,
};
const PUNCH_CHAMBER = { ...GUARD, lean: 0.04, frontShoulder: 0.3, frontElbow: 2.4, backShoulder: 0.45 };
const PUNCH_OUT = {
  ...GUARD, lean: 0.22, head: 0.05,
  frontShoulder: 1.35, frontElbow: 0.04, backShoulder: 0.2, backElbow: 2.5,
  frontHip: 0.55, frontKnee: 0.5, backHip: -0.5, backKnee: 0.12,
};
const KICK_CHAMBER = { ...GUARD, lean: -0.1, frontHip: 1.25, frontKnee: 2.0, backHip: -0.08, backKnee: 0.15 };
const KICK_OUT = {
  ...GUARD, lean: -0.42, head: 0.3,
  frontShoulder: 0.9, frontElbow: 1.7, backShoulder: -0.6, backElbow: 0.7,
  frontHip: 1.58, frontKnee: 0.02, backHip: -0.18, backKnee: 0.08,
};
// The roundhouse: the knee chambers high while the body turns away, then the leg sweeps round to
// head height with the body leaning back; a trail shows the sweep.
const ROUNDHOUSE_CHAMBER = {
  ...GUARD, lean: -0.12, head: 0.2,
  frontShoulder: 0.75, frontElbow: 2.1, backShoulder: -0.35, backElbow: 1.5,
  frontHip: 1.35, frontKnee: 2.25, backHip: -0.05, backKnee: 0.12,
};
const ROUNDHOUSE_OUT = {
  ...GUARD, lean: -0.62, head: 0.5,
  frontShoulder: 1.15, frontElbow: 1.55, backShoulder: -0.95, backElbow: 0.55,
  frontHip: 2.1, frontKnee: 0.04, backHip: -0.12, backKnee: 0.05,
};
const SWEEP_ARC = 1.7; // radians of the trail behind the sweeping foot
const BLOCK = {
  ...GUARD, lean: -0.05, head: 0.3,
  frontShoulder: 1.25, frontElbow: 2.4, backShoulder: 0.65, backElbow: 1.8, // forearms crossed
  frontHip: 0.5, frontKnee: 0.85, backHip: -0.38, backKnee: 0.6,
};
const HIT = {
  lean: -0.5, head: -0.45,
  frontShoulder: -0.25, frontElbow: 1.0, backShoulder: 0.7, backElbow: 0.5,
  frontHip: 0.55, frontKnee: 0.35, backHip: -0.12, backKnee: 0.35,
};
const DOWN = {
  lean: -1.57, head: -0.1,
  frontShoulder: 0.5, frontElbow: 0.4, backShoulder: -0.2, backElbow: 0.6,
  frontHip: 1.5, frontKnee: 0.25, backHip: 1.3, backKnee: 0.7,
};
const VICTORY = {
  lean: 0, head: -0.2,
  frontShoulder: 2.95, frontElbow: 0.25, backShoulder: 0.3, backElbow: 2.0,
  frontHip: 0.25, frontKnee: 0.12, backHip: -0.22, backKnee: 0.12,
};
const FALL_TICKS = 36;

/** The pose of fighter `index` now, from its state and the time spent in it. */
export function poseOf(match, index) {
  const fighter = match.fighters[index];
  const t = fighter.stateTicks;
  switch (fighter.state) {
    case 'walk':
      return walkCycle(t);
    case 'punch':
      return attackPose(fighter, PUNCH_CHAMBER, PUNCH_OUT);
    case 'kick':
      return attackPose(fighter, KICK_CHAMBER, KICK_OUT);
    case 'roundhouse':
      return { ...attackPose(fighter, ROUNDHOUSE_CHAMBER, ROUNDHOUSE_OUT), spin: roundhouseSpin(fighter) };
    case 'block':
      return blend(GUARD, BLOCK, Math.min(1, (t + 1) / 4));
    case 'hit':
      return blend(GUARD, HIT, Math.min(1, (t + 1) / 3, (fighter.stun + 1) / 6));
    case 'fall':
      return blend(HIT, DOWN, fallProgress(fighter));
    default: {
      const roundOver = match.phase === 'roundEnd' || match.phase === 'over';
      const celebrating = roundOver && match.roundWinner === index;
      const raised = match.phase === 'over' ? 1 : Math.min(1, match.phaseTicks / 20);
      if (celebrating) return blend(GUARD, VICTORY, raised);
      const breath = Math.sin(t * 0.08);
      return { ...GUARD, lean: GUARD.lean + 0.03 * breath, frontElbow: GUARD.frontElbow + 0.06 * breath };
    }
  }
}

function attackPose(fighter, chamber, extended) {
  const move = fighter.attack;
  const t = fighter.stateTicks;
  const windup = move.startup * 0.6;
  if (t < windup) return blend(GUARD, chamber, t / windup);
  if (t < move.startup) return blend(chamber, extended, (t - windup) / (move.startup - windup));
  if (t < move.startup + move.active) return extended;
  return blend(extended, GUARD, (t - move.startup - move.active) / move.recovery);
}

// One full turn over the startup, slow at first (the pivot), fastest as the leg comes round.
function roundhouseSpin(fighter) {
  const progress = Math.min(1, fighter.stateTicks / fighter.attack.startup);
  return 2 * Math.PI * progress * progress;
}

function walkCycle(t) {
  const phase = t * 0.2;
  const swing = Math.sin(phase) * 0.35;
  const lift = Math.cos(phase);
  return {
    ...GUARD,
    lean: GUARD.lean + 0.03 * Math.sin(phase * 2),
    frontHip: GUARD.frontHip + swing,
    backHip: GUARD.backHip - swing,
    frontKnee: GUARD.frontKnee + 0.35 * Math.max(0, lift),
    backKnee: GUARD.backKnee + 0.35 * Math.max(0, -lift),
  };
}

function blend(a, b, t) {
  const out = {};
  for (const key of Object.keys(a)) out[key] = a[key] + (b[key] - a[key]) * t;
  return out;
}

// Joint positions for a pose, with the lowest point of the body resting on the floor.
function skeleton(x, facing, pose) {
  // Limbs are measured from hanging straight down; the torso from standing straight up.
  const down = (angle, length) => ({ x: Math.sin(angle) * length * facing, y: Math.cos(angle) * length });
  const up = (angle, length) => ({ x: Math.sin(angle) * length * facing, y: -Math.cos(angle) * length });
  const add = (p, d) => ({ x: p.x + d.x, y: p.y + d.y });
  const hip = { x: 0, y: 0 };
  const neck = add(hip, up(pose.lean, TORSO));
  const shoulder = add(hip, up(pose.lean, TORSO * 0.9));
  const head = add(neck, up(pose.lean + pose.head, NECK + HEAD_RADIUS));
  const arm = (origin, shoulderAngle, elbowAngle) => {
    const upper = pose.lean + shoulderAngle;
    const elbow = add(origin, down(upper, UPPER_ARM));
    return [origin, elbow, add(elbow, down(upper + elbowAngle, FOREARM))];
  };
  const leg = (origin, hipAngle, kneeAngle) => {
    const knee = add(origin, down(hipAngle, THIGH));
    const shin = hipAngle - kneeAngle;
    const ankle = add(knee, down(shin, SHIN));
    return [origin, knee, ankle, add(ankle, down(shin + Math.PI / 2, FOOT))];
  };
  const behind = (p) => add(p, { x: -5 * facing, y: 0 });
  const body = {
    hip,
    neck,
    head,
    frontArm: arm(shoulder, pose.frontShoulder, pose.frontElbow),
    backArm: arm(behind(shoulder), pose.backShoulder, pose.backElbow),
    frontLeg: leg(hip, pose.frontHip, pose.frontKnee),
    backLeg: leg(behind(hip), pose.backHip, pose.backKnee),
  };
  const points = [...body.frontArm, ...body.backArm, ...body.frontLeg, ...body.backLeg, neck];
  const lowest = Math.max(head.y + HEAD_RADIUS, ...points.map((p) => p.y + 6)); // + half a limb width
  const shift = (p) => ({ x: p.x + x, y: p.y + FLOOR_Y - lowest });
  return {
    hip: shift(hip),
    neck: shift(neck),
    head: shift(head),
    frontArm: body.frontArm.map(shift),
    backArm: body.backArm.map(shift),
    frontLeg: body.frontLeg.map(shift),
    backLeg: body.backLeg.map(shift),
  };
}

export function drawFighter(ctx, fighter, pose, colors) {
  const x = drawnX(fighter);
  const body = skeleton(x, fighter.facing, pose);
  ctx.save();
  scaleAroundFeet(ctx, x);
  if (pose.spin) turnAround(ctx, x, pose.spin);
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  drawLimb(ctx, body.backLeg, [17, 14, 9], [colors.shade, colors.wrapShade, colors.wrapShade]);
  drawLimb(ctx, body.backArm, [12, 11], [colors.shade, colors.wrapShade]);
  drawFist(ctx, body.backArm[2], colors.shade);
  drawSash(ctx, body, fighter, colors);
  if (fighter.state === 'roundhouse') drawSweep(ctx, body, fighter);
  drawLimb(ctx, body.frontLeg, [18, 15, 10], [colors.suit, colors.wrap, colors.wrap]);
  drawTorso(ctx, body, fighter.facing, colors);
  drawHead(ctx, body, fighter.facing, pose, colors);
  drawLimb(ctx, body.frontArm, [13, 11], [colors.suit, colors.wrap]);
  drawFist(ctx, body.frontArm[2], colors.suit);
  ctx.restore();
}

// A fighter lying at a wall would stick out of the picture: slide the body in as it falls.
function drawnX(fighter) {
  if (fighter.state !== 'fall') return fighter.x;
  const margin = 150;
  const inside = Math.min(WIDTH - margin, Math.max(margin, fighter.x));
  return fighter.x + (inside - fighter.x) * fallProgress(fighter);
}

function fallProgress(fighter) {
  return Math.min(1, fighter.stateTicks / FALL_TICKS) ** 2;
}

function scaleAroundFeet(ctx, x) {
  ctx.translate(x, FLOOR_Y);
  ctx.scale(FIGURE_SCALE, FIGURE_SCALE);
  ctx.translate(-x, -FLOOR_Y);
}

// Seen turning about its vertical axis: squashed by cos(spin), mirrored while its back is turned;
// never thinner than a fifth, so the figure does not vanish edge-on.
function turnAround(ctx, x, spin) {
  const squash = Math.cos(spin);
  ctx.translate(x, 0);
  ctx.scale(Math.sign(squash || 1) * Math.max(0.2, Math.abs(squash)), 1);
  ctx.translate(-x, 0);
}

// The roundhouse's trail: an arc behind the foot, from the last stretch of the sweep until the leg
// starts to come back.
function drawSweep(ctx, body, fighter) {
  const move = fighter.attack;
  const t = fighter.stateTicks;
  const from = move.startup * 0.6;
  const until = move.startup + move.active + 4;
  if (t < from || t >= until) return;
  const ankle = body.frontLeg[2];
  const [dx, dy] = [ankle.x - body.hip.x, ankle.y - body.hip.y];
  const angle = Math.atan2(dy, dx);
  const fadeOut = Math.max(0, t - move.startup - move.active) / 4;
  const fade = t < move.startup ? (t - from) / (move.startup - from) : 1 - fadeOut;
  ctx.save();
  ctx.globalAlpha = 0.55 * fade;
  ctx.strokeStyle = '#fff2c8';
  ctx.lineWidth = 16;
  ctx.beginPath();
  // The leg swept up from below: the trail trails it on the side it came from.
  const radius = Math.hypot(dx, dy);
  ctx.arc(body.hip.x, body.hip.y, radius, angle + fighter.facing * SWEEP_ARC, angle, fighter.facing > 0);
  ctx.stroke();
  ctx.restore();
}

function drawLimb(ctx, points, widths, colors) {
  ctx.strokeStyle = OUTLINE;
  widths.forEach((width, i) => segment(ctx, points[i], points[i + 1], width + 5));
  widths.forEach((width, i) => {
    ctx.strokeStyle = colors[i];
    segment(ctx, points[i], points[i + 1], width);
  });
}

function drawFist(ctx, p, color) {
  ctx.fillStyle = color;
  ctx.strokeStyle = OUTLINE;
  ctx.lineWidth = 2.5;
  ctx.beginPath();
  ctx.arc(p.x, p.y, 7.5, 0, Math.PI * 2);
  ctx.fill();
  ctx.stroke();
}

function drawTorso(ctx, body, facing, colors) {
  const { hip, neck } = body;
  const along = { x: neck.x - hip.x, y: neck.y - hip.y };
  const length = Math.hypot(along.x, along.y);
  const side = { x: -along.y / length, y: along.x / length }; // perpendicular to the spine
  const at = (t, half) => [
    { x: hip.x + along.x * t + side.x * half, y: hip.y + along.y * t + side.y * half },
    { x: hip.x + along.x * t - side.x * half, y: hip.y + along.y * t - side.y * half },
  ];
  const [waistA, waistB] = at(0, 14);
  const [chestA, chestB] = at(0.8, 21);
  const [topA, topB] = at(1, 15);
  ctx.beginPath();
  ctx.moveTo(waistA.x, waistA.y);
  ctx.lineTo(chestA.x, chestA.y);
  ctx.quadraticCurveTo(topA.x, topA.y, neck.x, neck.y);
  ctx.quadraticCurveTo(topB.x, topB.y, chestB.x, chestB.y);
  ctx.lineTo(waistB.x, waistB.y);
  ctx.closePath();
  ctx.fillStyle = colors.suit;
  ctx.fill();
  ctx.strokeStyle = OUTLINE;
  ctx.lineWidth = 3;
  ctx.stroke();
  // The dark cross-over of the tunic and the belt make the torso read as a ninja's.
  const [collar] = at(0.95, -8 * facing);
  const [beltMid] = at(0.12, 0);
  ctx.strokeStyle = colors.wrap;
  segment(ctx, collar, beltMid, 5);
  const [beltA, beltB] = at(0.12, 16);
  ctx.strokeStyle = colors.sash;
  segment(ctx, beltA, beltB, 8);
}

function drawSash(ctx, body, fighter, colors) {
  // Two belt tails hang behind the hip and flutter a little.
  const sway = Math.sin(fighter.stateTicks * 0.15) * 4;
  const root = { x: body.hip.x - fighter.facing * 12, y: body.hip.y - 6 };
  ctx.strokeStyle = colors.sash;
  for (const [dx, dy] of [[-14, 26], [-22, 20]]) {
    segment(ctx, root, { x: root.x + dx * fighter.facing + sway, y: root.y + dy }, 5);
  }
}

function drawHead(ctx, body, facing, pose, colors) {
  const { head } = body;
  const angle = pose.lean + pose.head;
  // Mask knot tails behind the head.
  ctx.strokeStyle = colors.shade;
  const knot = { x: head.x - facing * 14, y: head.y - 2 };
  segment(ctx, knot, { x: knot.x - facing * 14, y: knot.y + 8 }, 5);
  segment(ctx, knot, { x: knot.x - facing * 12, y: knot.y + 16 }, 4);
  ctx.fillStyle = colors.suit;
  ctx.strokeStyle = OUTLINE;
  ctx.lineWidth = 3;
  ctx.beginPath();
  ctx.arc(head.x, head.y, HEAD_RADIUS, 0, Math.PI * 2);
  ctx.fill();
  ctx.stroke();
  // The eye slit: a band of skin across the front half of the face, with one visible eye.
  ctx.save();
  ctx.translate(head.x, head.y);
  ctx.scale(facing, 1);
  ctx.rotate(angle);
  ctx.fillStyle = SKIN;
  ctx.fillRect(1, -6, HEAD_RADIUS - 1, 8);
  ctx.fillStyle = '#fff';
  ctx.fillRect(8, -4, 6, 4);
  ctx.fillStyle = OUTLINE;
  ctx.fillRect(11, -4, 3, 4);
  ctx.restore();
}

export function drawShadow(ctx, fighter) {
  const lying = fighter.state === 'fall';
  const scale = FIGURE_SCALE;
  ctx.fillStyle = 'rgba(0, 0, 0, 0.38)';
  ctx.beginPath();
  const x = drawnX(fighter) - (lying ? fighter.facing * 40 * scale : 0);
  ctx.ellipse(x, FLOOR_Y + 3, (lying ? 95 : 42) * scale, 9 * scale, 0, 0, Math.PI * 2);
  ctx.fill();
}

// Fighters lying down are drawn first; the attacker is drawn on top so the strike is visible.
export function drawOrder(fighter) {
  if (fighter.state === 'fall') return 0;
  return fighter.attack ? 2 : 1;
}
