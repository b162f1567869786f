// The DOM-free pieces behind the Experiments area and `npm run exp`: reading dropped/reference results, the seeds
// field, the figure CSV and text tables (numbers recomputed here by hand), the torchrun command, and the WRN
// environment (start-model copies, per-cell PPCA outliers).
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { loadCifar10Fixture } from '../../tests/fixtures/cifar10';
import { WideResNet } from '../models/wrn';
import { wrnConfig } from '../models/wrnSpec';
import { DEFAULT_CONFIG } from '../train/config';
import { ppcaOutliers } from '../train/trainingSets';
import { rowsToCsv } from './csv';
import { parseResultsText, referenceIndexFiles } from './importRows';
import { toResultsFile } from './results';
import { seedsGrid } from './seeds';
import { torchrunCommand } from './specFile';
import { figureCsv, formatMeanSd, plotTables, tablesToText } from './table';
import { toyEpsSweep } from './specs/toyEpsSweep';
import type { ResultRow } from './types';
import { copyModel, createWrnEnvironment } from './wrnEnvironment';

function row(
  method: string,
  epsilon: number,
  seed: number,
  metric: 'AREA' | 'AUROC',
  value: number,
  set = '',
): ResultRow {
  const cell = { method, epsilon, seed };
  return {
    experiment: toyEpsSweep.id,
    cellKey: `toy-${method}-${epsilon}-${seed}`,
    cell,
    config: { ...cell, steps: 100 },
    seed,
    setting: 'toy',
    detector: metric === 'AUROC' ? 'EBO' : '',
    oodSet: set,
    metric,
    value,
    epoch: null,
    budget: null,
    nId: 150,
    nOod: metric === 'AUROC' ? 200 : null,
    origin: 'browser',
    backend: 'wasm',
    device: 'test',
    scale: 'smoke',
    appVersion: '0.1.0',
    date: '2026-11-30T12:00:00.000Z',
  };
}

const rows: ResultRow[] = [
  row('AOE', 0, 1, 'AREA', 0.5),
  row('AOE', 0, 2, 'AREA', 0.7),
  row('AOE', 0.5, 1, 'AREA', 0.25),
  row('AOE', 0.5, 2, 'AREA', 0.35),
  row('AOE', 0.5, 1, 'AUROC', 0.8, 'near'),
  row('AOE', 0.5, 1, 'AUROC', 0.9, 'far'),
];

describe('reading results', () => {
  it('reads aoe-results JSON and results CSV by content, and names the file in errors', () => {
    const json = JSON.stringify(toResultsFile(rows));
    expect(parseResultsText('a.txt', json)).toEqual(rows);
    const fromCsv = parseResultsText('b.json', rowsToCsv(rows));
    expect(fromCsv.map((r) => [r.cell, r.metric, r.value, r.nId, r.nOod])).toEqual(
      rows.map((r) => [r.cell, r.metric, r.value, r.nId, r.nOod]),
    );
    expect(() => parseResultsText('bad.json', '{"schema":"x"}')).toThrow(
      /^bad\.json: Not an AOE results file/,
    );
    expect(() => parseResultsText('bad.csv', 'a,b\n1,2\n')).toThrow(/^bad\.csv: .*column "experiment"/);
  });

  it('takes reference file names from index.json and refuses paths', () => {
    expect(referenceIndexFiles(['a.json', 'b.csv'])).toEqual(['a.json', 'b.csv']);
    expect(referenceIndexFiles({ files: ['wrn-table2.json'] })).toEqual(['wrn-table2.json']);
    expect(() => referenceIndexFiles({ files: ['../secret.json'] })).toThrow(/not a plain/);
    expect(() => referenceIndexFiles({ nope: 1 })).toThrow(/list of file names/);
  });

  it('parses the seeds field', () => {
    expect(seedsGrid('')).toEqual({});
    expect(seedsGrid(' 1, 2 3,2 ')).toEqual({ seed: [1, 2, 3] });
    expect(() => seedsGrid('1,1.5')).toThrow(/"1.5" is not an integer/);
  });
});

