/**
 * Headless check of the toy's headline claim on the SAME train code the worker runs: for each seed, train the
 * default settings at ε = 0 (plain OE) and at ε = 0.5 (AOE) from the same initial weights and compare the accepted
 * area (fraction of the view with E < τ, τ at 95% ID TPR).
 *
 *   npx tsx src/cli/toySeeds.ts [--engine fast|tfjs] [--backend wasm|cpu (tfjs engine)] [--seeds 10] [--first-seed 1] [--eps 0,0.5] [--steps N] [--key=value …] [--json out.json]
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
// Registers gradients in Node (CJS); see ToyRun.
import '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import { buildToyData } from '../train/toy/data';
import { defaultToyParams, mergeToyParams } from '../train/toy/params';
import { createToyRun, type ToyEngine } from '../train/toy/engines';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const get = (name: string, dflt: string) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : dflt;
  };
  const engine = get('engine', 'fast') as ToyEngine;
  if (engine !== 'fast' && engine !== 'tfjs') throw new Error(`--engine must be fast or tfjs, got ${engine}`);
  await tf.setBackend(get('backend', 'wasm'));
  await tf.ready();
  const seeds = Number(get('seeds', '10'));
  const firstSeed = Number(get('first-seed', '1'));
  const eps = get('eps', '0,0.5').split(',').map(Number);
  const overrides: Record<string, string> = {};
  for (const a of args) {
    const m = /^--(\w+)=(.*)$/.exec(a);
    if (m) overrides[m[1]] = m[2];
  }
  const { params: base, rejected } = mergeToyParams(defaultToyParams(), overrides);
  if (rejected.length) throw new Error(`unknown or invalid settings: ${rejected.join(', ')}`);
  const rows: Record<string, number | string>[] = [];
  for (let seed = firstSeed; seed < firstSeed + seeds; seed++) {
    const p = { ...base, seed };
    const data = buildToyData(p);
    const row: Record<string, number | string> = { seed };
    for (const e of eps) {
      const run = createToyRun(engine, data, { ...p, epsilon: e });
      run.train(p.steps);
      const ev = run.evaluate(p.grid, p.view);
      row[`area@${e}`] = +ev.acceptedArea.toFixed(3);
      row[`AUROC@${e}`] = +ev.AUROC.toFixed(3);
      row[`acc@${e}`] = +ev.accuracy.toFixed(3);
      run.dispose();
    }
    rows.push(row);
    console.log(JSON.stringify(row));
  }
  const [e0, e1] = eps;
  const tighter = rows.filter((r) => (r[`area@${e1}`] as number) < (r[`area@${e0}`] as number)).length;
  const median = (k: string) => {
    const v = rows.map((r) => r[k] as number).sort((a, b) => a - b);
    const h = Math.floor(v.length / 2);
    return v.length % 2 ? v[h] : +((v[h - 1] + v[h]) / 2).toFixed(3);
  };
  const mean = (k: string) => +(rows.reduce((a, r) => a + (r[k] as number), 0) / rows.length).toFixed(3);
  const summary = {
    tighter,
    seeds: rows.length,
    meanArea: [mean(`area@${e0}`), mean(`area@${e1}`)],
    medianArea: [median(`area@${e0}`), median(`area@${e1}`)],
    meanAUROC: [mean(`AUROC@${e0}`), mean(`AUROC@${e1}`)],
    meanAccuracy: [mean(`acc@${e0}`), mean(`acc@${e1}`)],
  };
  console.table(rows);
  console.log(
    `method ${base.method}, ${base.steps} steps: area(ε=${e1}) < area(ε=${e0}) in ${tighter}/${rows.length} seeds; ` +
      `mean area ${summary.meanArea.join(' → ')}, median ${summary.medianArea.join(' → ')}, ` +
      `mean AUROC ${summary.meanAUROC.join(' → ')}`,
  );
  const out = get('json', '');
  if (out) writeFileSync(out, JSON.stringify({ settings: base, engine, eps, summary, rows }, null, 2));
}

void main();
