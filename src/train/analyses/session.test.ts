// The analyses session in Node, as the worker adapts it: it names what is missing, caches the finished table per
// model version and data (a changed model recomputes), serves ROC curves and energies from that table's scores
// (energies checked against a plain −logsumexp of the model's logits), generates outliers when none are
// loaded, cancels a running table, and leaks no tensors.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WideResNet } from '../../models/wrn';
import { wrnConfig } from '../../models/wrnSpec';
import { tinyData } from '../../../tests/train/fixtures';
import { gatherImages, normalizer, toImageTensor } from '../batches';
import type { TrainingData } from '../types';
import { AnalysesSession, type CurrentModel } from './session';

describe('AnalysesSession', () => {
  let model: WideResNet;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    model = new WideResNet(wrnConfig('WRN-10-1', { numClasses: 2, dropRate: 0 }), 5);
  });
  afterAll(() => model.dispose());

  const info = {
    preset: 'WRN-10-1',
    source: 'scratch',
    detail: 'seed 5',
    parameters: 0,
    classes: 2,
  } as const;
  function sessionOver(data: TrainingData | null) {
    const state = { version: 1, running: false, loaded: true };
    const source = {
      model: (): CurrentModel | null =>
        state.loaded ? { model, info, version: state.version, method: null } : null,
      data: () => data,
      trainingRunning: () => state.running,
    };
    return { session: new AnalysesSession(source), state };
  }
  const table = { limit: 0, fitLimit: 8, detectors: ['MSP', 'EBO'] as const, stages: [8] };
  const tableArgs = { ...table, detectors: [...table.detectors] };

  it('says what is missing first, in the order a user fixes it', async () => {
    await expect(sessionOver(null).session.roc('EBO')).rejects.toThrow(/Load the CIFAR-10 train and test/);
    const s = sessionOver(tinyData(32, 16));
    s.state.loaded = false;
    await expect(s.session.roc('EBO')).rejects.toThrow(/No model is loaded/);
    s.state.loaded = true;
    s.state.running = true;
    await expect(s.session.gallery({ count: 2, epsilons: [0] })).rejects.toThrow(/training run is using/);
    const noOod = sessionOver({ ...tinyData(32, 16), oodTests: {} });
    await expect(noOod.session.roc('EBO')).rejects.toThrow(/No OOD test set/);
  });

  it('caches the finished table per model version, serves ROC and energies from it, and leaks nothing', async () => {
    const data = tinyData(32, 16);
    const { session, state } = sessionOver(data);
    const before = tf.memory().numTensors;
    let progress = 0;
    const tables: number[] = [];
    const first = await session.detectorTable(
      tableArgs,
      () => progress++,
      (t) => tables.push(t.stage),
    );
    expect(first.final).toBe(true);
    expect(first.summaries.map((s) => s.detector)).toEqual(['MSP', 'EBO']);
    expect(progress).toBeGreaterThan(0);
    // Same model, data and sizes: the same table at once, no work.
    progress = 0;
    const again = await session.detectorTable(tableArgs, () => progress++);
    expect(again).toBe(first);
    expect(progress).toBe(0);

    const roc = await session.roc('EBO');
    expect(roc.curves.map((c) => c.set)).toEqual(['noise']);
    await expect(session.roc('ViM')).rejects.toThrow(/Run the detector table for ViM/);

    // Energies of ID come from the table's EBO scores: −logsumexp of the eval-mode logits, recomputed here.
    const energies = await session.energies({ limit: 0, outlierCount: 5 }, () => {});
    const pre = normalizer(data.normalization.mean, data.normalization.std);
    const byHand = tf.tidy(() => {
      const x = toImageTensor(gatherImages(data.test, [...Array(data.test.n).keys()], null), data.test);
      const l = model.forward(pre(x) as tf.Tensor4D, { training: false }).logits;
      return Array.from(tf.neg(tf.logSumExp(l, 1)).dataSync());
    });
    // (The progressive table visits images in a stratified order: compare as sorted lists.)
    expect(energies.id.length).toBe(data.test.n);
    const sorted = (a: ArrayLike<number>) => Array.from(a).sort((p, q) => p - q);
    const hand = sorted(byHand);
    sorted(energies.id).forEach((v, i) => expect(v).toBeCloseTo(hand[i], 4));
    expect(energies.outliers.length).toBe(5);
    expect(energies.outlierSource).toBe('noise');
    // The ε slider perturbs the same five outliers; ε = 0 gives their clean energies.
    const zero = await session.perturbedEnergies(0);
    expect(Array.from(zero.energies)).toEqual(Array.from(energies.outliers));

    // A new model version: ROC refuses the stale scores and the table is recomputed.
    state.version = 2;
    await expect(session.roc('EBO')).rejects.toThrow(/Run the detector table/);
    const recomputed = await session.detectorTable(tableArgs, () => progress++);
    expect(recomputed).not.toBe(first);
    expect(recomputed.model.version).toBe(2);
    expect(progress).toBeGreaterThan(0);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('generates PPCA outliers when none are loaded, and cancel() aborts a running table', async () => {
    const { session } = sessionOver({ ...tinyData(32, 16), outliers: null });
    const e = await session.energies({ limit: 0, outlierCount: 3 }, () => {});
    expect(e.outliers.length).toBe(3);
    expect(e.outlierSource).toMatch(/^PPCA σ² = 2, seed 1/);
    const running = session.detectorTable({ ...tableArgs, detectors: ['MSP', 'EBO', 'ViM'] }, () => {});
    session.cancel();
    await expect(running).rejects.toThrow(/abort/i);
  });
});
