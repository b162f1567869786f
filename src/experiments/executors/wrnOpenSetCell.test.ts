// The open-set executor (spec wrn-openset) at smoke scale on real CIFAR-10 images (the committed first 1,000
// train and test records) from the pretrained WRN-16-2: one cell gives ACC + 3 detectors × 4 metrics on
// 'cifar10-unknown'; every row equals a plain recomputation from the cell's per-sample scores (pairwise AUROC,
// threshold-scan FPR95 and AUPR, no library code); the three detectors' scores obey their definitions against
// each other; the ID targets are split 1's relabelling; no tensor leaks; a cancel stops it within a second.
// The committed reference rows pair with the spec's grid.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCifar10Fixture } from '../../../tests/fixtures/cifar10';
import { cifar10OpenSetSplit } from '../../data/openSetSplits';
import { modelFromZip } from '../../models/io';
import { registerWasmTrainingKernels } from '../../models/wasmKernels';
import type { WideResNet } from '../../models/wrn';
import type { TrainingData } from '../../train/types';
import { copyModel } from '../wrnEnvironment';
import { gridPoints, planCells } from '../grid';
import { stableStringify } from '../json';
import { fromResultsFile } from '../results';
import { experimentById } from '../registry';
import { MemoryResultsStore, RunControl, runExperiment, storedCovers } from '../run';
import type { ScoresOfCell } from '../cellScores';
import { OPEN_SET_OOD, createWrnOpenSetExecutor, probeSubset } from './wrnOpenSetCell';
import { executorKindOf } from './table';

const spec = experimentById('wrn-openset');
const provenance = { origin: 'node', backend: 'wasm', device: 'test', appVersion: '0' } as const;
const zip = new Uint8Array(
  readFileSync(new URL('../../../public/models/wrn-16-2-cifar10/model.zip', import.meta.url)),
);

/** Plain AUROC: the fraction of (OOD, ID) pairs ranked OOD-higher, ties counted ½. */
function pairAuroc(id: Float32Array, ood: Float32Array): number {
  let s = 0;
  for (const o of ood) for (const i of id) s += o > i ? 1 : o === i ? 0.5 : 0;
  return s / (id.length * ood.length);
}
/** Distinct thresholds, descending, and the counts of positives/negatives at or above each. */
function scan(pos: Float32Array, neg: Float32Array): { tp: number; fp: number }[] {
  const ts = [...new Set([...pos, ...neg])].sort((a, b) => b - a);
  return ts.map((t) => ({ tp: pos.filter((v) => v >= t).length, fp: neg.filter((v) => v >= t).length }));
}
/** FPR at the first threshold (descending) whose TPR reaches 95 %, OOD positive. */
function plainFpr95(id: Float32Array, ood: Float32Array): number {
  for (const { tp, fp } of scan(ood, id)) if (tp / ood.length >= 0.95) return fp / id.length;
  throw new Error('unreachable');
}
/** Trapezoidal area under precision(recall), with the point (recall 0, precision 1). */
function plainAupr(pos: Float32Array, neg: Float32Array): number {
  const pts = [
    { r: 0, p: 1 },
    ...scan(pos, neg).map(({ tp, fp }) => ({ r: tp / pos.length, p: tp / (tp + fp) })),
  ];
  let a = 0;
  for (let k = 1; k < pts.length; k++) a += ((pts[k].r - pts[k - 1].r) * (pts[k].p + pts[k - 1].p)) / 2;
  return a;
}
const neg = (a: Float32Array) => a.map((v) => -v);

