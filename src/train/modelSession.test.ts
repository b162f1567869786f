// The worker's session object in Node: the model's manifest normalisation reaches the data training and
// evaluation use (not a constant), a replaced model is disposed, a dropout change keeps weights and
// normalisation, and a run marks the weights as trained.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { WideResNet } from '../models/wrn';
import { wrnConfig } from '../models/wrnSpec';
import { tinyData } from '../../tests/train/fixtures';
import { ModelSession } from './modelSession';
import type { TrainProgress } from './loop';
import { WRN_NORMALIZATION } from './trainingSets';
import { MemoryCheckpointStore } from './checkpoint';
import { DEFAULT_CONFIG } from './config';
import { Trainer } from './loop';
import { Sgd } from './optim/sgd';
import { TinyNet } from './tinyNet';

const small = (dropRate = 0) => new WideResNet(wrnConfig('WRN-10-1', { numClasses: 2, dropRate }), 3);
const OWN = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] } as {
  mean: [number, number, number];
  std: [number, number, number];
};

describe('ModelSession', () => {
  it('takes the normalisation from the loaded weights’ manifest and applies it to the data', async () => {
    await tf.setBackend('cpu');
    const s = new ModelSession();
    const data = tinyData(8, 8);
    s.setModel(small(), 'imported', 'own.tfjs.zip', OWN);
    expect(s.dataForModel(data).normalization).toEqual(OWN);
    expect(s.dataForModel(data).train).toBe(data.train);
    // Weights without a manifest (safetensors) use the pretrained CIFAR-10 statistics.
    s.setModel(small(), 'imported', 'x.safetensors', null);
    expect(s.normalization).toEqual(WRN_NORMALIZATION);
    expect(s.version).toBe(2);
    s.model!.dispose();
  });

  it('disposes a replaced model; a dropout change keeps the weights and the normalisation', async () => {
    await tf.setBackend('cpu');
    const s = new ModelSession();
    const before = tf.memory().numTensors;
    s.setModel(small(), 'pretrained', 'p', OWN);
    const withOne = tf.memory().numTensors;
    s.setModel(small(), 'scratch', 's', OWN);
    expect(tf.memory().numTensors).toBe(withOne);
    const x = tf.randomUniform([2, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const logits = (m: WideResNet) => {
      const t = tf.tidy(() => m.forward(x, { training: false }).logits);
      const v = Array.from(t.dataSync());
      t.dispose();
      return v;
    };
    const old = logits(s.model!);
    const m = s.withDropRate(
      0.3,
      (classes) => new WideResNet(wrnConfig('WRN-10-1', { numClasses: classes, dropRate: 0.3 }), 9),
    );
    expect(m.config.dropRate).toBe(0.3);
    expect(logits(m)).toEqual(old);
    expect(s.normalization).toEqual(OWN);
    expect(s.info!.source).toBe('scratch');
    s.finishRun({ step: 4, totalSteps: 4, status: 'completed' } as TrainProgress, 'AOE');
    expect(s.info!.source).toBe('trained');
    expect(s.info!.detail).toBe('AOE, 4 of 4 steps');
    x.dispose();
    s.model!.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => new ModelSession().requireModel()).toThrow(/No model is loaded/);
  });

  it('runs a trainer as the running run, and a device loss turns its result into an error naming it', async () => {
    await tf.setBackend('cpu');
    const s = new ModelSession();
    const config = { ...DEFAULT_CONFIG, model: 'tiny', epochs: 1, idBatchSize: 4, outlierBatchSize: 4 };
    const make = (runId: string) => {
      const net = new TinyNet(3, 3, 4, 2);
      const sgd = new Sgd(net.trainableVariables(), {
        lr: 0.01,
        momentum: 0.9,
        weightDecay: 0,
        nesterov: true,
      });
      let disposed = 0;
      const optimizer = { dispose: () => (disposed++, sgd.dispose()) };
      const trainer = new Trainer(net, tinyData(8, 16), config, {
        runId,
        store: new MemoryCheckpointStore(),
        optimizer: sgd,
      });
      return { net, trainer, optimizer, disposed: () => disposed };
    };
    const ok = make('run-ok');
    const seen: string[] = [];
    const final = await s.run(ok.trainer, ok.optimizer, (p) => {
      expect(s.trainer).toBe(ok.trainer);
      expect(s.runningId).toBe('run-ok');
      expect(s.lastProgress).toBe(p);
      seen.push(p.status);
    });
    expect(final.status).toBe('completed');
    expect(seen.length).toBeGreaterThan(0);
    expect([s.trainer, s.runningId, ok.disposed()]).toEqual([null, null, 1]);

    const lost = make('run-lost');
    const result = await s.run(lost.trainer, lost.optimizer, (p) => {
      if (p.step === 1) s.loseDevice('The GPU device was lost (destroyed: test).');
    });
    expect(result.status).toBe('error');
    expect(result.error).toMatch(/^The GPU device was lost \(destroyed: test\)\. Reload the page to resume/);
    expect(result.step).toBeLessThan(result.totalSteps);
    // The next run starts clean: the loss belonged to the previous one.
    const next = make('run-next');
    expect((await s.run(next.trainer, next.optimizer, () => {})).status).toBe('completed');
    for (const r of [ok, lost, next]) r.net.dispose();
  });
});
