/**
 * The arena's backdrop: a temple at dusk (sky, mountains, red pillars, banners, an emblem) over a
 * stone floor in perspective. The still part is painted once off screen; only the torch flames
 * are drawn every frame.
 */

import { HEIGHT, segment, WIDTH } from './paint.js';

const HORIZON_Y = 360; // where the stage floor meets the temple wall
const PILLARS = [96, 262, 698, 864];
const TORCHES = [262, 698];

/** Paint the still part of the stage once, off screen; each frame copies it. */
export function paintStage(document) {
  const canvas = document.createElement('canvas');
  canvas.width = WIDTH;
  canvas.height = HEIGHT;
  const ctx = canvas.getContext('2d');
  paintSky(ctx);
  paintMountains(ctx);
  paintTemple(ctx);
  paintFloor(ctx);
  const [cx, cy] = [WIDTH / 2, HEIGHT / 2];
  const vignette = ctx.createRadialGradient(cx, cy, HEIGHT * 0.35, cx, cy, WIDTH * 0.7);
  vignette.addColorStop(0, 'rgba(0, 0, 0, 0)');
  vignette.addColorStop(1, 'rgba(0, 0, 0, 0.55)');
  ctx.fillStyle = vignette;
  ctx.fillRect(0, 0, WIDTH, HEIGHT);
  return canvas;
}

function paintSky(ctx) {
  const sky = ctx.createLinearGradient(0, 0, 0, HORIZON_Y);
  sky.addColorStop(0, '#140a26');
  sky.addColorStop(0.45, '#43193f');
  sky.addColorStop(0.85, '#b24a2c');
  sky.addColorStop(1, '#e98d3a');
  ctx.fillStyle = sky;
  ctx.fillRect(0, 0, WIDTH, HORIZON_Y);
  ctx.fillStyle = 'rgba(250, 224, 170, 0.9)';
  ctx.beginPath();
  ctx.arc(480, 178, 58, 0, Math.PI * 2);
  ctx.fill();
  ctx.fillStyle = 'rgba(250, 224, 170, 0.12)';
  ctx.beginPath();
  ctx.arc(480, 178, 84, 0, Math.PI * 2);
  ctx.fill();
}

function paintMountains(ctx) {
  const layers = [
    { base: 290, height: 90, color: '#3a1836', seed: 1.3 },
    { base: 320, height: 60, color: '#24102a', seed: 4.1 },
  ];
  for (const { base, height, color, seed } of layers) {
    ctx.fillStyle = color;
    ctx.beginPath();
    ctx.moveTo(0, HORIZON_Y);
    for (let x = 0; x <= WIDTH; x += 8) {
      const broad = Math.abs(Math.sin(x * 0.007 + seed));
      const fine = Math.abs(Math.sin(x * 0.019 + seed * 2));
      const ridge = 0.6 * broad + 0.4 * fine;
      ctx.lineTo(x, base - ridge * height);
    }
    ctx.lineTo(WIDTH, HORIZON_Y);
    ctx.fill();
  }
}

function paintTemple(ctx) {
  // Back wall of stone blocks.
  ctx.fillStyle = '#3b2a27';
  ctx.fillRect(0, 300, WIDTH, HORIZON_Y - 300);
  ctx.strokeStyle = '#231816';
  ctx.lineWidth = 2;
  for (let row = 0; row < 3; row++) {
    const y = 300 + row * 20;
    segment(ctx, { x: 0, y }, { x: WIDTH, y }, 2);
    for (let x = (row % 2) * 30; x < WIDTH; x += 60) segment(ctx, { x, y }, { x, y: y + 20 }, 2);
  }
  // Roof: a dark beam and a tiled roof with upturned eaves.
  ctx.fillStyle = '#1b2320';
  ctx.beginPath();
  ctx.moveTo(-10, 74);
  ctx.quadraticCurveTo(60, 92, 140, 46);
  ctx.lineTo(WIDTH - 140, 46);
  ctx.quadraticCurveTo(WIDTH - 60, 92, WIDTH + 10, 74);
  ctx.lineTo(WIDTH + 10, 104);
  ctx.lineTo(-10, 104);
  ctx.closePath();
  ctx.fill();
  ctx.strokeStyle = '#2e3b35';
  for (let x = 150; x < WIDTH - 150; x += 18) segment(ctx, { x, y: 50 }, { x, y: 96 }, 3);
  ctx.fillStyle = '#5a1712';
  ctx.fillRect(0, 100, WIDTH, 22);
  ctx.fillStyle = '#c9972e';
  ctx.fillRect(0, 118, WIDTH, 4);
  for (const x of PILLARS) paintPillar(ctx, x);
  paintBanner(ctx, 180);
  paintBanner(ctx, 780);
  paintEmblem(ctx, 480, 178);
}

