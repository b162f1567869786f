// Cancel and pause reach a step in flight (a WideResNet step yields between layers), and a run shows a
// 'first-step' progress before its first step is done.
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyData } from '../../tests/train/fixtures';
import { useFastCpuConvFilterGradient } from '../models/wasmKernels';
import { WideResNet } from '../models/wrn';
import { wrnConfig } from '../models/wrnSpec';
import { MemoryCheckpointStore, serializeModelState } from './checkpoint';
import { DEFAULT_CONFIG, type ExperimentConfig } from './config';
import { Trainer, type TrainProgress } from './loop';
import { Sgd } from './optim/sgd';

const config: ExperimentConfig = {
  ...DEFAULT_CONFIG,
  model: 'WRN-10-1',
  epochs: 1,
  subsetSize: 8,
  idBatchSize: 4,
  outlierBatchSize: 4,
  seed: 5,
};

function setup(onProgress: (p: TrainProgress, t: Trainer) => void) {
  const model = new WideResNet(wrnConfig('WRN-10-1', { dropRate: 0.3, numClasses: 2 }), 2);
  const optimizer = new Sgd(model.trainableVariables(), { lr: config.lr, momentum: 0.9, nesterov: true });
  const losses: number[] = [];
  const trainer: Trainer = new Trainer(model, tinyData(32, 8), config, {
    runId: 'r',
    store: new MemoryCheckpointStore(),
    optimizer,
    onProgress: (p, point) => {
      if (point) losses.push(point.loss);
      onProgress(p, trainer);
    },
  });
  return { model, optimizer, trainer, losses };
}

let restore = () => {};
beforeAll(() => {
  restore = useFastCpuConvFilterGradient();
});
afterAll(() => restore());

describe('interrupting a step in flight', () => {
  it('cancel during the first step ends the run without finishing that step, model untouched', async () => {
    const phases: string[] = [];
    const { model, optimizer, trainer } = setup((p, t) => {
      phases.push(`${p.status}/${p.phase}/${p.step}`);
      if (p.phase === 'first-step' && p.status === 'running') setTimeout(() => t.cancel(), 30);
    });
    const before = (await serializeModelState(model.getState())).tensors;
    const final = await trainer.run();
    expect(phases[0]).toBe('running/first-step/0'); // shown before any step is done
    expect(final.status).toBe('cancelled');
    expect(final.step).toBe(0);
    const after = (await serializeModelState(model.getState())).tensors;
    expect(after).toEqual(before);
    model.dispose();
    optimizer.dispose();
  });

  it('pause during a step interrupts it; after resume the run ends exactly as an uninterrupted one', async () => {
    const plain = setup(() => {});
    const done = await plain.trainer.run();
    expect(done.status).toBe('completed');
    const statuses: string[] = [];
    let paused = false;
    const interrupted = setup((p, t) => {
      statuses.push(`${p.status}/${p.step}`);
      if (p.phase === 'first-step' && !paused) {
        paused = true;
        setTimeout(() => t.pause(), 30);
      }
      if (p.status === 'paused') setTimeout(() => t.resume(), 10);
    });
    const before = tf.memory().numTensors;
    const final = await interrupted.trainer.run();
    expect(statuses).toContain('paused/0'); // paused inside step 1, before it was applied
    expect(final.status).toBe('completed');
    expect(interrupted.losses).toEqual(plain.losses);
    interrupted.optimizer.dispose(); // its momentum buffers are the only tensors a run adds
    expect(tf.memory().numTensors).toBe(before);
    interrupted.model.dispose();
    plain.model.dispose();
    plain.optimizer.dispose();
  });
});
