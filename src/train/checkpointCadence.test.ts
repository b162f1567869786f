import { describe, expect, it } from 'vitest';
import { TINY_TRAIN_CONFIG, tinyData } from '../../tests/train/fixtures';
import { MemoryCheckpointStore, checkpointBytes, type Checkpoint } from './checkpoint';
import { CheckpointSchedule, RETRY_SECONDS, type CheckpointCadence } from './checkpointCadence';
import type { ExperimentConfig } from './config';
import { JobGuard } from './jobGuard';
import { Trainer, type TrainProgress } from './loop';
import { Sgd } from './optim/sgd';
import { describeStorageFailure, errorReason } from './storageErrors';
import { TinyNet } from './tinyNet';

const base: ExperimentConfig = { ...TINY_TRAIN_CONFIG, method: 'OE' };

/** A store whose writes fail (as IndexedDB does when the quota is exhausted) while `full` is true. */
class FullStore extends MemoryCheckpointStore {
  full = true;
  attempts: number[] = [];
  saved: number[] = [];
  override async save(cp: Checkpoint): Promise<void> {
    this.attempts.push(cp.step);
    if (this.full) throw new DOMException('', 'QuotaExceededError');
    await super.save(cp);
    this.saved.push(cp.step);
  }
}

/** A Trainer on the tiny problem (16 images → 4 steps per epoch at batch 4) with a clock moved by `tick` ms per step. */
function makeRun(store: MemoryCheckpointStore, cadence: CheckpointCadence, tickMs: number, config = base) {
  let clock = 1_000_000;
  const model = new TinyNet(3, 3, 4, 2);
  const optimizer = new Sgd(model.trainableVariables(), { lr: config.lr, momentum: 0.9, weightDecay: 0 });
  const events: TrainProgress[] = [];
  const trainer = new Trainer(model, tinyData(), config, {
    runId: 'r',
    store,
    optimizer,
    cadence,
    now: () => clock,
    yieldFn: async () => {
      clock += tickMs;
      await new Promise((res) => setTimeout(res, 0));
    },
    onProgress: (p) => events.push(p),
  });
  return {
    trainer,
    events,
    dispose: () => {
      model.dispose();
      optimizer.dispose();
    },
  };
}

class SpyStore extends MemoryCheckpointStore {
  saved: number[] = [];
  override async save(cp: Checkpoint): Promise<void> {
    this.saved.push(cp.step);
    await super.save(cp);
  }
}

describe('CheckpointSchedule', () => {
  it('is due at epoch ends, every N steps and after N seconds; a failure is retried after the retry delay', () => {
    const s = new CheckpointSchedule({ everySteps: 3, everySeconds: 10 }, 100, 0);
    expect(s.due(1, 0)).toBeNull();
    expect(s.due(3, 0)).toBe('steps');
    expect(s.due(100, 0)).toBe('epoch');
    expect(s.due(4, 9_999)).toBeNull();
    expect(s.due(4, 10_000)).toBe('time');
    s.written(10_000);
    expect(s.due(5, 19_999)).toBeNull();
    s.failed(12_000);
    expect(s.due(7, 12_000 + RETRY_SECONDS * 1000 - 1)).toBeNull();
    expect(s.due(7, 12_000 + RETRY_SECONDS * 1000)).toBe('retry');
    expect(s.due(9, 12_001)).toBe('steps'); // a regular point still tries
  });
});

describe('Trainer checkpoint cadence', () => {
  it('checkpoints by wall-clock time on an injected clock (10 s per step, every 25 s)', async () => {
    const store = new SpyStore();
    const cfg = { ...base, epochs: 3 }; // 12 steps, epochs end at 4, 8, 12
    const r = makeRun(store, { everySteps: 0, everySeconds: 25 }, 10_000, cfg);
    const final = await r.trainer.run();
    expect(final.status).toBe('completed');
    // The clock moves after each step: step k ends at 10·(k−1) s. Step 3 (20 s) is not due; step 4 (30 s) is an
    // epoch end; 25 s after that write: step 7 (60 s); epoch end 8 (70 s); 25 s on: step 11 (100 s); epoch end 12.
    expect(store.saved).toEqual([4, 7, 8, 11, 12]);
    r.dispose();
  });

  it('checkpoints every N steps; time-based checkpoints off when everySeconds is 0', async () => {
    const store = new SpyStore();
    const r = makeRun(store, { everySteps: 3, everySeconds: 0 }, 60_000, { ...base, epochs: 2 });
    await r.trainer.run();
    expect(store.saved).toEqual([3, 4, 6, 8]);
    r.dispose();
  });

  it('a full store never stops the run: it warns, retries later, and a later success clears the warning', async () => {
    const store = new FullStore();
    const r = makeRun(store, { everySteps: 0, everySeconds: 0 }, 10_000, { ...base, epochs: 4 }); // 16 steps
    const run = r.trainer.run();
    // Let the first epoch-end write (step 4) fail, then free space before the next regular point.
    while (!r.events.some((e) => e.checkpointWarning)) await new Promise((res) => setTimeout(res, 0));
    const warned = r.events.find((e) => e.checkpointWarning)!;
    expect(warned.step).toBe(4);
    expect(warned.checkpointStep).toBe(-1);
    expect(warned.checkpointWarning).toMatch(
      /^Checkpoint at step 4 not saved: QuotaExceededError\. Training continues in memory; the next attempt is in 30 s/,
    );
    expect(warned.status).toBe('running');
    store.full = false;
    const final = await run;
    expect(final.status).toBe('completed');
    expect(final.step).toBe(16);
    expect(final.checkpointWarning).toBeUndefined();
    // 10 s per step: the retry is due 30 s after the failure at step 4, i.e. after step 7.
    expect(store.attempts).toEqual([4, 7, 8, 12, 16]);
    expect(store.saved).toEqual([7, 8, 12, 16]);
    r.dispose();
  });

  it('cancel with a full store ends "cancelled" and says the weights are only in memory', async () => {
    const store = new FullStore();
    const r = makeRun(store, { everySteps: 0, everySeconds: 0 }, 1, { ...base, epochs: 4 });
    const run = r.trainer.run();
    while (r.events.filter((e) => e.status === 'running').length < 2)
      await new Promise((res) => setTimeout(res, 0));
    r.trainer.cancel();
    const final = await run;
    expect(final.status).toBe('cancelled');
    expect(final.checkpointWarning).toMatch(
      /not saved: QuotaExceededError\. The trained weights are still in memory/,
    );
    expect(await store.latest()).toBeNull();
    r.dispose();
  });

  it('pause writes a checkpoint of the steps since the last one', async () => {
    const store = new SpyStore();
    const r = makeRun(store, { everySteps: 0, everySeconds: 0 }, 1, { ...base, epochs: 2 });
    const run = r.trainer.run();
    while (r.events.length < 2) await new Promise((res) => setTimeout(res, 0));
    r.trainer.pause();
    while (!r.events.some((e) => e.status === 'paused')) await new Promise((res) => setTimeout(res, 0));
    const paused = r.events.find((e) => e.status === 'paused')!;
    expect(paused.checkpointStep).toBe(paused.step);
    expect(store.saved).toEqual([paused.step]);
    r.trainer.resume();
    expect((await run).status).toBe('completed');
    r.dispose();
  });

  it('rejects an invalid cadence', () => {
    expect(() => makeRun(new MemoryCheckpointStore(), { everySteps: -1, everySeconds: 0 }, 1)).toThrow(
      /integer ≥ 0/,
    );
  });
});

