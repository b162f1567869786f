/**
 * The detector table, progressively: a complete table of every requested detector from a stratified subset of
 * each set first, then refined table by table to the full sets (issue 13: a first table within a minute on WASM,
 * where the full one cannot be). Each image is run through the model once (logits and features feed every
 * detector; ODIN's perturbation takes ŷ from those logits) and never again: a refinement only adds the images
 * the previous table did not have. Fitted detectors are fitted once, on the same first `fitLimit` ID training
 * images as {@link evaluateDetectors}, so the final table scores every image exactly as `evaluateDetectors` does
 * (only the order of the rows differs). DOM-free; cancellation: `signal`, checked between batches.
 */
import type { Detector } from '../core/detectors';
import { idVsOodMetrics } from '../core/metrics';
import { Random } from '../core/random';
import type { ImageClassifier } from '../models/types';
import { normalizer } from './batches';
import {
  checkClassesMatch,
  createDetector,
  DETECTOR_TABLE,
  headOf,
  requestedOodSets,
  scoreSet,
  setOutputs,
  type DetectorEvalOptions,
  type DetectorEvaluation,
  type SetOutputs,
} from './detectorEval';
import type { ImageSet, TrainingData } from './types';

/** One table of the sequence. */
export interface ProgressiveTable extends DetectorEvaluation {
  /** Images behind this table per set: 'ID' (the test set) and each OOD set name. */
  counts: Record<string, number>;
  /** Images per set of the full table (after `limit`), same keys. */
  fullCounts: Record<string, number>;
  /** True when every set is complete (the full table). */
  final: boolean;
  /** 1-based index of this table and how many there will be. */
  stage: number;
  stages: number;
}

export interface ProgressiveOptions extends DetectorEvalOptions {
  /** Images per set of the tables before the full one, increasing (e.g. [250, 1000]). */
  stages: readonly number[];
  /** Seed of the subset order (default 1). */
  seed?: number;
  /** Called with every table, the final one last; awaited. */
  onTable?: (t: ProgressiveTable) => void | Promise<void>;
}

/**
 * A fixed order of the first `n` images of a set whose every prefix is a stratified sample: with labels, classes
 * take turns (each class's images in a seeded random order); without, a seeded random permutation.
 * @returns indices into the set, length n.
 */
export function stratifiedOrder(set: ImageSet, n: number, seed: number): Int32Array {
  const perm = new Random(seed).permutation(n);
  if (!set.labels) return perm;
  const byClass = new Map<number, number[]>();
  for (const i of perm) {
    const k = set.labels[i];
    const list = byClass.get(k);
    if (list) list.push(i);
    else byClass.set(k, [i]);
  }
  const lists = [...byClass.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]);
  const out = new Int32Array(n);
  let o = 0;
  for (let r = 0; o < n; r++) for (const l of lists) if (r < l.length) out[o++] = l[r];
  return out;
}

/** Outputs and ODIN scores of a set, grown in the set's fixed order. */
interface Growing {
  set: ImageSet;
  order: Int32Array;
  done: number;
  logits: Float32Array;
  features: Float32Array;
  odin: Float32Array;
  predicted: Int32Array;
  cols: number;
  dim: number;
}

const prefix = (g: Growing, n: number): SetOutputs => ({
  logits: { data: g.logits.subarray(0, n * g.cols), rows: n, cols: g.cols },
  features: { data: g.features.subarray(0, n * g.dim), rows: n, cols: g.dim },
  predicted: g.predicted.subarray(0, n),
});

/**
 * Fit once, then emit a complete table per stage (n = min(stage, set size) per set), the full sets last.
 * Per-detector scores and metrics are those of {@link evaluateDetectors} on the same images.
 * @returns the final (full) table.
 */
