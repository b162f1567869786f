import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { TINY_TRAIN_CONFIG, tinyData } from '../../tests/train/fixtures';
import { MemoryCheckpointStore, serializeModelState } from './checkpoint';
import type { ExperimentConfig, Method } from './config';
import { Sgd } from './optim/sgd';
import { Trainer, type TrainProgress } from './loop';
import { TinyNet } from './tinyNet';
import type { ForwardOptions, ForwardResult } from '../models/types';

const base: ExperimentConfig = TINY_TRAIN_CONFIG;

/** TinyNet whose train-mode logits turn NaN after `after` passes (simulates a diverging run). */
class PoisonNet extends TinyNet {
  calls = 0;
  after = Infinity;
  override forward(x: tf.Tensor4D, o: ForwardOptions): ForwardResult {
    const r = super.forward(x, o);
    if (!o.training || ++this.calls <= this.after) return r;
    const poisoned = tf.mul(r.logits, NaN) as tf.Tensor2D;
    r.logits.dispose();
    return { ...r, logits: poisoned };
  }
}

function makeTrainer(config: ExperimentConfig, store = new MemoryCheckpointStore(), seed = 3) {
  const model = new PoisonNet(seed, 3, 4, 2);
  const optimizer = new Sgd(model.trainableVariables(), {
    lr: config.lr,
    momentum: config.momentum,
    weightDecay: config.weightDecay,
    nesterov: config.nesterov,
  });
  const events: TrainProgress[] = [];
  const losses: number[] = [];
  const trainer = new Trainer(model, tinyData(), config, {
    runId: 'run',
    store,
    optimizer,
    onProgress: (p, point) => {
      events.push(p);
      if (point) losses.push(point.loss);
    },
  });
  const dispose = () => {
    model.dispose();
    optimizer.dispose();
  };
  return { model, optimizer, trainer, events, losses, store, dispose };
}

