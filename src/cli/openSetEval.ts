/**
 * Evaluate shipped open-set weights in the app (Node, tfjs-wasm) on the served CIFAR-10 test set, as the
 * `wrn-openset` executor evaluates its cells: known test classes (relabelled 0..5, ascending) = ID, the unknown
 * ones = `cifar10-unknown`; MSP, MaxLogit, EBO; closed-set accuracy. Prints one JSON line, fractions.
 *
 *   npx tsx --import ./src/cli/esmDirImports.mjs src/cli/openSetEval.ts [--split 1] [--limit 0]
 *       [--model public/models/wrn-16-2-cifar10-openset-split1/model.zip]
 *
 * Compare with the reference's own evaluation of the same weights (public/reference/openset-split<k>-seed1.json).
 */
import { readFileSync } from 'node:fs';
import { loadServedData, useBackend } from './expNode';
import { openSetTrainingData, OPEN_SET_OOD } from '../experiments/executors/wrnOpenSetCell';
import { modelFromZip } from '../models/io';
import { evaluateDetectors } from '../train/detectorEval';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

async function main(): Promise<void> {
  const split = Number(arg('split', '1'));
  const limit = Number(arg('limit', '0'));
  const zip = arg('model', `public/models/wrn-16-2-cifar10-openset-split${split}/model.zip`);
  await useBackend('wasm');
  const data = openSetTrainingData(await loadServedData('public/data'), split);
  const { model, manifest } = modelFromZip(new Uint8Array(readFileSync(zip)));
  const t0 = Date.now();
  try {
    const ev = await evaluateDetectors(
      model,
      { ...data, normalization: manifest.normalization },
      { detectors: ['MSP', 'MaxLogit', 'EBO'], oodSets: [OPEN_SET_OOD], limit, fitLimit: 0 },
    );
    const seconds = (Date.now() - t0) / 1000;
    console.log(
      JSON.stringify({
        split,
        limit,
        zip,
        seconds,
        accuracy: ev.accuracy,
        nId: ev.testCount,
        metrics: ev.metrics,
      }),
    );
  } finally {
    model.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
