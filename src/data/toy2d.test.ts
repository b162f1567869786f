import { describe, expect, it } from 'vitest';
import { Random } from '../core/random';
import {
  fitClassGaussians,
  generateToyDataset,
  kdeBandwidth,
  nearestDistance,
  sampleOutliers,
  sampleTestOutliers,
  type ToyPoints,
} from './toy2d';
import { parseToyCsv, toyPointsToCsv } from './toyCsv';

/** Plain covariance [xx, xy, yy] of interleaved points. */
function cov(x: Float32Array): [number, number, number] {
  const n = x.length / 2;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[2 * i] / n;
    my += x[2 * i + 1] / n;
  }
  let xx = 0;
  let xy = 0;
  let yy = 0;
  for (let i = 0; i < n; i++) {
    xx += (x[2 * i] - mx) ** 2 / n;
    xy += ((x[2 * i] - mx) * (x[2 * i + 1] - my)) / n;
    yy += (x[2 * i + 1] - my) ** 2 / n;
  }
  return [xx, xy, yy];
}

function classPoints(p: ToyPoints, c: number): Float32Array {
  const out: number[] = [];
  for (let i = 0; i < p.y.length; i++) if (p.y[i] === c) out.push(p.x[2 * i], p.x[2 * i + 1]);
  return Float32Array.from(out);
}

describe('toy datasets', () => {
  it('blobs: K balanced classes centred on a circle of radius 3 with the requested std', () => {
    const p = generateToyDataset({ kind: 'blobs', numClasses: 3, size: 3000, noise: 0.5 }, new Random(1));
    expect(p.numClasses).toBe(3);
    expect(p.y.length).toBe(3000);
    for (let c = 0; c < 3; c++) {
      const pts = classPoints(p, c);
      expect(pts.length / 2).toBe(1000);
      let mx = 0;
      let my = 0;
      for (let i = 0; i < pts.length; i += 2) {
        mx += pts[i] / 1000;
        my += pts[i + 1] / 1000;
      }
      const a = (2 * Math.PI * c) / 3 + Math.PI / 2;
      expect(mx).toBeCloseTo(3 * Math.cos(a), 1);
      expect(my).toBeCloseTo(3 * Math.sin(a), 1);
      const [xx, xy, yy] = cov(pts);
      expect(Math.sqrt(xx)).toBeCloseTo(0.5, 1);
      expect(Math.sqrt(yy)).toBeCloseTo(0.5, 1);
      expect(Math.abs(xy)).toBeLessThan(0.03);
    }
  });

  it('rings: noise-free points lie on K radii from 1 to 4.2; spiral stays within radius 4.3', () => {
    const rings = generateToyDataset({ kind: 'rings', numClasses: 3, size: 300, noise: 0 }, new Random(2));
    for (let i = 0; i < 300; i++) {
      const r = Math.hypot(rings.x[2 * i], rings.x[2 * i + 1]);
      expect(r).toBeCloseTo([1, 2.6, 4.2][rings.y[i]], 4);
    }
    const sp = generateToyDataset({ kind: 'spiral', numClasses: 4, size: 400, noise: 0 }, new Random(3));
    expect(sp.numClasses).toBe(4);
    for (let i = 0; i < 400; i++)
      expect(Math.hypot(sp.x[2 * i], sp.x[2 * i + 1])).toBeLessThanOrEqual(4.3 + 1e-5);
  });

  it('moons: always two classes on two interleaved half circles of radius 2.5', () => {
    const m = generateToyDataset({ kind: 'moons', numClasses: 5, size: 200, noise: 0 }, new Random(4));
    expect(m.numClasses).toBe(2);
    for (let i = 0; i < 200; i++) {
      const cx = m.y[i] === 0 ? -1.25 : 1.25;
      const cy = m.y[i] === 0 ? -0.6 : 0.6;
      expect(Math.hypot(m.x[2 * i] - cx, m.x[2 * i + 1] - cy)).toBeCloseTo(2.5, 4);
      // class 0 is the upper half circle, class 1 the lower one
      expect(Math.sign(m.x[2 * i + 1] - cy)).toBe(m.y[i] === 0 ? 1 : -1);
    }
  });

  it('the same seed gives the same points, another seed different ones', () => {
    const o = { kind: 'spiral' as const, numClasses: 3, size: 50, noise: 0.2 };
    expect(generateToyDataset(o, new Random(9)).x).toEqual(generateToyDataset(o, new Random(9)).x);
    expect(generateToyDataset(o, new Random(9)).x).not.toEqual(generateToyDataset(o, new Random(10)).x);
  });
});

