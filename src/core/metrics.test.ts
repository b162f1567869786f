import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { thinCurve } from './curveThinning';
import {
  METRIC_NAMES,
  idVsOodMetrics,
  meanMetrics,
  oodMetrics,
  precisionRecallCurve,
  rocCurve,
  trapezoidArea,
  type OodMetrics,
} from './metrics';

// Expected values: scikit-learn 1.2 in float64, written by reference/make_metric_fixtures.py.
const dir = new URL('./__fixtures__/metrics/', import.meta.url);
interface Case {
  name: string;
  scores: number[];
  labels: number[];
  expected: OodMetrics;
  curves?: { fpr: number[]; tpr: number[]; precisionOut: number[]; recallOut: number[] };
}
const fixture = JSON.parse(readFileSync(new URL('cases.json', dir), 'utf8')) as {
  cases: Case[];
  large: { n: number; scoresFile: string; labelsFile: string; expected: OodMetrics };
};

function loadLarge(): { scores: Float32Array; labels: Uint8Array } {
  const sb = readFileSync(new URL(fixture.large.scoresFile, dir));
  const view = new DataView(sb.buffer, sb.byteOffset, sb.byteLength);
  const scores = new Float32Array(fixture.large.n);
  for (let i = 0; i < scores.length; i++) scores[i] = view.getFloat32(4 * i, true);
  const labels = new Uint8Array(readFileSync(new URL(fixture.large.labelsFile, dir)));
  expect(labels.length).toBe(fixture.large.n);
  return { scores, labels };
}

function expectMetricsClose(got: OodMetrics, want: OodMetrics, tol: number): void {
  for (const k of METRIC_NAMES) {
    expect(Math.abs(got[k] - want[k]), `${k}: got ${got[k]}, sklearn ${want[k]}`).toBeLessThanOrEqual(tol);
  }
}

describe('oodMetrics vs scikit-learn fixtures', () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))('%s agrees to 1e-9', (_name, c) => {
    // Float32Array input, as the detectors produce; fixture scores are float32-exact
    const scores = Float32Array.from(c.scores);
    expect(Array.from(scores)).toEqual(c.scores);
    expectMetricsClose(oodMetrics(scores, Uint8Array.from(c.labels)), c.expected, 1e-9);
    if (c.curves) {
      const roc = rocCurve(scores, c.labels);
      expect(Array.from(roc.fpr)).toEqual(c.curves.fpr);
      expect(Array.from(roc.tpr)).toEqual(c.curves.tpr);
      const pr = precisionRecallCurve(scores, c.labels);
      expect(Array.from(pr.recall)).toEqual(c.curves.recallOut);
      pr.precision.forEach((p, i) => expect(p).toBeCloseTo(c.curves!.precisionOut[i], 14));
    }
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))(
    'idVsOodMetrics of %s split by label agrees with sklearn and counts both sides',
    (_name, c) => {
      const id = Float32Array.from(c.scores.filter((_, i) => c.labels[i] === 0));
      const ood = Float32Array.from(c.scores.filter((_, i) => c.labels[i] === 1));
      const got = idVsOodMetrics(id, ood);
      expectMetricsClose(got, c.expected, 1e-9);
      expect([got.nId, got.nOod]).toEqual([id.length, ood.length]);
    },
  );

  it('large (n = 100000, float32 binary fixture) agrees to 1e-9', () => {
    const { scores, labels } = loadLarge();
    expectMetricsClose(oodMetrics(scores, labels), fixture.large.expected, 1e-9);
  });
});

describe('oodMetrics properties', () => {
  it('swapping ID/OOD labels gives 1 − AUROC, swaps the AUPRs (same scores negated), on every fixture', () => {
    for (const c of fixture.cases) {
      const m = oodMetrics(c.scores, c.labels);
      const swapped = oodMetrics(
        c.scores,
        c.labels.map((l) => 1 - l),
      );
      expect(swapped.AUROC).toBeCloseTo(1 - m.AUROC, 12);
      const negated = oodMetrics(
        c.scores.map((s) => -s),
        c.labels.map((l) => 1 - l),
      );
      expect(negated.AUROC).toBeCloseTo(m.AUROC, 12);
      expect(negated['AUPR-IN']).toBeCloseTo(m['AUPR-OUT'], 12);
      expect(negated['AUPR-OUT']).toBeCloseTo(m['AUPR-IN'], 12);
    }
  });

  it('is invariant to monotone transforms (no sigmoid is needed) and to sample order', () => {
    const c = fixture.cases.find((k) => k.name === 'heavy-ties-1-decimal-2000')!;
    const m = oodMetrics(c.scores, c.labels);
    const t = oodMetrics(
      c.scores.map((s) => 1 / (1 + Math.exp(-s))),
      c.labels,
    );
    expectMetricsClose(t, m, 1e-15);
    const rev = oodMetrics([...c.scores].reverse(), [...c.labels].reverse());
    expectMetricsClose(rev, m, 1e-12);
  });

  it('hand-computed 4-sample case with a tie', () => {
    // ID scores 0.1, 0.5; OOD scores 0.5, 0.9. ROC points: (0,0) (0,.5) (.5,1) (1,1)
    const m = oodMetrics([0.1, 0.5, 0.5, 0.9], [0, 0, 1, 1]);
    expect(m.AUROC).toBeCloseTo(0 + (0.5 * (0.5 + 1)) / 2 + 0.5, 15); // trapezoids of the three segments
    // OOD-positive PR: thresholds .9 → (r .5, p 1), .5 → (r 1, p 2/3), .1 → (r 1, p .5); plus (0, 1)
    expect(m['AUPR-OUT']).toBeCloseTo(0.5 * 1 + 0.5 * (1 + 2 / 3) * 0.5, 15);
    expect(m.FPR95TPR).toBeCloseTo(0.5, 15);
  });
});

