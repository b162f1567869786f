import { describe, expect, it } from 'vitest';
import { Random } from '../core/random';
import {
  AOE_TRAIN_CIFAR10_NORM,
  PRETRAINED_WRN_NORM,
  augmentBatch,
  channelStats,
  normalizeBatch,
} from './augment';
import { noiseSet } from './noise';

/** E[trunc(clip(N(128, 128²), 0, 255))] by numerical integration (independent of the sampler). */
function expectedGaussianMean(): number {
  let e = 0;
  const pdf = (v: number) => Math.exp(-(((v - 128) / 128) ** 2) / 2) / (128 * Math.sqrt(2 * Math.PI));
  const step = 0.01;
  for (let v = -1000; v < 1300; v += step)
    e += Math.trunc(Math.min(255, Math.max(0, v))) * pdf(v + step / 2) * step;
  return e;
}

describe('noise OOD sets (OOD_SPEC §6)', () => {
  it('Gaussian: per-pixel mean matches trunc(clip(N(128,128²))); uniform: values 0–254, mean 127', () => {
    const g = noiseSet('gaussian', new Random(1), { count: 200 });
    expect(g.n).toBe(200);
    let s = 0;
    for (const v of g.images) s += v;
    const m = s / g.images.length;
    // per-pixel std ≈ 100, 614,400 pixels → SE ≈ 0.13
    expect(Math.abs(m - expectedGaussianMean())).toBeLessThan(5 * 0.13);
    const u = noiseSet('uniform', new Random(2), { count: 200 });
    let su = 0;
    let max = 0;
    for (const v of u.images) {
      su += v;
      max = Math.max(max, v);
    }
    expect(max).toBe(254);
    // E[floor(255·U)] = (0 + … + 254)/255 = 127; std 73.6 → SE ≈ 0.094
    expect(Math.abs(su / u.images.length - 127)).toBeLessThan(5 * 0.094);
  });

  it('the antialiased 224→32 variant is much smoother than the default (subsampling) one', () => {
    const std = (imgs: Uint8Array) => {
      const st = channelStats(imgs);
      return st.std[0] * 255;
    };
    const sub = noiseSet('uniform', new Random(3), { count: 4 });
    const aa = noiseSet('uniform', new Random(3), { count: 4, resize: 'antialias' });
    expect(std(sub.images)).toBeGreaterThan(70);
    // a 7× triangle filter averages ≈ 7×7 effective pixels per axis pair: std drops by roughly 5–10×
    expect(std(aa.images)).toBeLessThan(20);
  });
});

describe('augmentation and normalisation', () => {
  /** Reference: explicit 40×40 zero-padded copy of the flipped image, then a 32×32 crop, same random draws. */
  function reference(img: Uint8Array, rng: Random): Uint8Array {
    const flip = rng.uniform() < 0.5;
    const oy = rng.int(9);
    const ox = rng.int(9);
    const padded = new Uint8Array(40 * 40 * 3);
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++)
        for (let c = 0; c < 3; c++)
          padded[((y + 4) * 40 + x + 4) * 3 + c] = img[(y * 32 + (flip ? 31 - x : x)) * 3 + c];
    const out = new Uint8Array(3072);
    for (let y = 0; y < 32; y++)
      for (let x = 0; x < 32; x++)
        for (let c = 0; c < 3; c++) out[(y * 32 + x) * 3 + c] = padded[((y + oy) * 40 + x + ox) * 3 + c];
    return out;
  }

  it('random crop 32 with 4-pixel zero padding after a horizontal flip, seeded', () => {
    const n = 50;
    const imgs = Uint8Array.from({ length: n * 3072 }, (_, i) => 1 + ((i * 31) % 250));
    const got = augmentBatch(imgs, n, new Random(42));
    const rng = new Random(42);
    for (let i = 0; i < n; i++) {
      const want = reference(imgs.subarray(i * 3072, (i + 1) * 3072), rng);
      expect(Buffer.from(got.subarray(i * 3072, (i + 1) * 3072)).equals(Buffer.from(want))).toBe(true);
    }
    expect(Buffer.from(augmentBatch(imgs, n, new Random(42))).equals(Buffer.from(got))).toBe(true);
    // some images flipped, some shifted (zeros appear), some untouched in the middle
    expect(got.some((v) => v === 0)).toBe(true);
  });

  it('normalises with the weights’ mean/std: (x/255 − mean_c)/std_c', () => {
    const px = new Uint8Array([255, 0, 128]);
    const out = normalizeBatch(px, PRETRAINED_WRN_NORM);
    expect(out[0]).toBeCloseTo((1 - 125.3 / 255) / (63.0 / 255), 5);
    expect(out[1]).toBeCloseTo((0 - 123.0 / 255) / (62.1 / 255), 5);
    expect(out[2]).toBeCloseTo((128 / 255 - 113.9 / 255) / (66.7 / 255), 5);
    expect(normalizeBatch(px, AOE_TRAIN_CIFAR10_NORM)[0]).toBeCloseTo((1 - 0.4914) / 0.2023, 5);
    expect(Array.from(normalizeBatch(px, null))).toEqual([1, 0, Math.fround(128 / 255)]);
  });
});
