// The WRN executor with `evaluate.attack` (Fig. 6 specs): a smoke cell on tiny images trains, then emits one row
// per budget × detector × set × metric (budget 0 = clean) plus clean ACC, equal to evaluateAttack on the trained
// model; and the runner retrains a stored cell that was never attacked instead of reusing it.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '../../models/wasmKernels';
import { WideResNet } from '../../models/wrn';
import { wrnConfig } from '../../models/wrnSpec';
import { tinyData } from '../../../tests/train/fixtures';
import { evaluateAttack } from '../../train/attackEval';
import { experimentById } from '../registry';
import { MemoryResultsStore, runExperiment } from '../run';
import { createWrnExecutor } from './wrnCell';

const data = tinyData(32, 32);
const provenance = { origin: 'node', backend: 'wasm', device: 'test', appVersion: '0' } as const;

describe('WRN executor with a test-time attack', () => {
  let last: WideResNet | null = null;
  beforeAll(async () => {
    await tf.setBackend('wasm');
    registerWasmTrainingKernels();
  });
  afterAll(async () => {
    last?.dispose();
    await tf.setBackend('cpu');
  });
  const execute = createWrnExecutor({
    data: async () => data,
    outliers: async () => data.outliers!,
    startModel: async (c) => {
      const m = new WideResNet(wrnConfig('WRN-10-1', { numClasses: 2, dropRate: c.dropRate }), 5);
      // Keep the trained model's weights to re-evaluate them by hand (the executor disposes its own).
      const dispose = m.dispose.bind(m);
      m.dispose = () => {
        last?.dispose();
        last = new WideResNet(m.config, 0);
        const s = m.getState();
        last.setState(s);
        tf.dispose([...s.tensors.values()]);
        dispose();
      };
      return m;
    },
  });

  it('emits per-budget rows equal to evaluateAttack on the trained model', async () => {
    const spec = experimentById('wrn-attack');
    const rows = await runExperiment(spec, {
      scale: 'smoke',
      execute,
      store: new MemoryResultsStore(),
      provenance,
      extraGrid: { method: ['AOE'] },
    });
    const budgets = spec.evaluate.attack!.budgets;
    // 1 ACC + budgets × 2 detectors × 1 set × 2 OOD metrics.
    expect(rows.length).toBe(1 + budgets.length * 2 * 2);
    expect(rows.filter((r) => r.metric === 'ACC').map((r) => r.budget)).toEqual([null]);
    const ev = await evaluateAttack(last!, data, {
      kind: 'fgsm',
      budgets,
      detectors: ['EBO', 'MSP'],
      oodSets: 'all',
      limit: 64,
      fitLimit: 128,
      seed: 1,
    });
    budgets.forEach((b, i) => {
      const r = rows.find((x) => x.budget === b && x.detector === 'EBO' && x.metric === 'AUROC')!;
      expect(r.value).toBe(ev.perBudget[i].EBO.noise.AUROC);
      expect([r.nId, r.nOod]).toEqual([16, 16]);
    });
  }, 300_000);

  it('retrains a stored cell that was evaluated without the attack', async () => {
    const store = new MemoryResultsStore();
    const calls: string[] = [];
    const counting: typeof execute = (config, ctx) => {
      calls.push(ctx.spec.id);
      return execute(config, ctx);
    };
    const table = experimentById('wrn-per-dataset');
    await runExperiment(table, {
      scale: 'smoke',
      execute: counting,
      store,
      provenance,
      extraGrid: { method: ['OE'] },
    });
    await runExperiment(experimentById('wrn-attack'), {
      scale: 'smoke',
      execute: counting,
      store,
      provenance,
      extraGrid: { method: ['OE'] },
    });
    await runExperiment(table, {
      scale: 'smoke',
      execute: counting,
      store,
      provenance,
      extraGrid: { method: ['OE'] },
    });
    expect(calls).toEqual(['wrn-per-dataset', 'wrn-attack']);
  }, 300_000);
});
