import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DICE, EnergyBased, KLMatching, Mahalanobis, MaxLogit, MaxSoftmax, SHE, ViM } from './index';
import type { Detector, Matrix } from './index';

// Expected scores: numpy/scipy/sklearn float64, written by reference/make_detector_fixtures.py.
interface Toy {
  D: number;
  C: number;
  vimD: number;
  diceP: number;
  trainFeatures: number[];
  trainLabels: number[];
  testFeatures: number[];
  W: number[];
  b: number[];
  expected: Record<string, number[] | number>;
}
const toys = (
  JSON.parse(readFileSync(new URL('../__fixtures__/detectors.json', import.meta.url), 'utf8')) as {
    toys: Record<string, Toy>;
  }
).toys;

function mat(values: number[], cols: number): Matrix {
  return { data: Float32Array.from(values), rows: values.length / cols, cols };
}

/** z·Wᵀ + b in float64, as a float32 matrix (what a model would hand over). */
function logitsOf(z: Matrix, w: Matrix, b: number[]): Matrix {
  const out = new Float32Array(z.rows * w.rows);
  for (let i = 0; i < z.rows; i++) {
    for (let c = 0; c < w.rows; c++) {
      let s = b[c];
      for (let j = 0; j < z.cols; j++) s += z.data[i * z.cols + j] * w.data[c * w.cols + j];
      out[i * w.rows + c] = s;
    }
  }
  return { data: out, rows: z.rows, cols: w.rows };
}

/** |got − want| ≤ tol·max(1, |want|) elementwise (float32 outputs: ~1e-7 relative is the floor). */
function expectClose(got: ArrayLike<number>, want: number[], tol: number): void {
  expect(got.length).toBe(want.length);
  for (let i = 0; i < want.length; i++) {
    expect(Math.abs(got[i] - want[i]), `index ${i}: ${got[i]} vs ${want[i]}`).toBeLessThanOrEqual(
      tol * Math.max(1, Math.abs(want[i])),
    );
  }
}

describe.each(Object.entries(toys))('detectors vs numpy/sklearn fixture "%s"', (_name, t) => {
  const z = mat(t.trainFeatures, t.D);
  const zt = mat(t.testFeatures, t.D);
  const w = mat(t.W, t.D);
  const f = logitsOf(z, w, t.b);
  const ft = logitsOf(zt, w, t.b);
  const ex = t.expected;
  // Scores are returned as Float32Array (relative rounding 6e-8); logits are handed over as float32 too.
  const tol = 1e-6;

  it.each([
    ['MSP T=1', () => new MaxSoftmax(), 'MSP_T1'],
    ['MSP T=2', () => new MaxSoftmax(2), 'MSP_T2'],
    ['EBO T=1', () => new EnergyBased(), 'EBO_T1'],
    ['EBO T=2', () => new EnergyBased(2), 'EBO_T2'],
    ['MaxLogit', () => new MaxLogit(), 'MaxLogit'],
  ] as const)('%s', (_n, make, key) => {
    const det: Detector = make();
    expectClose(det.score({ logits: ft }), ex[key] as number[], tol);
  });

  it('KLMatching (fit on given labels)', () => {
    const det = new KLMatching();
    det.fit({ logits: f, labels: t.trainLabels });
    expectClose(det.score({ logits: ft }), ex.KLMatching as number[], tol);
  });

  it('SHE', () => {
    const det = new SHE(w, t.b);
    det.fit({ features: z, labels: t.trainLabels });
    expectClose(det.score({ features: zt }), ex.SHE as number[], tol);
  });

  it('DICE (np.percentile threshold)', () => {
    const det = new DICE(w, t.b, t.diceP);
    det.fit({ features: z });
    expect(det.threshold).toBeCloseTo(ex.DICE_threshold as number, 12);
    expectClose(det.score({ features: zt }), ex.DICE as number[], tol);
  });

  it('Mahalanobis (precision matrix and scores)', () => {
    const det = new Mahalanobis();
    det.fit({ features: z, labels: t.trainLabels });
    expectClose(det.precision.data, ex.Mahalanobis_precision as number[], 1e-9);
    expectClose(det.score({ features: zt }), ex.Mahalanobis as number[], tol);
  });

  it('ViM (origin, eigenvalues via alpha, scores)', () => {
    const det = new ViM(t.vimD, w, t.b);
    expectClose(det.origin, ex.ViM_origin as number[], 1e-9);
    det.fit({ features: z });
    expect(det.alpha).toBeCloseTo(ex.ViM_alpha as number, 9);
    expectClose(det.score({ features: zt }), ex.ViM as number[], tol);
  });
});
