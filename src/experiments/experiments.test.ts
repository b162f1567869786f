import { describe, expect, it } from 'vitest';
import { defineExperiment, checkExperiment } from './define';
import { cellKeyOf, gridPoints, planCells } from './grid';
import { stableStringify } from './json';
import { rowsFromCsv, rowsToCsv } from './csv';
import { fromResultsFile, toResultsFile } from './results';
import { meanSd, plotSeries } from './aggregate';
import { MemoryResultsStore, RunControl, runExperiment, type CellExecutor } from './run';
import { WRN_BASE, WRN_SCALES } from './specs/common';
import type { ExperimentSpec, ResultRow } from './types';
import { EXPERIMENTS } from './registry';

const sweep: ExperimentSpec = {
  id: 'wrn-test-sweep',
  title: 't',
  paperRef: 'Fig. 8',
  claim: 'c',
  model: 'wrn',
  base: WRN_BASE,
  grid: { method: ['OE', 'AOE', 'OE+noise'], epsilon: [0, 0.1, 0.5], seed: [1, 2] },
  scales: WRN_SCALES,
  // Only what the fake executor measures: a stored cell is reused only when its rows answer the spec.
  evaluate: { detectors: ['EBO'], oodSets: 'all', metrics: ['AUROC', 'ACC'] },
  plot: {
    kind: 'line',
    x: 'epsilon',
    series: 'method',
    panels: [{ metric: 'AUROC', detector: 'EBO', oodSet: 'mean' }],
    aggregate: 'mean-sd',
  },
};

const provenance = { origin: 'node', backend: 'test', device: 'test', appVersion: '0' } as const;

/** A deterministic stand-in for training: values are a function of the config, so reruns must match exactly. */
function fakeExecutor(calls: string[]): CellExecutor {
  return async (config, ctx) => {
    await ctx.control.gate();
    calls.push(`${String(config.method)}@${String(config.epsilon)}#${String(config.seed)}`);
    const e = Number(config.epsilon);
    const s = Number(config.seed);
    return {
      setting: 'consistent',
      measurements: [
        {
          detector: '',
          oodSet: '',
          metric: 'ACC',
          value: 0.9 - e / 10,
          epoch: null,
          budget: null,
          nId: 100,
          nOod: null,
        },
        ...['Gaussian', 'Textures'].map((set, i) => ({
          detector: 'EBO',
          oodSet: set,
          metric: 'AUROC' as const,
          value: 0.8 + e / 10 + i / 100 + s / 1000,
          epoch: null,
          budget: null,
          nId: 100,
          nOod: 50,
        })),
      ],
    };
  };
}

