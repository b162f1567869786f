import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs';
import { buildToyData } from '../train/toy/data';
import { defaultToyParams, mergeToyParams } from '../train/toy/params';
import { ToyRun } from '../train/toy/trainer';
async function main() {
  await tf.setBackend('wasm');
  const ov: Record<string, string> = {};
  for (const a of process.argv.slice(2)) {
    const m = /^--(\w+)=(.*)$/.exec(a);
    if (m) ov[m[1]] = m[2];
  }
  const p = mergeToyParams(defaultToyParams(), ov).params;
  const data = buildToyData(p);
  for (const e of [0, 0.5]) {
    const run = new ToyRun(data, { ...p, epsilon: e });
    run.train(p.steps);
    const ev = run.evaluate(40, p.view);
    console.log(
      `eps ${e} area ${ev.acceptedArea.toFixed(3)} AUROC ${ev.AUROC.toFixed(3)} near ${ev.AUROCNear.toFixed(3)} far ${ev.AUROCFar.toFixed(3)}`,
    );
    for (let r = 0; r < 40; r += 2) {
      let line = '';
      for (let c = 0; c < 40; c++) line += ev.gridEnergy[r * 40 + c] < ev.tau ? '#' : '.';
      console.log(line);
    }
    run.dispose();
  }
}
main();