describe('Trainer', () => {
  it('the loss falls on a tiny separable problem for every method', async () => {
    for (const method of ['CE', 'OE', 'OE+noise', 'AOE', 'AOE-PGD'] as Method[]) {
      const cfg = { ...base, method, epochs: 6, pgdSteps: 2, pgdAlpha: 0.1, epsilon: 0.1 };
      const t = makeTrainer(cfg);
      const final = await t.trainer.run();
      expect(final.status, `${method}: ${final.error}`).toBe('completed');
      expect(t.losses.length).toBe(24);
      const first = (t.losses[0] + t.losses[1] + t.losses[2] + t.losses[3]) / 4;
      const last = t.losses.slice(-4).reduce((a, b) => a + b, 0) / 4;
      expect(last, method).toBeLessThan(first * 0.8);
      t.dispose();
    }
  });

  it('same config and seed give the same losses; a different seed does not', async () => {
    const a = makeTrainer({ ...base, method: 'AOE' });
    const b = makeTrainer({ ...base, method: 'AOE' });
    const c = makeTrainer({ ...base, method: 'AOE', seed: 8 });
    await a.trainer.run();
    await b.trainer.run();
    await c.trainer.run();
    expect(a.losses.length).toBe(8);
    expect(b.losses).toEqual(a.losses);
    expect(c.losses).not.toEqual(a.losses);
    [a, b, c].forEach((t) => t.dispose());
  });

  it('cancel checkpoints mid-epoch; resuming reproduces the uninterrupted losses exactly', async () => {
    const full = makeTrainer({ ...base, method: 'AOE' });
    await full.trainer.run();
    const store = new MemoryCheckpointStore();
    const first = makeTrainer({ ...base, method: 'AOE' }, store);
    const origin = first.trainer;
    const run = origin.run();
    // Cancel after the 3rd step (mid epoch 0: 4 steps per epoch).
    const stopAt = new Promise<void>((resolve) => {
      const check = () =>
        first.losses.length >= 3 || first.events.some((e) => e.status === 'error')
          ? resolve()
          : setTimeout(check, 0);
      check();
    });
    await stopAt;
    origin.cancel();
    const ended = await run;
    expect(ended.status).toBe('cancelled');
    const cp = await store.latest();
    expect(cp?.step).toBe(first.losses.length);
    const second = makeTrainer({ ...base, method: 'AOE' }, store, 99); // different init: state must come from cp
    await second.trainer.restore(cp!);
    const done = await second.trainer.run();
    expect(done.status).toBe('completed');
    expect([...first.losses, ...second.losses]).toEqual(full.losses);
    expect((await store.latest())?.step).toBe(8);
    [full, first, second].forEach((t) => t.dispose());
  });

  it('pause holds the loop until resume', async () => {
    const t = makeTrainer({ ...base, method: 'OE' });
    const run = t.trainer.run();
    await new Promise((r) => setTimeout(r, 0));
    t.trainer.pause();
    await new Promise((r) => setTimeout(r, 50));
    const n = t.losses.length;
    expect(t.events.some((e) => e.status === 'paused')).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(t.losses.length).toBe(n);
    t.trainer.resume();
    expect((await run).status).toBe('completed');
    expect(t.losses.length).toBe(8);
    t.dispose();
  });

  it('a non-finite loss stops with a clear error, leaves the model as it was and keeps the last checkpoint', async () => {
    const t = makeTrainer({ ...base, method: 'OE', epochs: 3 });
    t.model.after = 6; // the 7th step (epoch 2, step 3) diverges
    const final = await t.trainer.run();
    expect(final.status).toBe('error');
    expect(final.error).toMatch(/loss became NaN at step 7 \(epoch 2\).*last checkpoint \(step 4\) is kept/);
    expect(final.step).toBe(6);
    expect((await t.store.latest())?.step).toBe(4);
    const state = (await serializeModelState(t.model.getState())).tensors;
    expect(Object.values(state).every((a) => a.values.every(Number.isFinite))).toBe(true);
    t.dispose();
  });

  it.each([
    [
      'out of memory',
      'Failed to allocate buffer: out of memory',
      /ran out of memory.*last checkpoint is kept/,
    ],
    [
      'a lost GPU device',
      'GPUDevice was lost (destroyed)',
      /GPU device was lost.*resume from the last checkpoint/,
    ],
  ])(
    'a backend failure (%s) mid-run stops with an actionable message and keeps the last checkpoint',
    async (_, thrown, expected) => {
      const t = makeTrainer({ ...base, method: 'AOE', epochs: 3 });
      const forward = t.model.forward.bind(t.model);
      let trainingCalls = 0;
      t.model.forward = (x, o) => {
        // AOE makes two training-mode passes per step (attack, update): fail during the 7th step's attack.
        if (o.training && ++trainingCalls > 12) throw new Error(thrown);
        return forward(x, o);
      };
      const before = tf.memory().numTensors;
      const final = await t.trainer.run();
      expect(final.status).toBe('error');
      expect(final.error).toMatch(expected);
      expect(final.error).toContain(thrown);
      expect((await t.store.latest())?.step).toBe(4);
      expect(final.checkpointStep).toBe(4);
      // Nothing of the failed step survives (tidy scopes unwind; the abandoned gradient tape is released): only the
      // optimizer's momentum buffers, one per variable, were added since the trainer was built.
      expect(tf.memory().numTensors).toBe(before + t.model.trainableVariables().length);
      t.dispose();
    },
  );

  it('keeps the tensor count flat over a few hundred steps', async () => {
    const t = makeTrainer({ ...base, method: 'AOE', epochs: 38, idBatchSize: 2, outlierBatchSize: 2 }); // 8·38 = 304 steps
    const counts: number[] = [];
    t.trainer.setProgressListener(() => counts.push(tf.memory().numTensors));
    const final = await t.trainer.run();
    expect(final.status).toBe('completed');
    expect(final.step).toBe(304);
    expect(counts.length).toBeGreaterThan(300);
    // After the first step (optimizer buffers appear) the count never moves.
    expect(new Set(counts.slice(1, -1)).size).toBe(1);
    t.dispose();
  });
});