describe('grid planning', () => {
  it('expands the Cartesian product in axis order', () => {
    const pts = gridPoints({ a: [1, 2], b: ['x', 'y', 'z'] });
    expect(pts).toHaveLength(6);
    expect(pts[0]).toEqual({ a: 1, b: 'x' });
    expect(pts[5]).toEqual({ a: 2, b: 'z' });
  });

  it('trains every method at ε = 0 and OE at any ε once per seed', () => {
    const plans = planCells(sweep, 'smoke');
    // Per seed: OE (serving OE@0, OE@0.1, OE@0.5, AOE@0, OE+noise@0), AOE@0.1, AOE@0.5, noise@0.1, noise@0.5.
    expect(plans).toHaveLength(10);
    expect(plans.reduce((n, p) => n + p.points.length, 0)).toBe(18);
    const oe = plans.find((p) => p.points.some((q) => q.method === 'OE' && q.seed === 1))!;
    expect(oe.points).toHaveLength(5);
    expect(
      oe.points
        .filter((q) => q.epsilon === 0)
        .map((q) => q.method)
        .sort(),
    ).toEqual(['AOE', 'OE', 'OE+noise']);
  });

  it('shares CE across outlier settings but not across seeds or learning rates', () => {
    const ce = { ...WRN_BASE, method: 'CE' };
    expect(cellKeyOf('wrn', { ...ce, lambda: 0.5, sigma2: 2 })).toBe(
      cellKeyOf('wrn', { ...ce, lambda: 1, sigma2: 8 }),
    );
    expect(cellKeyOf('wrn', { ...ce, seed: 1 })).not.toBe(cellKeyOf('wrn', { ...ce, seed: 2 }));
    expect(cellKeyOf('wrn', { ...ce, lr: 1e-3 })).not.toBe(cellKeyOf('wrn', ce));
    // AOE reads the clamp switch, OE does not.
    const aoe = { ...WRN_BASE, method: 'AOE', epsilon: 0.5 };
    expect(cellKeyOf('wrn', { ...aoe, clamp: true })).not.toBe(cellKeyOf('wrn', aoe));
    const oe = { ...WRN_BASE, method: 'OE' };
    expect(cellKeyOf('wrn', { ...oe, clamp: true, noiseMode: 'code' })).toBe(cellKeyOf('wrn', oe));
  });

  it('rejects bad specs with every problem named', () => {
    const bad = { ...sweep, id: 'Bad_Id', grid: { nope: [1] }, plot: { ...sweep.plot, x: 'budget' } };
    const problems = checkExperiment(bad);
    expect(problems.join(' ')).toMatch(/kebab-case/);
    expect(problems.join(' ')).toMatch(/"nope" is not a base config key/);
    expect(problems.join(' ')).toMatch(/needs evaluate.attack/);
    expect(() => defineExperiment(bad)).toThrow(/Bad_Id/);
    // A log x axis needs positive values on that axis (ε = 0 is plain OE and cannot sit on one).
    const logAtZero = { ...sweep, plot: { ...sweep.plot, xScale: 'log' as const } };
    expect(sweep.grid[sweep.plot.x]).toContain(0);
    expect(checkExperiment(logAtZero).join(' ')).toMatch(/xScale "log" needs positive numbers/);
  });

  it('every registered spec is valid and plans at each of its scales', () => {
    for (const spec of EXPERIMENTS) {
      expect(checkExperiment(spec)).toEqual([]);
      for (const scale of Object.keys(spec.scales))
        expect(planCells(spec, scale as 'quick').length).toBeGreaterThan(0);
    }
    const ids = EXPERIMENTS.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('runner', () => {
  it('runs each cell once, emits rows for every grid point, and a rerun reuses the store', async () => {
    const calls: string[] = [];
    const store = new MemoryResultsStore();
    const rows = await runExperiment(sweep, {
      scale: 'smoke',
      execute: fakeExecutor(calls),
      store,
      provenance,
      now: () => 0,
    });
    expect(calls).toHaveLength(10);
    expect(new Set(calls).size).toBe(10);
    // 18 points × (1 ACC + 2 AUROC)
    expect(rows).toHaveLength(54);
    const again: string[] = [];
    const rows2 = await runExperiment(sweep, {
      scale: 'smoke',
      execute: fakeExecutor(again),
      store,
      provenance,
      now: () => 0,
    });
    expect(again).toHaveLength(0);
    expect(rows2).toEqual(rows);
  });

  it('resumes after an abort without running a cell twice, with identical rows', async () => {
    const reference = await runExperiment(sweep, {
      scale: 'smoke',
      execute: fakeExecutor([]),
      store: new MemoryResultsStore(),
      provenance,
      now: () => 0,
    });
    const calls: string[] = [];
    const store = new MemoryResultsStore();
    const ac = new AbortController();
    const exec = fakeExecutor(calls);
    const aborting: CellExecutor = async (c, ctx) => {
      const r = await exec(c, ctx);
      if (calls.length === 4) ac.abort();
      return r;
    };
    await expect(
      runExperiment(sweep, {
        scale: 'smoke',
        execute: aborting,
        store,
        provenance,
        signal: ac.signal,
        now: () => 0,
      }),
    ).rejects.toThrow(/abort/i);
    expect(calls).toHaveLength(4);
    const resumed = await runExperiment(sweep, {
      scale: 'smoke',
      execute: exec,
      store,
      provenance,
      now: () => 0,
    });
    expect(calls).toHaveLength(10);
    expect(new Set(calls).size).toBe(10);
    const key = (r: ResultRow) => stableStringify([r.cell, r.metric, r.oodSet]);
    expect([...resumed].sort((a, b) => key(a).localeCompare(key(b)))).toEqual(
      [...reference].sort((a, b) => key(a).localeCompare(key(b))),
    );
  });

  it('pauses between cells and resumes; cancel while paused rejects', async () => {
    const calls: string[] = [];
    const ac = new AbortController();
    const control = new RunControl(ac.signal);
    control.pause();
    const p = runExperiment(sweep, {
      scale: 'smoke',
      execute: fakeExecutor(calls),
      store: new MemoryResultsStore(),
      provenance,
      control,
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toHaveLength(0);
    control.resume();
    await p;
    expect(calls).toHaveLength(10);
    control.pause();
    const q = runExperiment(sweep, {
      scale: 'smoke',
      execute: fakeExecutor([]),
      store: new MemoryResultsStore(),
      provenance,
      control,
    });
    ac.abort();
    await expect(q).rejects.toThrow(/abort/i);
  });

  it('reports grid progress with an ETA from trained cells', async () => {
    let t = 0;
    const seen: number[] = [];
    const etas: (number | null)[] = [];
    const exec = fakeExecutor([]);
    await runExperiment(sweep, {
      scale: 'smoke',
      execute: async (c, ctx) => {
        t += 1000;
        return exec(c, ctx);
      },
      store: new MemoryResultsStore(),
      provenance,
      now: () => t,
      onProgress: (p) => {
        seen.push(p.cellsDone);
        etas.push(p.etaSeconds);
      },
    });
    expect(seen[seen.length - 1]).toBe(10);
    // After the first cell (1 s each), 9 remain: ETA 9 s.
    const i = seen.indexOf(1);
    expect(etas[i]).toBeCloseTo(9, 6);
  });
});

describe('rows: files, CSV and aggregation', () => {
  const rowsP = runExperiment(sweep, {
    scale: 'smoke',
    execute: fakeExecutor([]),
    store: new MemoryResultsStore(),
    provenance,
    now: () => 0,
  });

  it('round-trips through the results file', async () => {
    const rows = await rowsP;
    const file = JSON.parse(JSON.stringify(toResultsFile(rows)));
    expect(file.cells.length).toBe(18);
    expect(fromResultsFile(file)).toEqual(rows);
    expect(() => fromResultsFile({ ...file, version: 2 })).toThrow(/version 2/);
    expect(() =>
      fromResultsFile({ ...file, rows: [[99, '', '', 'ACC', 1, null, null, null, null]] }),
    ).toThrow(/cell 99/);
  });

  it('round-trips through CSV exactly (OpenOOD-like columns)', async () => {
    const rows = await rowsP;
    const csv = rowsToCsv(rows);
    const header = csv.split('\n')[0].split(',');
    expect(header.slice(0, 11)).toEqual([
      'experiment',
      'dataset',
      'detector',
      'epoch',
      'budget',
      'AUROC',
      'AUPR-IN',
      'AUPR-OUT',
      'FPR95TPR',
      'ACC',
      'AREA',
    ]);
    const back = rowsFromCsv(csv);
    const key = (r: ResultRow) => stableStringify([r.cell, r.metric, r.oodSet, r.detector]);
    const sort = (a: ResultRow[]) => [...a].sort((x, y) => key(x).localeCompare(key(y)));
    expect(sort(back)).toEqual(sort(rows));
    expect(() => rowsFromCsv('a,b\n1,2\n')).toThrow(/column "experiment" is missing/);
  });

  it('quotes fields with commas and quotes', () => {
    const r: ResultRow = {
      experiment: 'x',
      cellKey: 'k',
      cell: { method: 'OE' },
      config: { note: 'a, "b"' },
      seed: 1,
      setting: 'consistent',
      detector: 'EBO',
      oodSet: 'My, set',
      metric: 'AUROC',
      value: 0.5,
      epoch: null,
      budget: null,
      nId: 1,
      nOod: 1,
      ...provenance,
      scale: 'smoke',
      date: 'd',
    };
    expect(rowsFromCsv(rowsToCsv([r]))).toEqual([r]);
  });

  it('aggregates the mean over OOD sets, then mean ± sd over seeds (checked by hand)', async () => {
    const rows = await rowsP;
    const series = plotSeries(rows, sweep.plot, sweep.plot.panels[0]);
    const aoe = series.find((s) => s.name === 'AOE')!;
    expect(aoe.points.map((p) => p.x)).toEqual([0, 0.1, 0.5]);
    // value = 0.8 + e/10 + i/100 + s/1000; mean over i∈{0,1} adds 0.005; seeds 1, 2 → mean s/1000 = 0.0015.
    const at = aoe.points.find((p) => p.x === 0.5)!;
    expect(at.mean).toBeCloseTo(0.8 + 0.05 + 0.005 + 0.0015, 12);
    expect(at.sd).toBeCloseTo(Math.sqrt((0.0005 ** 2 * 2) / 1), 12);
    expect(at.n).toBe(2);
    const near = plotSeries(
      rows,
      sweep.plot,
      { ...sweep.plot.panels[0], oodSet: 'mean-far' },
      { Gaussian: 'far', Textures: 'near' },
    );
    expect(near.find((s) => s.name === 'AOE')!.points.find((p) => p.x === 0.5)!.mean).toBeCloseTo(
      0.8 + 0.05 + 0.0015,
      12,
    );
    expect(meanSd([1, 2, 3, 4])).toEqual({ mean: 2.5, sd: Math.sqrt(5 / 3) });
  });
});
