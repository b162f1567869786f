// `npm run exp` end to end on the toy spec at smoke scale (3 cells via --grid): the table, both files, resuming
// (finished cells are not re-run: their rows keep their dates), and determinism against the same cells run
// in-process twice through the runner on the same backend (rows bit-identical).
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cellScoresFromCsv, metricsFromScores } from '../experiments/cellScores';
import { rowsFromCsv } from '../experiments/csv';
import { toyExecutor } from '../experiments/executors/toyCell';
import { experimentById, EXPERIMENTS } from '../experiments/registry';
import { fromResultsFile } from '../experiments/results';
import { MemoryResultsStore, runExperiment } from '../experiments/run';
import { stableStringify } from '../experiments/json';
import type { ResultRow } from '../experiments/types';

const out = mkdtempSync(join(tmpdir(), 'aoe-exp-'));
const cli = (...args: string[]) =>
  execFileSync(
    'node',
    ['--import', 'tsx', '--import', './src/cli/esmDirImports.mjs', 'src/cli/exp.ts', ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
const measurement = (r: ResultRow) =>
  stableStringify([r.cell, r.detector, r.oodSet, r.metric, r.value, r.epoch, r.budget, r.nId, r.nOod]);

describe('npm run exp', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
  });
  afterAll(async () => {
    rmSync(out, { recursive: true, force: true });
    await tf.setBackend('cpu');
  });

  it('--list prints one id per line with its title', () => {
    const lines = cli('--list').trim().split('\n');
    expect(lines).toEqual(EXPERIMENTS.map((s) => `${s.id}\t${s.title}`));
  });

  it('runs the toy spec at smoke scale, resumes without re-running, and matches in-process runs', async () => {
    const spec = experimentById('toy-eps-sweep');
    const stdout = cli(spec.id, '--scale', 'smoke', '--grid', 'epsilon=0,0.5', '--out', out);
    expect(stdout).toMatch(/accepted area/);
    expect(stdout).toMatch(/AOE · node wasm, smoke, \d{4}-\d{2}-\d{2} \(toy\)/);
    const first = fromResultsFile(JSON.parse(readFileSync(join(out, `${spec.id}.json`), 'utf8')));
    // 2 methods × 2 ε = 4 grid points, 3 trained cells (ε = 0 shared); ACC, AREA + EBO × {near, far} × 2 metrics.
    expect(new Set(first.map((r) => r.cellKey)).size).toBe(3);
    expect(first).toHaveLength(4 * 6);
    expect(first.every((r) => r.origin === 'node' && r.backend === 'wasm' && r.scale === 'smoke')).toBe(true);
    const csvRows = rowsFromCsv(readFileSync(join(out, `${spec.id}.csv`), 'utf8'));
    expect(csvRows.map(measurement).sort()).toEqual(first.map(measurement).sort());
    // Each trained cell's per-sample scores lie next to the JSON and give back its AUROC/FPR95 exactly.
    const scoreFiles = readdirSync(out).filter((f) => f.endsWith('.scores.csv'));
    expect(scoreFiles.sort()).toEqual(
      [...new Set(first.map((r) => `${spec.id}.${r.cellKey}.smoke.scores.csv`))].sort(),
    );
    for (const f of scoreFiles) {
      const s = cellScoresFromCsv(readFileSync(join(out, f), 'utf8'));
      const re = metricsFromScores(s).metrics;
      for (const r of first.filter((x) => x.cellKey === s.cellKey && x.detector === 'EBO'))
        expect(re.EBO[r.oodSet][r.metric as 'AUROC']).toBe(r.value);
    }

    // Resume with one more ε: only the 2 new cells train; the old rows are kept as they were (same dates).
    const stderrAndOut = cli(spec.id, '--scale', 'smoke', '--grid', 'epsilon=0,0.5,1', '--out', out);
    expect(stderrAndOut).toMatch(/AOE · node/);
    const second = fromResultsFile(JSON.parse(readFileSync(join(out, `${spec.id}.json`), 'utf8')));
    expect(new Set(second.map((r) => r.cellKey)).size).toBe(5);
    const dates = (rows: ResultRow[]) => new Map(rows.map((r) => [r.cellKey, r.date]));
    for (const [key, date] of dates(first)) expect(dates(second).get(key)).toBe(date);

    // The same cells in-process, twice: every measurement equals the CLI's bit for bit.
    const inProcess = async () =>
      runExperiment(spec, {
        scale: 'smoke',
        execute: toyExecutor,
        store: new MemoryResultsStore(),
        provenance: { origin: 'node', backend: 'wasm', device: 'test', appVersion: 'test' },
        extraGrid: { epsilon: [0, 0.5] },
      });
    const a = await inProcess();
    const b = await inProcess();
    expect(a.map(measurement)).toEqual(b.map(measurement));
    expect(a.map(measurement).sort()).toEqual(first.map(measurement).sort());
  });
});
