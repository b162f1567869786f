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
 * reference/gpu_job.py, or an aoe-results JSON written by reference/openset_finetune.py> (recipe and accuracy
 * for the manifest), --classes <a,b,…> (class names in logit order; default: the safetensors metadata
 * `classes` (a JSON list), else CIFAR-10's ten), --dropout <p> (default 0.3, pytorch-ood's; a state_dict does
 * not store it), --created <ISO time> (default: the info file's time of the run, else now).
 *
 * The 6-class open-set model: `npm run convert-weights -- --in
 * reference/weights/wrn-16-2-cifar10-openset-split1.safetensors --info reference/results/openset-split1-seed1.json
 * --out public/models/wrn-16-2-cifar10-openset-split1`.
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

/** What reference/openset_finetune.py writes (only the fields used here). */
interface OpenSetInfo {
  schema: 'aoe-results';
  rows: { device: string; scale: string; seed: number }[];
  run: {
    split: { index: number; known: number[]; known_names: string[] };
    fine_tune: { steps: number; epochs: number; seconds: number };
    linear_probe: { images: number; seconds: number };
    final: { closed_set_accuracy: number; MSP: { AUROC: number }; EBO: { AUROC: number } };
    args: { batch: number; lr: number; seed: number };
    weights: string;
    torch: string;
  };
}

/** The `__metadata__` of a safetensors file ({} when absent). */
function safetensorsMetadata(bytes: Uint8Array): Record<string, string> {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as {
    __metadata__?: Record<string, string>;
  };
  return header.__metadata__ ?? {};
}

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
  const raw = infoPath ? (JSON.parse(readFileSync(infoPath, 'utf8')) as PretrainInfo | OpenSetInfo) : null;
  const openSet = raw && 'schema' in raw && raw.schema === 'aoe-results' ? raw : null;
  const info = raw && !openSet ? (raw as PretrainInfo) : null;
  const dropRate = Number(opt('--dropout') ?? info?.dropout ?? 0.3);
  const createdAt = opt('--created') ?? (infoPath ? statSync(infoPath).mtime : new Date()).toISOString();

  await tf.setBackend('cpu');
  await tf.ready();
  const bytes = new Uint8Array(readFileSync(resolve(input)));
  const model = modelFromSafetensors(bytes, { dropRate });
  const { depth, widenFactor, numClasses } = model.config;
  const meta = safetensorsMetadata(bytes);
  const classes =
    opt('--classes')?.split(',') ??
    (meta.classes ? (JSON.parse(meta.classes) as string[]) : numClasses === 10 ? [...CIFAR10_CLASSES] : null);
  if (!classes || classes.length !== numClasses)
    throw new Error(
      `the model has ${numClasses} classes; give their names with --classes a,b,… (found ${classes?.length ?? 'none'})`,
    );
  const run = openSet?.run;

  const zip = await modelToZip(model, {
    format: 'aoe-playground-model',
    version: 1,
    normalization: PRETRAINED_NORMALIZATION,
    classes,
    training: run
      ? {
          method: `CIFAR-10 open-set split ${run.split.index}: 6-class head on the pretrained WRN-16-2 (linear probe + fine-tune, reference/openset_finetune.py)`,
          recipe: openSet.rows[0]?.scale ?? '',
          knownClasses: run.split.known,
          epochs: run.fine_tune.epochs,
          batch: run.args.batch,
          trainTimeSeconds: Math.round(run.fine_tune.seconds + run.linear_probe.seconds),
          framework: `PyTorch ${run.torch}`,
          device: openSet.rows[0]?.device ?? '',
          source: run.weights,
        }
      : info
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
    seed: run ? run.args.seed : info ? 1 : null,
    metrics: run
      ? {
          closedSetAccuracy: run.final.closed_set_accuracy,
          aurocMspUnknown: run.final.MSP.AUROC,
          aurocEboUnknown: run.final.EBO.AUROC,
        }
      : info
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
      (info ? `; reference accuracy ${(100 * info.test_accuracy).toFixed(2)}%` : '') +
      (run ? `; closed-set accuracy ${(100 * run.final.closed_set_accuracy).toFixed(2)}%` : ''),
  );
}

main().catch((e: unknown) => {
  console.error(`convert-weights failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