function paintPillar(ctx, x) {
  const gradient = ctx.createLinearGradient(x - 18, 0, x + 18, 0);
  gradient.addColorStop(0, '#4c0f0c');
  gradient.addColorStop(0.4, '#a3261d');
  gradient.addColorStop(1, '#3d0b09');
  ctx.fillStyle = gradient;
  ctx.fillRect(x - 18, 122, 36, HORIZON_Y - 122);
  ctx.fillStyle = '#c9972e';
  ctx.fillRect(x - 22, 122, 44, 8);
  ctx.fillRect(x - 22, HORIZON_Y - 12, 44, 12);
}

function paintBanner(ctx, x) {
  ctx.fillStyle = '#7d1610';
  ctx.beginPath();
  ctx.moveTo(x - 24, 122);
  ctx.lineTo(x + 24, 122);
  ctx.lineTo(x + 24, 250);
  ctx.lineTo(x, 236);
  ctx.lineTo(x - 24, 250);
  ctx.closePath();
  ctx.fill();
  ctx.strokeStyle = '#c9972e';
  ctx.lineWidth = 2;
  ctx.stroke();
  paintEmblem(ctx, x, 172, 14);
}

// A ring with a diamond and a bar: the house symbol of this temple.
function paintEmblem(ctx, x, y, radius = 40) {
  ctx.strokeStyle = '#d9a73a';
  ctx.lineWidth = radius / 6;
  ctx.beginPath();
  ctx.arc(x, y, radius, 0, Math.PI * 2);
  ctx.stroke();
  ctx.beginPath();
  ctx.moveTo(x, y - radius * 0.7);
  ctx.lineTo(x + radius * 0.45, y);
  ctx.lineTo(x, y + radius * 0.7);
  ctx.lineTo(x - radius * 0.45, y);
  ctx.closePath();
  ctx.stroke();
  segment(ctx, { x: x - radius * 0.8, y }, { x: x + radius * 0.8, y }, radius / 8);
}

function paintFloor(ctx) {
  const floor = ctx.createLinearGradient(0, HORIZON_Y, 0, HEIGHT);
  floor.addColorStop(0, '#5b4a40');
  floor.addColorStop(1, '#2a1f1b');
  ctx.fillStyle = floor;
  ctx.fillRect(0, HORIZON_Y, WIDTH, HEIGHT - HORIZON_Y);
  ctx.strokeStyle = 'rgba(20, 12, 10, 0.55)';
  const vanishX = WIDTH / 2;
  const depth = HEIGHT - HORIZON_Y;
  for (let k = -8; k <= 8; k++) {
    const bottomX = vanishX + k * 110;
    segment(ctx, { x: vanishX + k * 42, y: HORIZON_Y }, { x: bottomX, y: HEIGHT }, 2);
  }
  for (let k = 1; k <= 6; k++) {
    const y = HORIZON_Y + depth * (k / 6) ** 1.6;
    segment(ctx, { x: 0, y }, { x: WIDTH, y }, 2);
  }
  ctx.fillStyle = '#8a7060';
  ctx.fillRect(0, HORIZON_Y, WIDTH, 4);
}

export function drawTorches(ctx, tick) {
  for (const x of TORCHES) {
    const y = 246;
    ctx.fillStyle = '#2a1a12';
    ctx.fillRect(x - 14, y, 28, 10);
    const flicker = Math.sin(tick * 0.5 + x) * 3 + Math.sin(tick * 1.3 + x * 2) * 2;
    const glow = ctx.createRadialGradient(x, y - 14, 2, x, y - 14, 60);
    glow.addColorStop(0, 'rgba(255, 190, 90, 0.45)');
    glow.addColorStop(1, 'rgba(255, 120, 40, 0)');
    ctx.fillStyle = glow;
    ctx.fillRect(x - 60, y - 74, 120, 120);
    for (const [color, scale] of [['#ff5a12', 1], ['#ffc23a', 0.6]]) {
      ctx.fillStyle = color;
      ctx.beginPath();
      ctx.moveTo(x - 12 * scale, y);
      const tip = { x: x + flicker * scale * 0.5, y: y - (34 + flicker) * scale };
      ctx.quadraticCurveTo(x - 10 * scale, y - 20 * scale, tip.x, tip.y);
      ctx.quadraticCurveTo(x + 10 * scale, y - 20 * scale, x + 12 * scale, y);
      ctx.closePath();
      ctx.fill();
    }
  }
}
