import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-wasm';
import { test } from 'vitest';
import { parseCifarBinary } from '../src/data/cifar';
import { loadFiles, type InputFile } from '../src/data/loadFiles';
import { createWrnExecutor } from '../src/experiments/executors/wrnCell';
import { experimentById } from '../src/experiments/registry';
import { MemoryResultsStore, runExperiment } from '../src/experiments/run';
import { registerWasmTrainingKernels } from '../src/models/wasmKernels';
import { modelFromZip } from '../src/models/io';
import { WideResNet } from '../src/models/wrn';
import { noiseSet, ppcaOutliers, WRN_NORMALIZATION } from '../src/train/trainingSets';
import type { ImageSet, TrainingData } from '../src/train/types';
import { nodeImageDecoder } from '../tests/helpers/nodeImageDecoder';

/**
 * Wall time of ONE quick-scale cell per distinct cost, through the experiment runner in Node on tfjs-wasm, on
 * the served data (CIFAR-10 + Textures + Fashion-MNIST + Gaussian/uniform noise) and the pretrained WRN-16-2.
 * `npx vitest run --config bench/vitest.config.ts bench/quickCells.bench-run.ts` (env QUICK_CELLS: semicolon list
 * of cell names). Writes bench/results/quick-cells.json. The machine is shared: times include contention.
 */
const CELLS: Record<string, { spec: string; point: Record<string, (string | number)[]> }> = {
  'table2-AOE (9 detectors)': { spec: 'wrn-table2', point: { method: ['AOE'] } },
  'eps-sweep-AOE (EBO, MSP)': { spec: 'wrn-eps-sweep', point: { method: ['AOE'], epsilon: [0.5] } },
  'attack-AOE (FGSM, 7 budgets)': { spec: 'wrn-attack', point: { method: ['AOE'] } },
  'epochs-AOE (4 epochs, 5 evaluations)': { spec: 'wrn-epochs', point: { method: ['AOE'] } },
  'adversaries-AOE-PGD (5 steps)': {
    spec: 'wrn-adversaries',
    point: { method: ['AOE-PGD'], epsilon: [0.5] },
  },
};

function fileInput(path: string): InputFile {
  const bytes = new Uint8Array(readFileSync(path));
  return {
    name: path.split('/').pop()!,
    size: bytes.length,
    bytes: async () => bytes,
    stream: () => [bytes],
  };
}

async function servedData(): Promise<TrainingData> {
  const train = parseCifarBinary(readFileSync('public/data/cifar10/data_batch_1.bin'), 'cifar10', 'train');
  const testSet = parseCifarBinary(readFileSync('public/data/cifar10/test_batch.bin'), 'cifar10', 'test');
  const oodTests: Record<string, ImageSet> = {};
  for (const files of [
    ['public/data/ood/textures10-32.bin'],
    ['public/data/ood/fashion-mnist/t10k-images-idx3-ubyte.gz'],
  ]) {
    const r = await loadFiles(files.map(fileInput), 'ood', { decode: nodeImageDecoder, origin: 'bench' });
    for (const s of r.sets) oodTests[s.set.name] = s.set;
  }
  oodTests['Gaussian noise'] = noiseSet('gaussian', 1000, 11);
  oodTests['Uniform noise'] = noiseSet('uniform', 1000, 12);
  return { train, test: testSet, outliers: null, oodTests, normalization: WRN_NORMALIZATION, numClasses: 10 };
}

test('quick cells', async () => {
  await tf.setBackend('wasm');
  registerWasmTrainingKernels();
  const data = await servedData();
  const zip = new Uint8Array(readFileSync('public/models/wrn-16-2-cifar10/model.zip'));
  const execute = createWrnExecutor({
    data: async () => data,
    outliers: async (c) => ppcaOutliers(data.train, c.outlierCount, c.sigma2, c.seed),
    startModel: async (c) => {
      const { model } = modelFromZip(zip);
      const fresh = new WideResNet({ ...model.config, dropRate: c.dropRate }, 0);
      const state = model.getState();
      fresh.setState(state);
      tf.dispose([...state.tensors.values()]);
      model.dispose();
      return fresh;
    },
  });
  const wanted = process.env.QUICK_CELLS?.split(';') ?? Object.keys(CELLS);
  const out: Record<string, unknown>[] = [];
  for (const name of wanted) {
    const cell = CELLS[name];
    if (!cell) throw new Error(`Unknown cell ${name}`);
    const spec = experimentById(cell.spec);
    const extraGrid = Object.fromEntries(
      Object.entries(spec.grid).map(([k, v]) => [k, cell.point[k] ?? [v[0]]]),
    );
    const load = os.loadavg()[0];
    const t0 = performance.now();
    let last = '';
    const rows = await runExperiment(spec, {
      scale: 'quick',
      execute,
      store: new MemoryResultsStore(),
      provenance: { origin: 'node', backend: 'wasm', device: os.cpus()[0]?.model ?? '', appVersion: 'bench' },
      extraGrid,
      onProgress: (p) => {
        const m = p.current?.message ?? '';
        if (m.split(':')[0] !== last) console.log(`${name}: ${m}`);
        last = m.split(':')[0];
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const ebo = rows.filter((r) => r.detector === 'EBO' && r.metric === 'AUROC' && r.epoch === null);
    const meanEbo = ebo.reduce((a, r) => a + r.value, 0) / Math.max(1, ebo.length);
    const acc = rows.find((r) => r.metric === 'ACC' && r.epoch === null)?.value;
    out.push({
      cell: name,
      spec: cell.spec,
      seconds,
      rows: rows.length,
      acc,
      meanEboAuroc: meanEbo,
      load1: load,
    });
    console.log(
      `${name}: ${seconds.toFixed(0)} s, ${rows.length} rows, ACC ${acc}, mean EBO AUROC ${meanEbo}`,
    );
    mkdirSync('bench/results', { recursive: true });
    writeFileSync(
      'bench/results/quick-cells.json',
      JSON.stringify(
        {
          backend: 'wasm (Node)',
          cpu: os.cpus()[0]?.model,
          cores: os.cpus().length,
          note: 'shared machine (~8 engineers on 2 cores): times include contention; load1 = 1-min load average at start',
          date: new Date().toISOString(),
          cells: out,
        },
        null,
        2,
      ),
    );
  }
}, 7_200_000);
