// Cells spread over several executors (the worker's extra toy-cell workers) give the same rows as one executor.
import { describe, expect, it } from 'vitest';
import { toyExecutor } from './executors/toyCell';
import { experimentById } from './registry';
import { MemoryResultsStore, RunControl, runExperiment, type CellExecutor } from './run';
import type { ResultRow } from './types';

const spec = experimentById('toy-eps-sweep');
const grid = { epsilon: [0, 0.3, 0.6] }; // ε = 0 is one cell for both methods: 5 cells
const provenance = { origin: 'node' as const, backend: 'fast', device: 'test', appVersion: 'test' };
/** Rows without the finishing date (the only field that depends on when a cell ran). */
const comparable = (rows: readonly ResultRow[]) => rows.map((r) => ({ ...r, date: '' }));

describe('runExperiment with parallel executors', () => {
  it('gives bit-identical rows in grid order whichever executor runs a cell', async () => {
    const single = await runExperiment(spec, {
      scale: 'smoke',
      extraGrid: grid,
      execute: toyExecutor,
      store: new MemoryResultsStore(),
      provenance,
    });
    const ran: number[][] = [[], [], []];
    const tracked =
      (i: number, delayMs: number): CellExecutor =>
      async (config, ctx) => {
        await new Promise((r) => setTimeout(r, delayMs)); // scramble which executor takes which cell
        ran[i].push(Number(config.epsilon));
        return toyExecutor(config, ctx);
      };
    const store = new MemoryResultsStore();
    const cellsRunning: number[] = [];
    let inFlight = 0;
    const parallel = await runExperiment(spec, {
      scale: 'smoke',
      extraGrid: grid,
      execute: tracked(0, 30),
      parallel: [tracked(1, 0), tracked(2, 10)],
      store,
      provenance,
      onProgress: (p) => {
        if (p.current?.fraction === 0) cellsRunning.push(++inFlight);
        if (p.current === null && p.cellsDone > 0) inFlight = Math.max(0, inFlight - 1);
      },
    });
    expect(single.length).toBeGreaterThan(0);
    expect(comparable(parallel)).toEqual(comparable(single));
    expect(ran.flat().length).toBe(5);
    expect(ran.filter((r) => r.length > 0).length).toBeGreaterThan(1);
    expect(Math.max(...cellsRunning)).toBeGreaterThan(1);
    expect(store.rows.length).toBe(parallel.length);
  }, 120_000);

  it('stops every executor on cancel and rejects only after all have stopped', async () => {
    const controller = new AbortController();
    const control = new RunControl(controller.signal);
    let active = 0;
    let started = 0;
    const slow: CellExecutor = async (config, ctx) => {
      active++;
      started++;
      try {
        if (started === 2) setTimeout(() => controller.abort(), 20);
        for (;;) {
          await new Promise((r) => setTimeout(r, 5));
          await ctx.control.gate();
        }
      } finally {
        active--;
      }
    };
    await expect(
      runExperiment(spec, {
        scale: 'smoke',
        extraGrid: grid,
        execute: slow,
        parallel: [slow],
        store: new MemoryResultsStore(),
        provenance,
        control,
      }),
    ).rejects.toThrow();
    expect(active).toBe(0);
    expect(started).toBe(2);
  });

  it('tells listeners about pause and resume', () => {
    const control = new RunControl(new AbortController().signal);
    const seen: boolean[] = [];
    const off = control.onPauseChange((p) => seen.push(p));
    control.pause();
    control.pause();
    control.resume();
    off();
    control.pause();
    expect(seen).toEqual([true, false]);
  });
});