describe('checkpoint metadata', () => {
  it('the store lists metadata newest first with the byte size of the arrays', async () => {
    const store = new MemoryCheckpointStore();
    const r = makeRun(store, { everySteps: 0, everySeconds: 0 }, 1);
    await r.trainer.run();
    const cp = (await store.latest())!;
    const list = await store.list();
    expect(list).toHaveLength(1);
    expect(list[0]).not.toHaveProperty('modelState');
    expect(list[0].bytes).toBe(checkpointBytes(cp));
    // TinyNet(3 → 4 hidden → 2): weights + momentum, float32: an independent count from the variable shapes.
    const params = cp.modelState.tensors;
    const n = Object.values(params).reduce((s, a) => s + a.shape.reduce((x, y) => x * y, 1), 0);
    const m = Object.values(cp.optimizerState).reduce((s, a) => s + a.shape.reduce((x, y) => x * y, 1), 0);
    expect(list[0].bytes).toBe(4 * (n + m));
    r.dispose();
  });
});

describe('JobGuard', () => {
  it('refuses state changes while a job runs, with the action, the job and the fix; releases once', () => {
    const g = new JobGuard();
    g.refuse('import weights'); // idle: no throw
    const release = g.begin('training', 'start training', () => 'step 3 of 8');
    expect(() => g.refuse('import weights')).toThrow(
      'Cannot import weights while a training run is in progress (step 3 of 8). Cancel the run first',
    );
    expect(() => g.begin('training', 'start a second run')).toThrow(/^Cannot start a second run while/);
    release();
    expect(g.running).toBeNull();
    const again = g.begin('evaluation', 'evaluate');
    release(); // a stale release does not free the new job
    expect(() => g.refuse('create a new model')).toThrow(
      /an evaluation is in progress\. Wait until it finishes/,
    );
    again();
    // A restore that becomes a run is still released by the restore's release function.
    const restore = g.begin('checkpoint-restore', 'resume a checkpoint');
    g.update('training', () => 'run-1, step 0 of 4');
    expect(() => g.refuse('export weights')).toThrow(/training run is in progress \(run-1, step 0 of 4\)/);
    restore();
    expect(g.running).toBeNull();
    g.refuse('export weights');
    // An experiment grid holds the worker like a run: training and a second grid are refused, naming it.
    const grid = g.begin('experiment', 'start an experiment grid', () => 'wrn-table2');
    expect(() => g.begin('training', 'start training')).toThrow(
      'Cannot start training while an experiment grid is running (wrn-table2). Cancel it in the Experiments area first',
    );
    expect(() => g.begin('experiment', 'start an experiment grid')).toThrow(
      /^Cannot start an experiment grid/,
    );
    grid();
    expect(g.running).toBeNull();
  });
});

describe('storage error messages', () => {
  it('never leave the reason empty and give used / available space', () => {
    expect(errorReason(new DOMException('', 'QuotaExceededError'))).toBe('QuotaExceededError');
    expect(errorReason(new Error(''))).toBe('unknown error (the browser gave no reason)');
    const msg = describeStorageFailure(
      'the checkpoint of run-1 at step 40',
      6.7 * 1024 * 1024,
      new DOMException('', 'QuotaExceededError'),
      { usage: 1024 ** 3, quota: 1024 ** 3 + 5 * 1024 * 1024 },
    );
    expect(msg).toBe(
      'Could not write the checkpoint of run-1 at step 40 (6.7 MB) to IndexedDB: QuotaExceededError; ' +
        '1.00 GB used of 1.00 GB available to this site (5.0 MB free). The browser refused to store more for this site: ' +
        'delete old checkpoints (Saved checkpoints) or cached data sets (Data panel → Clear cache).',
    );
    expect(describeStorageFailure('x', 10, new Error('disk I/O'), null)).toBe(
      'Could not write x (10 B) to IndexedDB: disk I/O; the browser does not report how much storage is used.',
    );
  });
});
