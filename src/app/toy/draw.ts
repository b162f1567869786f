/**
 * Canvas drawing of one landscape pane (no React): energy heatmap, the E = τ contour, ID points, training
 * outliers with arrows to their perturbed copies, optional held-out OOD points. Pure functions of their inputs.
 */
import { contours } from 'd3-contour';
import { interpolateViridis, schemeTableau10 } from 'd3-scale-chromatic';
import type { ToyEvaluation } from '../../train/toy/evaluate';
import type { ToyParams } from '../../train/toy/params';
import type { ToyDataView } from '../../worker/toyApi';

/** Shared colour scale of both panes: energies in [lo, hi] map onto viridis, LOW energy (ID-like) = bright. */
export interface EnergyScale {
  lo: number;
  hi: number;
}

/** Colour of an energy value (viridis reversed: low E yellow, high E dark purple). */
export function energyColor(e: number, s: EnergyScale): string {
  const t = Math.min(1, Math.max(0, (e - s.lo) / (s.hi - s.lo || 1)));
  return interpolateViridis(1 - t);
}

/** Class colours (Tableau 10, readable on viridis thanks to a white outline). */
export const CLASS_COLORS = schemeTableau10;

/** A common scale for the panes: 2nd–98th percentile of their grid energies pooled, widened to include τ. */
export function commonScale(evals: (ToyEvaluation | null | undefined)[]): EnergyScale {
  const vals: number[] = [];
  const taus: number[] = [];
  for (const ev of evals) {
    if (!ev) continue;
    for (let i = 0; i < ev.gridEnergy.length; i += 7) vals.push(ev.gridEnergy[i]);
    taus.push(ev.tau);
  }
  if (vals.length === 0) return { lo: -5, hi: 0 };
  vals.sort((a, b) => a - b);
  let lo = Math.min(vals[Math.floor(0.02 * (vals.length - 1))], ...taus);
  let hi = Math.max(vals[Math.ceil(0.98 * (vals.length - 1))], ...taus);
  if (hi - lo < 1e-3) {
    lo -= 0.5;
    hi += 0.5;
  }
  return { lo, hi };
}

/** Value under the cursor: energy, predicted class and p(y|x) at a view coordinate (nearest grid cell). */
export function probe(ev: ToyEvaluation, x: number, y: number) {
  const g = ev.gridSize;
  const c = Math.min(g - 1, Math.max(0, Math.floor(((x + ev.viewHalf) / (2 * ev.viewHalf)) * g)));
  const r = Math.min(g - 1, Math.max(0, Math.floor(((ev.viewHalf - y) / (2 * ev.viewHalf)) * g)));
  const i = r * g + c;
  const probs = Array.from(ev.gridProbs.subarray(i * ev.numClasses, (i + 1) * ev.numClasses));
  const predicted = probs.indexOf(Math.max(...probs));
  return { energy: ev.gridEnergy[i], predicted, probs, accepted: ev.gridEnergy[i] < ev.tau };
}

export interface DrawOptions {
  /** CSS pixel size of the square canvas. */
  size: number;
  dpr: number;
  scale: EnergyScale;
  params: Pick<ToyParams, 'showOutliers' | 'showArrows' | 'showTest'>;
}

