/**
 * `npm run convert-weights -- --in reference/weights/wrn-16-2-cifar10.safetensors \
 *    --info reference/results/pretrain-wrn-16-2.json --out public/models/wrn-16-2-cifar10`
 *
 * Converts a PyTorch WideResNet state_dict saved as safetensors (pytorch-ood key names, OOD_SPEC.md §4) into the
 * app's model zip (manifest.json + model.json + weights.bin, tfjs layouts) through the app's own importer
 * (`modelFromSafetensors`) and exporter (`modelToZip`), and writes the manifest beside it as manifest.json so
 * the UI can show what the model is without unzipping it. The zip is read back and every tensor compared with
 * the safetensors import before the command reports success.
 *
 * Options: --in <file.safetensors> (required), --out <folder> (required), --info <pretrain json written by
 * reference/gpu_job.py> (recipe and accuracy for the manifest), --dropout <p> (default 0.3, pytorch-ood's; a
 * state_dict does not store it), --created <ISO time> (default: the info file's time of the run, else now).
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CIFAR10_CLASSES } from '../data/cifar';
import { modelFromSafetensors, modelFromZip, modelToZip, PRETRAINED_NORMALIZATION } from '../models/io';

const args = process.argv.slice(2);
const opt = (flag: string): string | undefined => {
  const i = args.indexOf(flag);
  return i >= 0 ? args[i + 1] : undefined;
};

/** What reference/gpu_job.py writes as pretrain.json (only the fields used here). */
interface PretrainInfo {
  architecture: string;
  recipe: string;
  epochs: number;
  batch: number;
  train_time_s: number;
  test_accuracy: number;
  test_accuracy_first1000: number;
  dropout: number;
  env: { torch: string; device: string };
}

async function main(): Promise<void> {
  const input = opt('--in');
  const outDir = opt('--out');
  if (!input || !outDir)
    throw new Error('usage: --in <file.safetensors> --out <folder> [--info pretrain.json]');
  const infoPath = opt('--info');
  const info = infoPath ? (JSON.parse(readFileSync(infoPath, 'utf8')) as PretrainInfo) : null;
  const dropRate = Number(opt('--dropout') ?? info?.dropout ?? 0.3);
  const createdAt = opt('--created') ?? (infoPath ? statSync(infoPath).mtime : new Date()).toISOString();

  await tf.setBackend('cpu');
  await tf.ready();
  const bytes = new Uint8Array(readFileSync(resolve(input)));
  const model = modelFromSafetensors(bytes, { dropRate });
  const { depth, widenFactor, numClasses } = model.config;
  if (numClasses !== 10) throw new Error(`expected a CIFAR-10 model (10 classes), got ${numClasses}`);

  const zip = await modelToZip(model, {
    format: 'aoe-playground-model',
    version: 1,
    normalization: PRETRAINED_NORMALIZATION,
    classes: [...CIFAR10_CLASSES],
    training: info
      ? {
          method: 'CE pre-training (PyTorch reference, reference/gpu_job.py)',
          recipe: info.recipe,
          epochs: info.epochs,
          batch: info.batch,
          trainTimeSeconds: Math.round(info.train_time_s),
          framework: `PyTorch ${info.env.torch}`,
          device: info.env.device,
          source: 'reference/weights/wrn-16-2-cifar10.safetensors',
        }
      : null,
    seed: info ? 1 : null,
    metrics: info
      ? { testAccuracy: info.test_accuracy, testAccuracyFirst1000: info.test_accuracy_first1000 }
      : {},
    createdAt,
  });

  // Read back through the app's zip importer and compare every tensor with the safetensors import.
  const back = modelFromZip(zip);
  const a = model.getState();
  const b = back.model.getState();
  for (const [key, t] of a.tensors) {
    const u = b.tensors.get(key);
    if (!u) throw new Error(`round trip lost '${key}'`);
    const x = t.dataSync();
    const y = u.dataSync();
    for (let i = 0; i < x.length; i++) {
      if (x[i] !== y[i]) throw new Error(`round trip changed '${key}'[${i}]: ${x[i]} → ${y[i]}`);
    }
  }
  for (const s of [a, b]) for (const t of s.tensors.values()) t.dispose();
  back.model.dispose();
  model.dispose();

  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, 'model.zip'), zip);
  writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(back.manifest, null, 2) + '\n');
  console.log(
    `${join(outDir, 'model.zip')}: WRN-${depth}-${widenFactor} (${numClasses} classes, dropout ${dropRate}), ` +
      `${(zip.length / 1e6).toFixed(2)} MB; round trip exact` +
      (info ? `; reference accuracy ${(100 * info.test_accuracy).toFixed(2)}%` : ''),
  );
}

main().catch((e: unknown) => {
  console.error(`convert-weights failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
