import { Random } from '../core/random';

/**
 * 2-D toy datasets for the energy-landscape panel. Points are float32 pairs (x0, y0, x1, y1, …) in "view units";
 * every generator keeps its points inside roughly [−4.5, 4.5]² so the default view [−6, 6]² leaves a margin of
 * empty plane around the data, where the outlier-exposure question ("what energy does the net give far away?")
 * is asked.
 */
export type ToyDatasetKind = 'blobs' | 'moons' | 'rings' | 'spiral';
export const TOY_DATASET_KINDS: readonly ToyDatasetKind[] = ['blobs', 'moons', 'rings', 'spiral'];

/** Labelled 2-D points. */
export interface ToyPoints {
  /** [N·2] interleaved coordinates. */
  x: Float32Array;
  /** [N] class indices in 0..numClasses−1. */
  y: Int32Array;
  numClasses: number;
}

export interface ToyDatasetOptions {
  kind: ToyDatasetKind;
  /** Number of classes K (moons always has 2). */
  numClasses: number;
  /** Total number of points (split evenly over classes; the remainder goes to the first classes). */
  size: number;
  /** Noise level: std of the isotropic Gaussian jitter, in view units. */
  noise: number;
}

/** Number of classes a dataset kind actually produces for a requested K. */
export function effectiveClasses(kind: ToyDatasetKind, requested: number): number {
  if (kind === 'moons') return 2;
  return Math.max(1, Math.min(8, Math.round(requested)));
}

/**
 * Draw a toy dataset.
 * - blobs: K isotropic Gaussians (std = noise) centred on a circle of radius 3.
 * - moons: two interleaved half circles (radius 2.5), jittered by noise.
 * - rings: K concentric circles of radii 1, …, 4.2, jittered by noise.
 * - spiral: K interleaved Archimedean arms out to radius 4.3, jittered by noise.
 */
export function generateToyDataset(opts: ToyDatasetOptions, rng: Random): ToyPoints {
  const k = effectiveClasses(opts.kind, opts.numClasses);
  const n = Math.max(k, Math.round(opts.size));
  const x = new Float32Array(n * 2);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    y[i] = c;
    let px = 0;
    let py = 0;
    if (opts.kind === 'blobs') {
      const a = (2 * Math.PI * c) / k + Math.PI / 2;
      px = k === 1 ? 0 : 3 * Math.cos(a);
      py = k === 1 ? 0 : 3 * Math.sin(a);
    } else if (opts.kind === 'moons') {
      const t = Math.PI * rng.uniform();
      if (c === 0) {
        px = 2.5 * Math.cos(t) - 1.25;
        py = 2.5 * Math.sin(t) - 0.6;
      } else {
        px = 1.25 - 2.5 * Math.cos(t);
        py = 0.6 - 2.5 * Math.sin(t);
      }
    } else if (opts.kind === 'rings') {
      const r = k === 1 ? 3 : 1 + (3.2 * c) / (k - 1);
      const t = 2 * Math.PI * rng.uniform();
      px = r * Math.cos(t);
      py = r * Math.sin(t);
    } else {
      const s = rng.uniform();
      const r = 0.3 + 4 * s;
      const t = 3 * Math.PI * s + (2 * Math.PI * c) / k;
      px = r * Math.cos(t);
      py = r * Math.sin(t);
    }
    x[2 * i] = px + opts.noise * rng.normal();
    x[2 * i + 1] = py + opts.noise * rng.normal();
  }
  return { x, y, numClasses: k };
}

/** Per-class mean and 2×2 covariance (rows of `cov`: [sxx, sxy, syy]) and weight, fitted by maximum likelihood. */
export interface GaussianComponent {
  weight: number;
  mean: [number, number];
  /** [σxx, σxy, σyy]. */
  cov: [number, number, number];
}

/**
 * Fit one Gaussian per class (a class-conditional Gaussian mixture, weights = class frequencies). A tiny ridge
 * (1e-3) keeps single-point classes sampleable.
 */
export function fitClassGaussians(points: ToyPoints): GaussianComponent[] {
  const out: GaussianComponent[] = [];
  const n = points.y.length;
  for (let c = 0; c < points.numClasses; c++) {
    let m = 0;
    let sx = 0;
    let sy = 0;
    for (let i = 0; i < n; i++) {
      if (points.y[i] !== c) continue;
      m++;
      sx += points.x[2 * i];
      sy += points.x[2 * i + 1];
    }
    if (m === 0) continue;
    const mx = sx / m;
    const my = sy / m;
    let xx = 0;
    let xy = 0;
    let yy = 0;
    for (let i = 0; i < n; i++) {
      if (points.y[i] !== c) continue;
      const dx = points.x[2 * i] - mx;
      const dy = points.x[2 * i + 1] - my;
      xx += dx * dx;
      xy += dx * dy;
      yy += dy * dy;
    }
    out.push({ weight: m / n, mean: [mx, my], cov: [xx / m + 1e-3, xy / m, yy / m + 1e-3] });
  }
  return out;
}

