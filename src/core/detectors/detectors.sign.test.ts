import { describe, expect, it } from 'vitest';
import { oodMetrics } from '../metrics';
import { Random } from '../random';
import { DICE, EnergyBased, KLMatching, Mahalanobis, MaxLogit, MaxSoftmax, SHE, ViM } from './index';
import type { Detector, Matrix } from './index';

// Toy: 3 classes with means 6·e_k in 8-D, noise 0.7. OOD: ambiguous near the origin on the class axes and far
// off the class subspace on the other 5 axes — every detector's principle says these are more OOD.
const D = 8;
const rng = new Random(11);
function sample(n: number, ood: boolean): { z: Matrix; y: number[] } {
  const data = new Float32Array(n * D);
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % 3;
    y.push(k);
    for (let j = 0; j < D; j++) {
      data[i * D + j] = ood ? rng.normal() * (j < 3 ? 0.7 : 3) : (j === k ? 6 : 0) + 0.7 * rng.normal();
    }
  }
  return { z: { data, rows: n, cols: D }, y };
}
const W: Matrix = {
  data: Float32Array.from({ length: 3 * D }, (_, e) => +(e % D === Math.floor(e / D))),
  rows: 3,
  cols: D,
};
const b = [0.1, -0.1, 0];
const logits = (z: Matrix): Matrix => {
  const out = new Float32Array(z.rows * 3);
  for (let i = 0; i < z.rows; i++) for (let k = 0; k < 3; k++) out[i * 3 + k] = z.data[i * D + k] + b[k];
  return { data: out, rows: z.rows, cols: 3 };
};
const train = sample(300, false);
const idTest = sample(60, false);
const oodTest = sample(60, true);

const detectors: [string, () => Detector][] = [
  ['MSP', () => new MaxSoftmax()],
  ['MaxLogit', () => new MaxLogit()],
  ['EBO', () => new EnergyBased()],
  ['KLMatching', () => new KLMatching()],
  ['SHE', () => new SHE(W, b)],
  ['DICE', () => new DICE(W, b, 50)],
  ['Mahalanobis', () => new Mahalanobis()],
  ['ViM', () => new ViM(3, W, b)],
];

describe('sign convention: higher = more OOD', () => {
  it.each(detectors)('%s ranks the OOD test points above the ID ones', (_n, make) => {
    const det = make();
    det.fit?.({ features: train.z, logits: logits(train.z), labels: train.y });
    const s = (z: Matrix) => det.score({ features: z, logits: logits(z) });
    const scores = Float32Array.from([...s(idTest.z), ...s(oodTest.z)]);
    const labels = [...idTest.y.map(() => 0), ...oodTest.y.map(() => 1)];
    expect(oodMetrics(scores, labels).AUROC).toBeGreaterThan(0.9);
  });

  it.each(detectors)(
    '%s: a point at a class mean scores lower than the ambiguous origin and a far point',
    (_n, make) => {
      const det = make();
      det.fit?.({ features: train.z, logits: logits(train.z), labels: train.y });
      // Known ordering: class-1 mean (clearly ID) < origin (equidistant to every class) and < a point off the
      // class subspace (far OOD, 12 units out on axis 5, the class axes at 0).
      const pts = new Float32Array(3 * D);
      pts[1] = 6;
      pts[2 * D + 5] = 12;
      const z: Matrix = { data: pts, rows: 3, cols: D };
      const [atMean, origin, far] = det.score({ features: z, logits: logits(z) });
      expect(atMean).toBeLessThan(origin);
      expect(atMean).toBeLessThan(far);
    },
  );
});