describe('wrn-openset executor (smoke, real CIFAR-10, pretrained WRN-16-2)', () => {
  let template: WideResNet;
  let data: TrainingData;
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
    const loaded = modelFromZip(zip);
    template = loaded.model;
    data = {
      train: loadCifar10Fixture('train'),
      test: loadCifar10Fixture('test'),
      outliers: null,
      oodTests: {},
      normalization: loaded.manifest.normalization,
      numClasses: 10,
    };
  });
  afterAll(async () => {
    template.dispose();
    await tf.setBackend('cpu');
  });
  const execute = () =>
    createWrnOpenSetExecutor({
      data: async () => data,
      outliers: async () => {
        throw new Error('open-set cells use no outliers');
      },
      startModel: async (c) => copyModel(template, c.dropRate),
    });

  it('is selected by the executor table, plans split × seed, and pairs with the committed reference rows', () => {
    expect(executorKindOf(spec)).toBe('wrn-openset');
    const plans = planCells(spec, 'quick');
    expect(plans).toHaveLength(5);
    expect(plans.every((p) => p.cellKey.startsWith('wrn-openset-'))).toBe(true);
    const file = JSON.parse(
      readFileSync(new URL('../../../public/reference/openset-split1-seed1.json', import.meta.url), 'utf8'),
    );
    const ref = fromResultsFile(file);
    expect(ref.length).toBe(13);
    const points = gridPoints(spec.grid).map((p) => stableStringify(p));
    for (const r of ref) {
      expect(r.experiment).toBe(spec.id);
      expect(points).toContain(stableStringify(r.cell));
      expect(r.setting).toBe('openset');
    }
    expect(storedCovers(ref, spec.evaluate)).toBe(true);
  });

  it('produces the rows, which a plain recomputation from its per-sample scores reproduces; no leaks', async () => {
    const store = new MemoryResultsStore();
    const before = tf.memory().numTensors;
    const messages: string[] = [];
    const rows = await runExperiment(spec, {
      scale: 'smoke',
      execute: execute(),
      store,
      provenance,
      extraGrid: { split: [1] },
      onProgress: (p) => p.current && messages.push(p.current.message),
    });
    expect(tf.memory().numTensors).toBe(before);
    for (const stage of ['probe features', 'linear probe', 'fine-tuning step', 'evaluating'])
      expect(
        messages.some((m) => m.startsWith(stage)),
        stage,
      ).toBe(true);
    // 1 ACC + 3 detectors × 4 OOD metrics, all on the unknown classes, labelled as the reference's.
    expect(rows).toHaveLength(13);
    expect(new Set(rows.map((r) => r.setting))).toEqual(new Set(['openset']));
    const oodRows = rows.filter((r) => r.metric !== 'ACC');
    expect(new Set(oodRows.map((r) => r.oodSet))).toEqual(new Set([OPEN_SET_OOD]));
    expect(oodRows.every((r) => r.nId === 32 && r.nOod === 32)).toBe(true);

    const s: ScoresOfCell = [...store.scores.values()][0];
    const id = s.sets.find((x) => x.label === 'ID')!;
    const unk = s.sets.find((x) => x.name === OPEN_SET_OOD)!;
    // ID targets: the first 32 known test images of split 1, relabelled by ascending class index.
    const split = cifar10OpenSetSplit(1);
    const want: number[] = [];
    for (let i = 0; i < data.test.n && want.length < 32; i++) {
      const k = split.known.indexOf(data.test.labels![i]);
      if (k >= 0) want.push(k);
    }
    expect([...id.target!]).toEqual(want);
    const acc = id.target!.filter((t, i) => t === id.predicted![i]).length / id.target!.length;
    expect(rows.find((r) => r.metric === 'ACC')!.value).toBe(acc);
    for (const r of oodRows) {
      const a = id.scores[r.detector];
      const b = unk.scores[r.detector];
      const plain = {
        AUROC: pairAuroc(a, b),
        FPR95TPR: plainFpr95(a, b),
        'AUPR-OUT': plainAupr(b, a),
        'AUPR-IN': plainAupr(neg(a), neg(b)),
      }[r.metric as 'AUROC'];
      expect(r.value, `${r.detector} ${r.metric}`).toBeCloseTo(plain, 12);
    }
    // The detectors' definitions against each other: MSP = −exp(max z − logsumexp z) = −exp(EBO − MaxLogit).
    for (const set of [id, unk]) {
      const { MSP, MaxLogit, EBO } = set.scores;
      for (let i = 0; i < MSP.length; i++) {
        expect(EBO[i]).toBeLessThanOrEqual(MaxLogit[i] + 1e-6); // logsumexp ≥ max
        expect(MSP[i]).toBeCloseTo(-Math.exp(EBO[i] - MaxLogit[i]), 5);
      }
    }
  }, 120_000);

  it('stops within a second of a cancel, leaking nothing', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let abortedAt = 0;
    const run = runExperiment(spec, {
      scale: 'smoke',
      execute: execute(),
      store: new MemoryResultsStore(),
      provenance,
      control: new RunControl(controller.signal),
      signal: controller.signal,
      extraGrid: { split: [2] },
      onProgress: (p) => {
        if (!abortedAt && p.current?.message.startsWith('fine-tuning')) {
          abortedAt = Date.now();
          controller.abort();
        }
      },
    });
    await expect(run).rejects.toThrow(/abort/i);
    expect(abortedAt).toBeGreaterThan(0);
    expect(Date.now() - abortedAt).toBeLessThan(1000);
    expect(tf.memory().numTensors).toBe(before);
  }, 120_000);

  it('draws the probe subset seeded, distinct and ascending', () => {
    const a = probeSubset(100, 30, 1);
    expect([...a]).toEqual([...probeSubset(100, 30, 1)]);
    expect(new Set(a).size).toBe(30);
    expect([...a]).toEqual([...a].sort((x, y) => x - y));
    expect([...a]).not.toEqual([...probeSubset(100, 30, 2)]);
    expect(probeSubset(10, 30, 1)).toHaveLength(10);
  });
});
