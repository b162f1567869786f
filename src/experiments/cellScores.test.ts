// Per-sample scores of a cell: the runner keeps them beside the rows for toy and WRN cells; recomputing the
// metrics from them with oodMetrics gives the cell's rows exactly; the CSV export round-trips bit for bit; and a
// malformed file is refused with the line named.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../models/wasmKernels';
import { WideResNet } from '../models/wrn';
import { wrnConfig } from '../models/wrnSpec';
import { tinyData } from '../../tests/train/fixtures';
import {
  cellScoresFromCsv,
  cellScoresKey,
  cellScoresToCsv,
  metricsFromScores,
  type CellScores,
} from './cellScores';
import { defineExperiment } from './define';
import { createWrnExecutor } from './executors/wrnCell';
import { toyExecutor } from './executors/toyCell';
import { experimentById } from './registry';
import { MemoryResultsStore, runExperiment } from './run';
import type { ResultRow } from './types';

const provenance = { origin: 'node', backend: 'wasm', device: 'test', appVersion: '0' } as const;

/** Every row of the cell's final evaluation equals the value recomputed from its stored scores (toBe: exact). */
function expectRowsRecomputed(rows: readonly ResultRow[], scores: CellScores): number {
  const re = metricsFromScores(scores);
  let checked = 0;
  for (const r of rows.filter((x) => x.cellKey === scores.cellKey && x.epoch === null && x.budget === null)) {
    if (r.metric === 'AREA') continue;
    if (r.metric === 'ACC') expect(r.value).toBe(re.accuracy);
    else {
      const m = re.metrics[r.detector][r.oodSet];
      expect(m[r.metric]).toBe(r.value);
      expect([m.nId, m.nOod]).toEqual([r.nId, r.nOod]);
    }
    checked++;
  }
  return checked;
}

function expectRoundTrip(s: CellScores): void {
  const back = cellScoresFromCsv(cellScoresToCsv(s));
  expect(back).toEqual(s);
  // toEqual compares Float32Array values with Object.is: bit-identical, -0 and NaN included.
  for (const set of s.sets)
    for (const d of s.detectors)
      expect(Buffer.from(back.sets.find((x) => x.name === set.name)!.scores[d].buffer)).toEqual(
        Buffer.from(set.scores[d].buffer),
      );
}

describe('per-sample scores of a cell', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('toy cells: scores are stored per cell and reproduce every row exactly', async () => {
    const spec = experimentById('toy-eps-sweep');
    const store = new MemoryResultsStore();
    const rows = await runExperiment(spec, {
      scale: 'smoke',
      execute: toyExecutor,
      store,
      provenance,
      extraGrid: { epsilon: [0.5], method: ['AOE'] },
    });
    const cells = [...new Set(rows.map((r) => r.cellKey))];
    expect(cells).toHaveLength(1);
    const s = store.scores.get(cellScoresKey(cells[0], 'smoke'))!;
    expect(s.experiment).toBe(spec.id);
    expect(s.detectors).toEqual(['EBO']);
    expect(s.sets.map((x) => [x.name, x.label])).toEqual([
      ['ID', 'ID'],
      ['near', 'OOD'],
      ['far', 'OOD'],
    ]);
    expect(s.sets[0].target!.length).toBe(s.sets[0].scores.EBO.length);
    // ACC + EBO × {near, far} × {AUROC, FPR95TPR}.
    expect(expectRowsRecomputed(rows, s)).toBe(5);
    expectRoundTrip(s);
  });

  it('WRN cells (fitted, feature and input detectors): scores reproduce every row exactly', async () => {
    const data = tinyData(32, 32);
    const spec = defineExperiment({
      ...experimentById('wrn-pipeline-check'),
      id: 'wrn-scores-check',
      grid: { method: ['AOE'], seed: [1] },
      evaluate: {
        detectors: ['EBO', 'MSP', 'Mahalanobis', 'ViM', 'KLMatching', 'ODIN'],
        oodSets: 'all',
        metrics: ['AUROC', 'AUPR-IN', 'AUPR-OUT', 'FPR95TPR', 'ACC'],
      },
    });
    const store = new MemoryResultsStore();
    const before = tf.memory().numTensors;
    const rows = await runExperiment(spec, {
      scale: 'smoke',
      execute: createWrnExecutor({
        data: async () => data,
        outliers: async () => data.outliers!,
        startModel: async (c) =>
          new WideResNet(wrnConfig('WRN-10-1', { numClasses: 2, dropRate: c.dropRate }), 5),
      }),
      store,
      provenance,
    });
    expect(tf.memory().numTensors).toBe(before);
    const s = [...store.scores.values()][0];
    expect(store.scores.size).toBe(1);
    expect(s.detectors).toEqual(spec.evaluate.detectors);
    const oodNames = Object.keys(data.oodTests);
    expect(s.sets.map((x) => x.name)).toEqual(['ID', ...oodNames]);
    const id = s.sets[0];
    expect([...id.target!]).toEqual([...data.test.labels!.subarray(0, id.target!.length)]);
    // 1 ACC + 6 detectors × sets × 4 metrics, each recomputed exactly.
    expect(expectRowsRecomputed(rows, s)).toBe(1 + 6 * oodNames.length * 4);
    expectRoundTrip(s);
    // A changed score changes a recomputed metric: the check can fail.
    const tampered = cellScoresFromCsv(cellScoresToCsv(s));
    tampered.sets[1].scores.EBO.fill(-1e9);
    expect(metricsFromScores(tampered).metrics.EBO[oodNames[0]].AUROC).not.toBe(
      metricsFromScores(s).metrics.EBO[oodNames[0]].AUROC,
    );
  });

  it('writes Float32 scores exactly, quotes set names, and refuses malformed files naming the line', () => {
    const s: CellScores = {
      format: 'aoe-cell-scores',
      version: 1,
      experiment: 'x',
      cellKey: 'k1',
      scale: 'smoke',
      detectors: ['EBO', 'MSP'],
      sets: [
        {
          name: 'ID',
          label: 'ID',
          scores: { EBO: Float32Array.of(0.1, -0, 1e-30), MSP: Float32Array.of(-3.4e38, 1 / 3, 7) },
          target: Int32Array.of(0, 1, 2),
          predicted: Int32Array.of(0, 2, 2),
        },
        { name: 'a, "b"', label: 'OOD', scores: { EBO: Float32Array.of(Math.PI), MSP: Float32Array.of(2) } },
      ],
    };
    const csv = cellScoresToCsv(s);
    expect(csv.split('\n').slice(0, 3)).toEqual([
      '# aoe-cell-scores v1 experiment=x cellKey=k1 scale=smoke',
      'set,index,label,target,predicted,EBO,MSP',
      `ID,0,ID,0,0,${Math.fround(0.1)},-3.3999999521443642e+38`,
    ]);
    expect(csv).toContain('"a, ""b""",0,OOD,,,3.1415927410125732,2');
    expectRoundTrip(s);
    expect(metricsFromScores(s).accuracy).toBeCloseTo(2 / 3, 15);
    expect(() => cellScoresFromCsv('set,index\n')).toThrow(/first line/);
    expect(() => cellScoresFromCsv(csv.replace('ID,0,ID,0,0,', 'ID,0,XX,0,0,'))).toThrow(/line 3: label/);
    expect(() => cellScoresFromCsv(csv.replace('ID,1,ID', 'ID,5,ID'))).toThrow(/line 4: sample index 5/);
    expect(() => cellScoresFromCsv(csv.replace(',7\n', ',seven\n'))).toThrow(/"seven" is not a score/);
  });
});