describe('outlier sampler', () => {
  const id: ToyPoints = (() => {
    // One elongated, correlated class: x ~ N(0, 1), y = 0.5·x + N(0, 0.3²).
    const r = new Random(5);
    const x = new Float32Array(4000);
    for (let i = 0; i < 2000; i++) {
      const a = r.normal();
      x[2 * i] = a + 1;
      x[2 * i + 1] = 0.5 * a + 0.3 * r.normal() - 2;
    }
    return { x, y: new Int32Array(2000), numClasses: 1 };
  })();

  it('gmm: sample covariance = σ² × the fitted class covariance, centred on the class mean', () => {
    const fit = fitClassGaussians(id)[0];
    for (const sigma2 of [1, 4, 16]) {
      const s = sampleOutliers(id, { source: 'gmm', count: 20000, sigma2, viewHalf: 6 }, new Random(6));
      const c = cov(s);
      for (let j = 0; j < 3; j++) expect(c[j] / sigma2).toBeCloseTo(fit.cov[j], 1);
      let mx = 0;
      for (let i = 0; i < s.length; i += 2) mx += s[i] / 20000;
      expect(mx).toBeCloseTo(fit.mean[0], 0);
    }
  });

  it('gmm: mixture weights follow class frequencies', () => {
    const two: ToyPoints = {
      x: Float32Array.from([-5, 0, -5, 0.1, -5, -0.1, 5, 0]),
      y: Int32Array.from([0, 0, 0, 1]),
      numClasses: 2,
    };
    const s = sampleOutliers(two, { source: 'gmm', count: 8000, sigma2: 1, viewHalf: 6 }, new Random(7));
    let left = 0;
    for (let i = 0; i < s.length; i += 2) if (s[i] < 0) left++;
    expect(left / 8000).toBeCloseTo(0.75, 1);
  });

  it('kde: covariance = data covariance + σ²·h²·I', () => {
    const data = cov(id.x);
    const h = kdeBandwidth(id);
    for (const sigma2 of [4, 16]) {
      const c = cov(sampleOutliers(id, { source: 'kde', count: 20000, sigma2, viewHalf: 6 }, new Random(8)));
      expect(c[0]).toBeCloseTo(data[0] + sigma2 * h * h, 1);
      expect(c[2]).toBeCloseTo(data[2] + sigma2 * h * h, 1);
    }
  });

  it('uniform: fills the view box', () => {
    const s = sampleOutliers(id, { source: 'uniform', count: 5000, sigma2: 1, viewHalf: 4 }, new Random(9));
    expect(Math.min(...s)).toBeGreaterThanOrEqual(-4);
    expect(Math.max(...s)).toBeLessThan(4);
    expect(cov(s)[0]).toBeCloseTo(64 / 12, 0);
  });

  it('held-out near/far OOD points respect their distance bands', () => {
    const { near, far } = sampleTestOutliers(
      id.x,
      { near: 50, far: 50, viewHalf: 6, nearMin: 0.75, nearMax: 1.5, farMin: 2.5 },
      new Random(10),
    );
    expect(near.length).toBe(100);
    expect(far.length).toBe(100);
    for (let i = 0; i < near.length; i += 2) {
      const d = nearestDistance(id.x, near[i], near[i + 1]);
      expect(d).toBeGreaterThanOrEqual(0.75);
      expect(d).toBeLessThanOrEqual(1.5);
    }
    for (let i = 0; i < far.length; i += 2)
      expect(nearestDistance(id.x, far[i], far[i + 1])).toBeGreaterThan(2.5);
  });
});

describe('toy CSV', () => {
  it('round-trips points', () => {
    const p = generateToyDataset({ kind: 'blobs', numClasses: 3, size: 30, noise: 0.5 }, new Random(1));
    const back = parseToyCsv(toyPointsToCsv(p));
    expect(back.ok).toBe(true);
    if (back.ok) {
      expect(back.points.x).toEqual(p.x);
      expect(back.points.y).toEqual(p.y);
      expect(back.points.numClasses).toBe(3);
    }
  });

  it('names the first bad line and returns no points', () => {
    const cases: [string, number, RegExp][] = [
      ['x,y,label\n1,2,0\n3,4\n', 3, /expected 3 fields/],
      ['1,2,0\n\n# comment\n1,abc,1\n', 4, /finite numbers/],
      ['1,2,0\n1,2,1.5\n', 2, /label must be an integer/],
      ['1,2,9\n', 1, /label must be an integer/],
      ['x,y,label\n', 1, /no points/],
    ];
    for (const [text, line, msg] of cases) {
      const r = parseToyCsv(text);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.line).toBe(line);
        expect(r.error).toMatch(msg);
        expect(r.error).toContain(`line ${line}`);
      }
    }
  });
});
