/**
 * Draws the match on a 2D canvas: the stage, the two fighters, hit sparks, life bars, round
 * info and banners. It only reads the match; the page feeds it each tick's events (for sparks
 * and shakes) and calls draw() once per frame.
 */

import { MAX_LIFE } from './fighter.js';
import { drawFighter, drawOrder, drawShadow, PALETTES, poseOf } from './figure.js';
import { INTRO_TICKS } from './match.js';
import { FLOOR_Y, HEIGHT, OUTLINE, outlinedText, WIDTH } from './paint.js';
import { drawTorches, paintStage } from './stage.js';

const BANNER_FONT = "bold 76px Impact, 'Arial Black', 'DejaVu Sans', sans-serif";
const HUD_FONT = "bold 18px 'Arial Black', 'DejaVu Sans', sans-serif";
const SPARK_TICKS = 14;

export class Renderer {
  constructor(canvas, { names }) {
    canvas.width = WIDTH;
    canvas.height = HEIGHT;
    this.ctx = canvas.getContext('2d');
    this.names = names;
    this.stage = paintStage(canvas.ownerDocument);
    this.sparks = [];
    this.shakeUntil = 0;
    this.shownLife = [MAX_LIFE, MAX_LIFE]; // trails the real life to show the damage just taken
  }

  /** React to one tick's events from Match.step. */
  handle(events, match) {
    for (const event of events) {
      if (event.type === 'hit' || event.type === 'block') {
        this.sparks.push({
          x: event.x,
          y: FLOOR_Y - event.height,
          born: match.tick,
          blocked: event.type === 'block',
          heavy: event.move !== 'punch',
        });
        if (event.type === 'hit' && event.move !== 'punch') {
          this.shakeUntil = match.tick + (event.move === 'roundhouse' ? 14 : 8);
        }
      }
      if (event.type === 'ko') this.shakeUntil = match.tick + 14;
      if (event.type === 'roundStart') {
        // A new match restarts the tick count: forget effects timed on the old one.
        this.shownLife = [MAX_LIFE, MAX_LIFE];
        this.sparks = [];
        this.shakeUntil = 0;
      }
    }
    this.sparks = this.sparks.filter((spark) => match.tick - spark.born < SPARK_TICKS);
  }

  draw(match) {
    const ctx = this.ctx;
    ctx.drawImage(this.stage, 0, 0);
    drawTorches(ctx, match.tick);
    ctx.save();
    // Heavy blows shake the fighters (not the stage, whose edges would show).
    if (match.tick < this.shakeUntil) {
      ctx.translate(Math.sin(match.tick * 2.7) * 5, Math.cos(match.tick * 3.1) * 3);
    }
    const order = [0, 1].sort((a, b) => drawOrder(match.fighters[a]) - drawOrder(match.fighters[b]));
    for (const i of order) drawShadow(ctx, match.fighters[i]);
    for (const i of order) drawFighter(ctx, match.fighters[i], poseOf(match, i), PALETTES[i]);
    for (const spark of this.sparks) drawSpark(ctx, spark, match.tick);
    ctx.restore();
    this.drawHud(match);
    drawBanner(ctx, match, this.names);
  }

  drawHud(match) {
    const ctx = this.ctx;
    match.fighters.forEach((fighter, i) => {
      this.shownLife[i] = Math.max(fighter.life, this.shownLife[i] - 0.4);
      const x = i === 0 ? 36 : WIDTH - 36 - 360;
      drawLifeBar(ctx, x, 20, 360, fighter.life, this.shownLife[i], i === 1);
      const label = `${this.names[i]} ${i === 0 ? '(YOU)' : '(CPU)'}`;
      ctx.font = HUD_FONT;
      ctx.textBaseline = 'top';
      ctx.textAlign = i === 0 ? 'left' : 'right';
      outlinedText(ctx, label, i === 0 ? x : x + 360, 52, PALETTES[i].suit, 4);
      const width = ctx.measureText(label).width;
      for (let w = 0; w < match.roundsToWin; w++) {
        const cx = i === 0 ? x + width + 20 + w * 22 : x + 360 - width - 20 - w * 22;
        drawWinMark(ctx, cx, 63, w < match.wins[i]);
      }
    });
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillStyle = 'rgba(10, 6, 8, 0.75)';
    ctx.fillRect(WIDTH / 2 - 40, 14, 80, 50);
    ctx.font = "bold 38px Impact, 'Arial Black', 'DejaVu Sans', sans-serif";
    outlinedText(ctx, String(match.secondsLeft), WIDTH / 2, 40, '#f6e7b0', 4);
    ctx.font = "bold 14px 'Arial Black', 'DejaVu Sans', sans-serif";
    outlinedText(ctx, `ROUND ${match.round}`, WIDTH / 2, 78, '#f6e7b0', 3);
  }
}