/** Scott's-rule bandwidth of a 2-D Gaussian KDE: h = n^(−1/6) · mean marginal std. */
export function kdeBandwidth(points: ToyPoints): number {
  const n = points.y.length;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += points.x[2 * i];
    sy += points.x[2 * i + 1];
  }
  const mx = sx / n;
  const my = sy / n;
  let vx = 0;
  let vy = 0;
  for (let i = 0; i < n; i++) {
    vx += (points.x[2 * i] - mx) ** 2;
    vy += (points.x[2 * i + 1] - my) ** 2;
  }
  const std = (Math.sqrt(vx / n) + Math.sqrt(vy / n)) / 2;
  return Math.max(1e-3, std * Math.pow(n, -1 / 6));
}

/** How training outliers can be generated. */
export const OUTLIER_SOURCES = ['gmm', 'kde', 'uniform'] as const;
export type OutlierSource = (typeof OUTLIER_SOURCES)[number];

/** How many training outliers to draw, from which generator, how far out (σ²) and within which view. */
export interface OutlierOptions {
  source: OutlierSource;
  count: number;
  /**
   * Variance inflation σ² (unitless, ≥ 0): the generative model of the ID data is sampled with its covariance
   * multiplied by σ² (gmm: Σ_k·σ²; kde: h²·σ²·I around a random ID point), reaching its low-density region as the
   * paper's GAN latent with inflated variance does. σ² = 1 samples the fitted model itself. Ignored by 'uniform'.
   */
  sigma2: number;
  /** Half-width of the square view [−v, v]²; 'uniform' fills it. */
  viewHalf: number;
}

/**
 * Sample training outliers (unlabelled) from a generative model of the ID points with inflated variance, or
 * uniformly over the view box.
 * @returns [count·2] coordinates.
 */
export function sampleOutliers(points: ToyPoints, opts: OutlierOptions, rng: Random): Float32Array {
  const out = new Float32Array(opts.count * 2);
  const s = Math.sqrt(Math.max(0, opts.sigma2));
  if (opts.source === 'uniform' || points.y.length === 0) {
    for (let i = 0; i < out.length; i++) out[i] = rng.uniformRange(-opts.viewHalf, opts.viewHalf);
    return out;
  }
  if (opts.source === 'kde') {
    const h = kdeBandwidth(points);
    const n = points.y.length;
    for (let i = 0; i < opts.count; i++) {
      const j = rng.int(n);
      out[2 * i] = points.x[2 * j] + h * s * rng.normal();
      out[2 * i + 1] = points.x[2 * j + 1] + h * s * rng.normal();
    }
    return out;
  }
  const comps = fitClassGaussians(points);
  const chol = comps.map((g) => {
    const l00 = Math.sqrt(g.cov[0]);
    const l10 = g.cov[1] / l00;
    const l11 = Math.sqrt(Math.max(1e-12, g.cov[2] - l10 * l10));
    return [l00, l10, l11];
  });
  for (let i = 0; i < opts.count; i++) {
    let u = rng.uniform();
    let c = 0;
    while (c < comps.length - 1 && u >= comps[c].weight) u -= comps[c++].weight;
    const z0 = rng.normal();
    const z1 = rng.normal();
    const [l00, l10, l11] = chol[c];
    out[2 * i] = comps[c].mean[0] + s * l00 * z0;
    out[2 * i + 1] = comps[c].mean[1] + s * (l10 * z0 + l11 * z1);
  }
  return out;
}

/** Euclidean distance from (px, py) to the nearest of `points`. */
export function nearestDistance(points: Float32Array, px: number, py: number): number {
  let best = Infinity;
  for (let i = 0; i < points.length; i += 2) {
    const d = (points[i] - px) ** 2 + (points[i + 1] - py) ** 2;
    if (d < best) best = d;
  }
  return Math.sqrt(best);
}

/**
 * Held-out OOD test points, generated independently of the training outliers: uniform proposals over the view,
 * kept as "near" when their distance to the nearest ID training point lies in [nearMin, nearMax] and as "far"
 * when it exceeds farMin (all in view units). Gives up after 200·count proposals, returning what it has.
 */
export function sampleTestOutliers(
  idPoints: Float32Array,
  opts: { near: number; far: number; viewHalf: number; nearMin: number; nearMax: number; farMin: number },
  rng: Random,
): { near: Float32Array; far: Float32Array } {
  const near: number[] = [];
  const far: number[] = [];
  const limit = 200 * (opts.near + opts.far);
  for (let t = 0; t < limit && (near.length < 2 * opts.near || far.length < 2 * opts.far); t++) {
    const px = rng.uniformRange(-opts.viewHalf, opts.viewHalf);
    const py = rng.uniformRange(-opts.viewHalf, opts.viewHalf);
    const d = nearestDistance(idPoints, px, py);
    if (d >= opts.nearMin && d <= opts.nearMax && near.length < 2 * opts.near) near.push(px, py);
    else if (d >= opts.farMin && far.length < 2 * opts.far) far.push(px, py);
  }
  return { near: Float32Array.from(near), far: Float32Array.from(far) };
}

/** Concatenate labelled point sets (same K). */
export function concatPoints(a: ToyPoints, b: ToyPoints): ToyPoints {
  const x = new Float32Array(a.x.length + b.x.length);
  x.set(a.x);
  x.set(b.x, a.x.length);
  const y = new Int32Array(a.y.length + b.y.length);
  y.set(a.y);
  y.set(b.y, a.y.length);
  return { x, y, numClasses: Math.max(a.numClasses, b.numClasses) };
}
