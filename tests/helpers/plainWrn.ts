// A deliberately plain (loops, float64) WideResNet forward used as an independent reference in tests.
// Layouts as the app's state: NHWC activations, conv [kh,kw,in,out], fc [in,C].
import type { WrnConfig } from '../../src/models/types';
import { wrnBlocks } from '../../src/models/wrnSpec';

export interface Act {
  n: number;
  h: number;
  w: number;
  c: number;
  v: Float64Array;
}
export type Weights = Map<string, { shape: number[]; v: Float64Array }>;
export type BnStats = Map<string, { mean: number[]; unbiasedVar: number[] }>;

function conv(x: Act, k: { shape: number[]; v: Float64Array }, stride: number, pad: number): Act {
  const [kh, kw, ci, co] = k.shape;
  const h = Math.floor((x.h + 2 * pad - kh) / stride) + 1;
  const w = Math.floor((x.w + 2 * pad - kw) / stride) + 1;
  const out = new Float64Array(x.n * h * w * co);
  for (let n = 0; n < x.n; n++)
    for (let i = 0; i < h; i++)
      for (let j = 0; j < w; j++)
        for (let a = 0; a < kh; a++) {
          const y = i * stride + a - pad;
          if (y < 0 || y >= x.h) continue;
          for (let b = 0; b < kw; b++) {
            const xx = j * stride + b - pad;
            if (xx < 0 || xx >= x.w) continue;
            const xBase = ((n * x.h + y) * x.w + xx) * x.c;
            const oBase = ((n * h + i) * w + j) * co;
            for (let c = 0; c < ci; c++) {
              const xv = x.v[xBase + c];
              const kBase = ((a * kw + b) * ci + c) * co;
              for (let o = 0; o < co; o++) out[oBase + o] += xv * k.v[kBase + o];
            }
          }
        }
  return { n: x.n, h, w, c: co, v: out };
}

function bn(x: Act, wts: Weights, name: string, training: boolean, stats: BnStats): Act {
  const g = wts.get(`${name}.weight`)!.v;
  const b = wts.get(`${name}.bias`)!.v;
  const count = x.n * x.h * x.w;
  const mean = new Array<number>(x.c).fill(0);
  const sq = new Array<number>(x.c).fill(0);
  for (let i = 0; i < x.v.length; i++) mean[i % x.c] += x.v[i] / count;
  for (let i = 0; i < x.v.length; i++) sq[i % x.c] += (x.v[i] - mean[i % x.c]) ** 2;
  const biased = sq.map((s) => s / count);
  stats.set(name, { mean, unbiasedVar: sq.map((s) => s / (count - 1)) });
  const m = training ? mean : Array.from(wts.get(`${name}.running_mean`)!.v);
  const v = training ? biased : Array.from(wts.get(`${name}.running_var`)!.v);
  const out = new Float64Array(x.v.length);
  for (let i = 0; i < x.v.length; i++) {
    const c = i % x.c;
    out[i] = ((x.v[i] - m[c]) / Math.sqrt(v[c] + 1e-5)) * g[c] + b[c];
  }
  return { ...x, v: out };
}

const relu = (x: Act): Act => ({ ...x, v: x.v.map((t) => Math.max(t, 0)) });
const add = (x: Act, y: Act): Act => ({ ...x, v: x.v.map((t, i) => t + y.v[i]) });

/** Logits [N*C] (float64) and every BN's batch statistics, no dropout. */
export function plainWrnForward(
  config: WrnConfig,
  wts: Weights,
  input: Act,
  training: boolean,
): { logits: Float64Array; stats: BnStats } {
  const stats: BnStats = new Map();
  let h = conv(input, wts.get('conv1.weight')!, 1, 1);
  for (const b of wrnBlocks(config)) {
    const a = relu(bn(h, wts, `${b.prefix}.bn1`, training, stats));
    let o = conv(a, wts.get(`${b.prefix}.conv1.weight`)!, b.stride, 1);
    o = relu(bn(o, wts, `${b.prefix}.bn2`, training, stats));
    o = conv(o, wts.get(`${b.prefix}.conv2.weight`)!, 1, 1);
    h = add(b.hasShortcut ? conv(a, wts.get(`${b.prefix}.convShortcut.weight`)!, b.stride, 0) : h, o);
  }
  h = relu(bn(h, wts, 'bn1', training, stats));
  const fc = wts.get('fc.weight')!;
  const [d, C] = fc.shape;
  const fb = wts.get('fc.bias')!.v;
  const logits = new Float64Array(h.n * C);
  for (let n = 0; n < h.n; n++) {
    const pooled = new Float64Array(d);
    for (let p = 0; p < h.h * h.w; p++)
      for (let c = 0; c < d; c++) pooled[c] += h.v[(n * h.h * h.w + p) * d + c];
    for (let k = 0; k < C; k++) {
      let s = fb[k];
      for (let c = 0; c < d; c++) s += (pooled[c] / (h.h * h.w)) * fc.v[c * C + k];
      logits[n * C + k] = s;
    }
  }
  return { logits, stats };
}