describe('oodMetrics input errors', () => {
  it.each([
    ['length mismatch', [0.1, 0.2], [0], /length mismatch/],
    ['empty', [], [], /empty/],
    ['only ID', [0.1, 0.2], [0, 0], /only ID/],
    ['only OOD', [0.1, 0.2], [1, 1], /only OOD/],
    ['NaN score', [0.1, NaN], [0, 1], /index 1 is NaN/],
    ['Inf score', [Infinity, 0.2], [0, 1], /index 0 is Infinity/],
    ['label 2', [0.1, 0.2], [0, 2], /label at index 1 is 2/],
    ['label -1', [0.1, 0.2], [-1, 1], /label at index 0 is -1/],
  ])('%s throws', (_n, s, l, re) => {
    expect(() => oodMetrics(s as number[], l as number[])).toThrow(re);
    expect(() => rocCurve(s as number[], l as number[])).toThrow(re);
  });

  it('meanMetrics: unweighted mean per metric; empty throws', () => {
    const a = { AUROC: 0.9, 'AUPR-IN': 0.8, 'AUPR-OUT': 0.7, FPR95TPR: 0.4 };
    const b = { AUROC: 0.5, 'AUPR-IN': 0.6, 'AUPR-OUT': 0.3, FPR95TPR: 1 };
    const m = meanMetrics([a, b]);
    expect(m.AUROC).toBeCloseTo(0.7, 15);
    expect(m['AUPR-IN']).toBeCloseTo(0.7, 15);
    expect(m['AUPR-OUT']).toBeCloseTo(0.5, 15);
    expect(m.FPR95TPR).toBeCloseTo(0.7, 15);
    expect(() => meanMetrics([])).toThrow(/empty/);
  });

  it('trapezoidArea rejects non-monotone x', () => {
    expect(() => trapezoidArea([0, 1, 0.5], [0, 1, 1])).toThrow(/neither/);
  });
});

describe('thinCurve', () => {
  const { scores, labels } = loadLarge();
  const roc = rocCurve(scores, labels);
  const full = trapezoidArea(roc.fpr, roc.tpr);

  it('with tolerance 0 drops only collinear points and keeps the area to 1e-12', () => {
    const t = thinCurve(roc.fpr, roc.tpr, { maxPoints: 500 });
    expect(t.x.length).toBeLessThan(roc.fpr.length);
    expect(Math.abs(trapezoidArea(t.x, t.y) - full)).toBeLessThanOrEqual(1e-12);
    expect(t.areaChange).toBe(0);
    // every remaining interior point is a true corner
    for (let i = 1; i < t.x.length - 1; i++) {
      const cross =
        (t.x[i] - t.x[i - 1]) * (t.y[i + 1] - t.y[i - 1]) - (t.x[i + 1] - t.x[i - 1]) * (t.y[i] - t.y[i - 1]);
      expect(cross).not.toBe(0);
    }
    // endpoints kept
    expect([t.x[0], t.y[0], t.x[t.x.length - 1], t.y[t.y.length - 1]]).toEqual([0, 0, 1, 1]);
  });

  it.each([1e-9, 1e-6, 1e-4])(
    'with tolerance %s stays within it (and reaches 500 points from 1e-6 on)',
    (tol) => {
      const t = thinCurve(roc.fpr, roc.tpr, { maxPoints: 500, areaTolerance: tol });
      expect(Math.abs(trapezoidArea(t.x, t.y) - full)).toBeLessThanOrEqual(tol + 1e-12);
      expect(Math.abs(t.areaChange)).toBeLessThanOrEqual(tol);
      if (tol >= 1e-6) expect(t.x.length).toBeLessThanOrEqual(500); // measured: 500 points, area change 2.2e-7
    },
  );

  it('works on a decreasing-x PR curve and on a tiny staircase by hand', () => {
    const pr = precisionRecallCurve(scores, labels);
    const fullPr = trapezoidArea(pr.recall, pr.precision);
    const t = thinCurve(pr.recall, pr.precision, { maxPoints: 400, areaTolerance: 1e-4 });
    expect(Math.abs(trapezoidArea(t.x, t.y) - fullPr)).toBeLessThanOrEqual(1e-4 + 1e-12);
    // (0,0) (0,.5) (0,1) (.5,1) (1,1): the middle points of both runs are collinear
    const s = thinCurve([0, 0, 0, 0.5, 1], [0, 0.5, 1, 1, 1]);
    expect(Array.from(s.x)).toEqual([0, 0, 1]);
    expect(Array.from(s.y)).toEqual([0, 1, 1]);
    expect(Array.from(s.indices)).toEqual([0, 2, 4]);
  });

  it('with any area change allowed reaches maxPoints and keeps every spike of a flat curve', () => {
    // A flat curve with three spikes: the spikes and the endpoints are what a 5-point plot must keep.
    const y = Array.from({ length: 200 }, (_, i) => ([40, 90, 150].includes(i) ? 5 + i / 100 : 1));
    const x = y.map((_, i) => i);
    const t = thinCurve(x, y, { maxPoints: 12, areaTolerance: Infinity });
    expect(t.indices.length).toBeLessThanOrEqual(12);
    for (const i of [0, 40, 90, 150, 199]) expect(t.indices).toContain(i);
    expect(Array.from(t.y)).toEqual(Array.from(t.indices, (i) => y[i]));
  });
});