/** Draw a pane. The canvas's backing store is resized to size·dpr for crisp lines on high-DPI screens. */
export function drawLandscape(
  canvas: HTMLCanvasElement,
  ev: ToyEvaluation,
  data: ToyDataView | null,
  opts: DrawOptions,
): void {
  const px = Math.round(opts.size * opts.dpr);
  if (canvas.width !== px || canvas.height !== px) {
    canvas.width = px;
    canvas.height = px;
  }
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  const g = ev.gridSize;
  // Heatmap: one pixel per grid cell on an offscreen canvas, scaled up with smoothing.
  const off = new OffscreenCanvas(g, g);
  const octx = off.getContext('2d')!;
  const img = octx.createImageData(g, g);
  const lut = buildLut(opts.scale);
  for (let i = 0; i < g * g; i++) {
    const t = Math.min(
      255,
      Math.max(
        0,
        Math.round(((ev.gridEnergy[i] - opts.scale.lo) / (opts.scale.hi - opts.scale.lo || 1)) * 255),
      ),
    );
    img.data[4 * i] = lut[3 * t];
    img.data[4 * i + 1] = lut[3 * t + 1];
    img.data[4 * i + 2] = lut[3 * t + 2];
    img.data[4 * i + 3] = 255;
  }
  octx.putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(off, 0, 0, px, px);

  const k = px / (2 * ev.viewHalf);
  const toPx = (x: number, y: number): [number, number] => [(x + ev.viewHalf) * k, (ev.viewHalf - y) * k];
  const cell = px / g;

  // Decision boundary E = τ (d3-contour on the grid, cell centres at (i + 0.5)).
  const boundary = contours().size([g, g]).thresholds([ev.tau])(Array.from(ev.gridEnergy, (v) => v));
  ctx.lineJoin = 'round';
  for (const [width, color] of [
    [4.5, 'rgba(0,0,0,0.75)'],
    [2.2, '#ffffff'],
  ] as const) {
    ctx.lineWidth = width * opts.dpr;
    ctx.strokeStyle = color;
    ctx.beginPath();
    for (const poly of boundary[0]?.coordinates ?? []) {
      for (const ring of poly) {
        ring.forEach(([cx, cy], j) => {
          // d3-contour's unit square [j, j+1] is grid cell j (the usual geoIdentity().scale(px / g) mapping).
          const X = cx * cell;
          const Y = cy * cell;
          if (j === 0) ctx.moveTo(X, Y);
          else ctx.lineTo(X, Y);
        });
      }
    }
    ctx.stroke();
  }
  if (!data) return;
  const r = 3.2 * opts.dpr;

  if (opts.params.showTest) {
    for (const [arr, color] of [
      [data.testNear, '#ff7f0e'],
      [data.testFar, '#d62728'],
    ] as const) {
      ctx.fillStyle = color;
      for (let i = 0; i < arr.length; i += 2) {
        const [X, Y] = toPx(arr[i], arr[i + 1]);
        ctx.fillRect(X - r * 0.5, Y - r * 0.5, r, r);
      }
    }
  }

  if (opts.params.showOutliers) {
    const o = data.outliers;
    const p = ev.perturbed;
    const moved = p.length === o.length;
    ctx.lineWidth = 1 * opts.dpr;
    for (let i = 0; i < o.length; i += 2) {
      const [X, Y] = toPx(o[i], o[i + 1]);
      ctx.strokeStyle = 'rgba(255,255,255,0.85)';
      ctx.beginPath();
      ctx.moveTo(X - r * 0.7, Y - r * 0.7);
      ctx.lineTo(X + r * 0.7, Y + r * 0.7);
      ctx.moveTo(X + r * 0.7, Y - r * 0.7);
      ctx.lineTo(X - r * 0.7, Y + r * 0.7);
      ctx.stroke();
      if (moved && opts.params.showArrows && (o[i] !== p[i] || o[i + 1] !== p[i + 1])) {
        const [X2, Y2] = toPx(p[i], p[i + 1]);
        arrow(ctx, X, Y, X2, Y2, 4 * opts.dpr);
        ctx.fillStyle = '#ff4d6d';
        ctx.beginPath();
        ctx.arc(X2, Y2, r * 0.6, 0, 2 * Math.PI);
        ctx.fill();
      }
    }
  }

  const t = data.train;
  ctx.lineWidth = 1.2 * opts.dpr;
  ctx.strokeStyle = '#ffffff';
  for (let i = 0; i < t.y.length; i++) {
    const [X, Y] = toPx(t.x[2 * i], t.x[2 * i + 1]);
    ctx.fillStyle = CLASS_COLORS[t.y[i] % CLASS_COLORS.length];
    ctx.beginPath();
    ctx.arc(X, Y, r, 0, 2 * Math.PI);
    ctx.fill();
    ctx.stroke();
  }
}

function arrow(ctx: CanvasRenderingContext2D, x1: number, y1: number, x2: number, y2: number, head: number) {
  const a = Math.atan2(y2 - y1, x2 - x1);
  ctx.strokeStyle = 'rgba(255,77,109,0.9)';
  ctx.beginPath();
  ctx.moveTo(x1, y1);
  ctx.lineTo(x2, y2);
  ctx.moveTo(x2, y2);
  ctx.lineTo(x2 - head * Math.cos(a - 0.45), y2 - head * Math.sin(a - 0.45));
  ctx.moveTo(x2, y2);
  ctx.lineTo(x2 - head * Math.cos(a + 0.45), y2 - head * Math.sin(a + 0.45));
  ctx.stroke();
}

/** 256-entry RGB lookup of the colour map for the scale (index 0 = lo). */
function buildLut(s: EnergyScale): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  for (let i = 0; i < 256; i++) {
    const c = energyColor(s.lo + ((s.hi - s.lo) * i) / 255, s);
    const m = /rgb\((\d+), (\d+), (\d+)\)/.exec(c) ?? /#(..)(..)(..)/.exec(c);
    if (!m) continue;
    const base = c.startsWith('#') ? 16 : 10;
    lut[3 * i] = parseInt(m[1], base);
    lut[3 * i + 1] = parseInt(m[2], base);
    lut[3 * i + 2] = parseInt(m[3], base);
  }
  return lut;
}