// ---------------------------------------------------------------- effects and HUD

function drawSpark(ctx, spark, tick) {
  const age = (tick - spark.born) / SPARK_TICKS;
  const size = (spark.heavy ? 40 : 28) * (0.7 + age * 0.6);
  const [outer, inner] = spark.blocked ? ['#3d8cff', '#eaf6ff'] : ['#ff5a0a', '#fff7c2'];
  ctx.save();
  ctx.globalAlpha = Math.min(1, 2 - 2 * age); // solid for the first half, then fades
  ctx.translate(spark.x, spark.y);
  ctx.rotate(spark.born * 0.7);
  starPath(ctx, size, 0.38);
  ctx.fillStyle = outer;
  ctx.fill();
  starPath(ctx, size * 0.55, 0.45);
  ctx.fillStyle = inner;
  ctx.fill();
  ctx.restore();
}

function starPath(ctx, radius, innerRatio) {
  ctx.beginPath();
  for (let i = 0; i < 16; i++) {
    const r = i % 2 === 0 ? radius : radius * innerRatio;
    const angle = (i / 16) * Math.PI * 2;
    ctx.lineTo(Math.cos(angle) * r, Math.sin(angle) * r);
  }
  ctx.closePath();
}

function drawLifeBar(ctx, x, y, width, life, shownLife, fromRight) {
  const height = 24;
  const fill = (value, color) => {
    const w = (width * value) / MAX_LIFE;
    ctx.fillStyle = color;
    ctx.fillRect(fromRight ? x + width - w : x, y, w, height);
  };
  fill(MAX_LIFE, '#6d0d0d');
  fill(shownLife, '#f0c238');
  fill(life, '#2fbf3f');
  ctx.fillStyle = 'rgba(255, 255, 255, 0.25)';
  ctx.fillRect(x, y + 3, width, 5);
  ctx.strokeStyle = '#f6e7b0';
  ctx.lineWidth = 2;
  ctx.strokeRect(x, y, width, height);
  ctx.strokeStyle = OUTLINE;
  ctx.strokeRect(x - 2, y - 2, width + 4, height + 4);
}

function drawWinMark(ctx, x, y, won) {
  ctx.beginPath();
  ctx.arc(x, y, 8, 0, Math.PI * 2);
  ctx.fillStyle = won ? '#f0c238' : 'rgba(0, 0, 0, 0.5)';
  ctx.fill();
  ctx.strokeStyle = '#f6e7b0';
  ctx.lineWidth = 2;
  ctx.stroke();
}

function drawBanner(ctx, match, names) {
  const lines = bannerLines(match, names);
  if (lines.length === 0) return;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.font = BANNER_FONT;
  outlinedText(ctx, lines[0], WIDTH / 2, 200, '#ffd23a', 8);
  if (lines[1]) {
    ctx.font = "bold 22px 'Arial Black', 'DejaVu Sans', sans-serif";
    outlinedText(ctx, lines[1], WIDTH / 2, 262, '#f6e7b0', 5);
  }
}

function bannerLines(match, names) {
  const t = match.phaseTicks;
  switch (match.phase) {
    case 'intro':
      return t < INTRO_TICKS * 0.6 ? [`ROUND ${match.round}`] : ['FIGHT!'];
    case 'fight':
      return t < 30 ? ['FIGHT!'] : [];
    case 'roundEnd': {
      const headline = match.roundEndReason === 'ko' ? 'K.O.' : 'TIME';
      const verdict = match.roundWinner === null ? 'DRAW' : `${names[match.roundWinner]} WINS THE ROUND`;
      return t < 70 ? [headline] : [headline, verdict];
    }
    case 'over': {
      const headline = match.winner === 0 ? 'YOU WIN' : match.winner === 1 ? 'YOU LOSE' : 'DRAW';
      return [headline, 'Press Enter to fight again'];
    }
    default:
      return [];
  }
}
