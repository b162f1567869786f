/** Builds everything a toy run trains and is evaluated on, from the settings alone (seeded, reproducible). */
import { Random } from '../../core/random';
import {
  concatPoints,
  effectiveClasses,
  generateToyDataset,
  sampleOutliers,
  sampleTestOutliers,
  type ToyDatasetKind,
  type ToyPoints,
} from '../../data/toy2d';
import type { ToyParams } from './params';

/** The data of one toy experiment. Coordinates are interleaved [N·2] float32 in view units. */
export interface ToyData {
  train: ToyPoints;
  /** Training outliers [M·2] (unlabelled). */
  outliers: Float32Array;
  /** Held-out ID points (labelled) for accuracy and the ID side of AUROC. */
  testId: ToyPoints;
  /** Held-out OOD points near the data (distance to nearest ID point in [0.75, 1.5]). */
  testNear: Float32Array;
  /** Held-out OOD points far from the data (distance > 2.5). */
  testFar: Float32Array;
  numClasses: number;
}

/** Encode labelled points compactly for the URL: "x,y,c;x,y,c" with two decimals. */
export function encodePoints(p: ToyPoints): string {
  const parts: string[] = [];
  for (let i = 0; i < p.y.length; i++) {
    parts.push(`${round2(p.x[2 * i])},${round2(p.x[2 * i + 1])},${p.y[i]}`);
  }
  return parts.join(';');
}

/** Inverse of `encodePoints`; malformed entries are skipped. */
export function decodePoints(s: string): ToyPoints {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const part of s.split(';')) {
    const [a, b, c] = part.split(',').map(Number);
    if (![a, b, c].every(Number.isFinite) || c < 0 || c > 7 || !Number.isInteger(c)) continue;
    xs.push(a, b);
    ys.push(c);
  }
  return {
    x: Float32Array.from(xs),
    y: Int32Array.from(ys),
    numClasses: ys.length ? Math.max(...ys) + 1 : 1,
  };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}

/**
 * Build the data for the settings. The seed is forked into independent streams in a fixed order (training data,
 * outliers, held-out ID, held-out OOD), so e.g. changing σ² redraws only the outliers' values, never the data.
 */
export function buildToyData(p: ToyParams): ToyData {
  const root = new Random(p.seed);
  const dataRng = root.fork();
  const outlierRng = root.fork();
  const testIdRng = root.fork();
  const testOodRng = root.fork();
  const extra = decodePoints(p.pts);
  let train: ToyPoints;
  let testId: ToyPoints;
  if (p.dataset === 'custom') {
    train =
      extra.y.length > 0 ? extra : { x: new Float32Array([0, 0]), y: new Int32Array([0]), numClasses: 1 };
    // Held-out ID for a hand-made set: each training point jittered by 0.25 (a KDE draw at a small bandwidth).
    const x = new Float32Array(train.x.length);
    for (let i = 0; i < x.length; i++) x[i] = train.x[i] + 0.25 * testIdRng.normal();
    testId = { x, y: Int32Array.from(train.y), numClasses: train.numClasses };
  } else {
    const opts = { kind: p.dataset as ToyDatasetKind, numClasses: p.classes, size: p.size, noise: p.noise };
    train = generateToyDataset(opts, dataRng);
    testId = generateToyDataset({ ...opts, size: Math.max(100, Math.round(p.size / 2)) }, testIdRng);
    if (extra.y.length > 0) {
      const k = Math.max(train.numClasses, extra.numClasses);
      train = concatPoints(train, extra);
      train.numClasses = k;
      testId.numClasses = k;
    }
  }
  const numClasses = Math.max(train.numClasses, effectiveClasses('blobs', 1));
  const outliers = sampleOutliers(
    train,
    { source: p.outliers, count: p.nOutliers, sigma2: p.sigma2, viewHalf: p.view },
    outlierRng,
  );
  const { near, far } = sampleTestOutliers(
    train.x,
    { near: 200, far: 200, viewHalf: p.view, nearMin: 0.75, nearMax: 1.5, farMin: 2.5 },
    testOodRng,
  );
  return { train, outliers, testId, testNear: near, testFar: far, numClasses };
}