describe('plotted numbers', () => {
  it('figure CSV and tables carry the mean ± sd over seeds, recomputed by hand', () => {
    const lines = figureCsv(toyEpsSweep, rows).trim().split('\n');
    expect(lines[0]).toBe('panel,series,origin,backend,setting,scale,date,epsilon,mean,sd,n,seeds');
    const area = lines.filter((l) => l.startsWith('"accepted area'));
    expect(area).toHaveLength(2);
    const at0 = area[0].split(',');
    expect(Number(at0[8])).toBeCloseTo(0.6, 12);
    expect(Number(at0[9])).toBeCloseTo(Math.sqrt(((0.5 - 0.6) ** 2 + (0.7 - 0.6) ** 2) / 1), 12);
    expect(at0[11]).toBe('1 2');
    expect(at0.slice(2, 7)).toEqual(['browser', 'wasm', 'toy', 'smoke', '2026-11-30']);
    // AUROC panel averages the OOD sets of one cell first: (0.8 + 0.9) / 2, one seed.
    const auroc = lines.filter((l) => l.startsWith('"AUROC'));
    expect(auroc).toHaveLength(1);
    expect(Number(auroc[0].split(',')[8])).toBeCloseTo(0.85, 12);
    const tables = plotTables(toyEpsSweep, rows);
    expect(tables[0].columns).toEqual([0, 0.5]);
    expect(tables[0].rows[0].cells).toEqual(['60.00 ± 14.14', '30.00 ± 7.07']);
    expect(tablesToText(tables, 'epsilon')).toContain('AOE · your browser wasm, smoke (toy)');
    expect(formatMeanSd(0.93214, 0.004, 1)).toBe('93.21');
    expect(formatMeanSd(NaN, 0, 1)).toBe('–');
  });

  it('states the torchrun command for a spec file', () => {
    expect(torchrunCommand('wrn-table2', 4)).toBe(
      '/usr/bin/python3 -m torch.distributed.run --nproc_per_node=4 reference/run_experiment.py wrn-table2.spec.json --out results/',
    );
  });
});

describe('WRN environment', () => {
  it('gives every cell a fresh copy of the start model and the same PPCA outliers for the same config', async () => {
    const template = new WideResNet(wrnConfig('WRN-10-1', { dropRate: 0.3 }), 7);
    const train = loadCifar10Fixture('train');
    const data = {
      train,
      test: train,
      outliers: null,
      oodTests: {},
      normalization: {
        mean: [0.5, 0.5, 0.5] as [number, number, number],
        std: [0.25, 0.25, 0.25] as [number, number, number],
      },
      numClasses: 10,
    };
    const env = createWrnEnvironment({ data: async () => data, template: async () => template });
    const signal = new AbortController().signal;
    const config = {
      ...DEFAULT_CONFIG,
      model: 'WRN-10-1',
      dropRate: 0,
      sigma2: 2,
      outlierCount: 32,
      seed: 3,
    };
    const before = tf.memory().numTensors;
    const copy = await env.startModel(config);
    expect(copy.config.dropRate).toBe(0);
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1);
    const a = template.forward(x as tf.Tensor4D, { training: false });
    const b = copy.forward(x as tf.Tensor4D, { training: false });
    expect(Array.from(b.logits.dataSync())).toEqual(Array.from(a.logits.dataSync()));
    tf.dispose([x, a.logits, a.features, b.logits, b.features]);
    // Changing the copy leaves the template alone.
    const st = copy.getState();
    const key = [...st.tensors.keys()][0];
    copyModel(template, 0.3).dispose();
    const original = template.getState();
    expect(Array.from(original.tensors.get(key)!.dataSync())).toEqual(
      Array.from(st.tensors.get(key)!.dataSync()),
    );
    tf.dispose([...st.tensors.values(), ...original.tensors.values()]);
    copy.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(env.startModel({ ...config, model: 'WRN-16-2' })).rejects.toThrow(/start model is WRN-10-1/);

    const o1 = await env.outliers(config, signal);
    expect(await env.outliers(config, signal)).toBe(o1);
    expect(o1.n).toBe(32);
    expect(o1.images).toEqual(ppcaOutliers(train, 32, 2, 3).images);
    const o2 = await env.outliers({ ...config, seed: 4 }, signal);
    expect(o2.images).not.toEqual(o1.images);
    template.dispose();
  });
});