export async function progressiveDetectorTable(
  model: ImageClassifier,
  data: TrainingData,
  o: ProgressiveOptions,
): Promise<ProgressiveTable> {
  checkClassesMatch(model, data);
  const labels = data.test.labels;
  if (!labels) throw new Error('The ID test set has no labels.');
  const pre = normalizer(data.normalization.mean, data.normalization.std);
  const names = requestedOodSets(data, o.oodSets);
  const seed = o.seed ?? 1;
  const full = (s: ImageSet) => (o.limit > 0 ? Math.min(o.limit, s.n) : s.n);
  const sets: [string, ImageSet][] = [
    ['ID', data.test],
    ...names.map((n) => [n, data.oodTests[n]] as [string, ImageSet]),
  ];
  const grow = new Map<string, Growing>();
  sets.forEach(([key, set], i) => {
    const n = full(set);
    grow.set(key, {
      set,
      order: stratifiedOrder(set, n, seed + i),
      done: 0,
      logits: new Float32Array(0),
      features: new Float32Array(0),
      odin: new Float32Array(n),
      predicted: new Int32Array(n),
      cols: 0,
      dim: 0,
    });
  });
  const maxFull = Math.max(...sets.map(([, s]) => full(s)));
  const stageSizes = [...o.stages.filter((n) => n > 0 && n < maxFull), maxFull].sort((a, b) => a - b);
  const withOdin = o.detectors.includes('ODIN');
  const fits = o.detectors.some((d) => DETECTOR_TABLE[d].fits);
  // Work in forward-pass equivalents: ODIN is a forward + an input gradient (≈ 2) + a forward on x̂.
  const perImage = 1 + (withOdin ? 3 : 0);
  const fitN = fits ? (o.fitLimit > 0 ? Math.min(o.fitLimit, data.train.n) : data.train.n) : 0;
  const total = fitN + perImage * sets.reduce((a, [, s]) => a + full(s), 0);
  let worked = 0;
  const report = (msg: string, extra = 0) => o.onProgress?.(Math.min(1, (worked + extra) / total), msg);

  const head = await headOf(model);
  const detectors = new Map<string, Detector>();
  for (const name of o.detectors)
    detectors.set(name, createDetector(name, model, head, data.normalization.std));
  if (fits) {
    const trainLabels = data.train.labels;
    if (!trainLabels) throw new Error('The ID training set has no labels to fit detectors on.');
    const fitOut = await setOutputs(model, data.train, pre, {
      limit: fitN,
      signal: o.signal,
      onBatch: (d, t) => report(`ID training features for fitting: ${d}/${t} images`, d),
    });
    worked += fitN;
    for (const name of o.detectors) {
      const det = detectors.get(name)!;
      if (DETECTOR_TABLE[name].fits && det.fit)
        det.fit({ logits: fitOut.logits, features: fitOut.features, labels: trainLabels.subarray(0, fitN) });
    }
  }

  let last: ProgressiveTable | null = null;
  for (let st = 0; st < stageSizes.length; st++) {
    const counts: Record<string, number> = {};
    for (const [key, set] of sets) {
      const g = grow.get(key)!;
      const n = Math.min(stageSizes[st], g.order.length);
      counts[key] = n;
      if (n <= g.done) continue;
      const indices = g.order.subarray(g.done, n);
      const label = key === 'ID' ? 'ID test set' : key;
      const out = await setOutputs(model, set, pre, {
        indices,
        signal: o.signal,
        onBatch: (d) =>
          report(`table ${st + 1}/${stageSizes.length} · ${label}: ${g.done + d}/${n} images`, d),
      });
      if (g.cols === 0) {
        g.cols = out.logits.cols;
        g.dim = out.features.cols;
        g.logits = new Float32Array(g.order.length * g.cols);
        g.features = new Float32Array(g.order.length * g.dim);
      }
      g.logits.set(out.logits.data, g.done * g.cols);
      g.features.set(out.features.data, g.done * g.dim);
      g.predicted.set(out.predicted, g.done);
      worked += indices.length;
      if (withOdin) {
        report(`table ${st + 1}/${stageSizes.length} · ODIN on ${label}: ${indices.length} images`);
        const odin = await scoreSet(detectors.get('ODIN')!, 'ODIN', out, set, pre, o.signal, indices);
        g.odin.set(odin, g.done);
        worked += 3 * indices.length;
      }
      g.done = n;
    }
    last = tableOf(o, grow, counts, names, labels, detectors, st, stageSizes.length);
    report(`table ${st + 1}/${stageSizes.length} ready`);
    await o.onTable?.(last);
  }
  return last!;
}

/** Metrics (and, with `keepScores`, scores) of every detector over the first counts[set] images of each set. */
function tableOf(
  o: ProgressiveOptions,
  grow: Map<string, Growing>,
  counts: Record<string, number>,
  names: readonly string[],
  labels: Int32Array,
  detectors: Map<string, Detector>,
  st: number,
  stages: number,
): ProgressiveTable {
  const id = grow.get('ID')!;
  let correct = 0;
  for (let i = 0; i < counts.ID; i++) correct += id.predicted[i] === labels[id.order[i]] ? 1 : 0;
  const scoresOf = (name: string, key: string) => {
    const g = grow.get(key)!;
    if (name === 'ODIN') return g.odin.slice(0, counts[key]);
    const p = prefix(g, counts[key]);
    return detectors.get(name)!.score({ logits: p.logits, features: p.features });
  };
  const metrics: DetectorEvaluation['metrics'] = {};
  const scores: NonNullable<DetectorEvaluation['scores']> = {};
  for (const name of o.detectors) {
    const idScores = scoresOf(name, 'ID');
    metrics[name] = {};
    if (o.keepScores) scores[name] = { ID: idScores };
    for (const s of names) {
      const oodScores = scoresOf(name, s);
      metrics[name][s] = idVsOodMetrics(idScores, oodScores);
      if (o.keepScores) scores[name][s] = oodScores;
    }
  }
  const fullCounts: Record<string, number> = {};
  for (const [k, g] of grow) fullCounts[k] = g.order.length;
  return {
    accuracy: correct / Math.max(1, counts.ID),
    testCount: counts.ID,
    metrics,
    scores: o.keepScores ? scores : undefined,
    counts,
    fullCounts,
    final: Object.keys(counts).every((k) => counts[k] === fullCounts[k]),
    stage: st + 1,
    stages,
  };
}
