/**
 * Drawing basics shared by the stage, the fighters and the HUD: the canvas size, the floor line,
 * the outline colour, stroked segments and outlined text.
 */

import { ARENA } from './match.js';

export const WIDTH = ARENA.width;
export const HEIGHT = 540;
export const FLOOR_Y = 470; // canvas y of the fighters' feet
export const OUTLINE = '#0b0709';

export function segment(ctx, a, b, width) {
  ctx.lineWidth = width;
  ctx.beginPath();
  ctx.moveTo(a.x, a.y);
  ctx.lineTo(b.x, b.y);
  ctx.stroke();
}

export function outlinedText(ctx, text, x, y, color, outline) {
  ctx.lineJoin = 'round';
  ctx.lineWidth = outline;
  ctx.strokeStyle = OUTLINE;
  ctx.strokeText(text, x, y);
  ctx.fillStyle = color;
  ctx.fillText(text, x, y);
}
