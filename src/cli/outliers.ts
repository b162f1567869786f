/**
 * `npm run outliers -- --sigma2 2 --count 10000 --seed 1 --out samples-2.0.npz`
 *
 * Fits probabilistic PCA to CIFAR-10 training images and writes synthetic outliers in the GOE/AOE authors'
 * `samples-<σ²>.npz` layout (array `x`, uint8, shape (N, 3, 32, 32), NCHW) so numpy/PyTorch read it with
 * `np.load(path)['x']`.
 * Options: --id <folder or .bin> (default public/data/cifar10, from `npm run data`), --fit-count (default 10000
 * images, a seeded subset), --components q (default 32), --iterations (default 3), --scale-noise (also scale
 * the isotropic noise by σ²). Seeding: Random(seed) → fork() for the subset, fork() for the fit's probe
 * vectors, fork() for the samples, in that order.
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Random } from '../core/random';
import { CIFAR10_TRAIN_FILES, parseCifarBinary } from '../data/cifar';
import { concatSets } from '../data/imageSet';
import { writeOutlierNpz } from '../data/outliers/npzOutliers';
import { PpcaGenerator, fitPpca, subsetImages } from '../data/outliers/ppca';

const args = process.argv.slice(2);
const opt = (f: string, def?: string) => {
  const i = args.indexOf(f);
  return i >= 0 ? args[i + 1] : def;
};
const num = (f: string, def: number) => {
  const v = Number(opt(f, String(def)));
  if (!Number.isFinite(v)) throw new Error(`${f} needs a number`);
  return v;
};

function loadId(path: string) {
  const p = resolve(path);
  if (!existsSync(p))
    throw new Error(`${p} does not exist: run \`npm run data\` first or pass --id <folder or .bin>`);
  const files = statSync(p).isDirectory()
    ? CIFAR10_TRAIN_FILES.filter((f) => readdirSync(p).includes(f)).map((f) => join(p, f))
    : [p];
  if (files.length === 0) throw new Error(`${p} holds no data_batch_*.bin`);
  return concatSets(
    'CIFAR-10 train',
    files.map((f) => parseCifarBinary(new Uint8Array(readFileSync(f)), 'cifar10', f)),
  );
}

function main() {
  const sigma2 = num('--sigma2', 2);
  const count = num('--count', 10000);
  const seed = num('--seed', 1);
  const out = opt('--out', `samples-${sigma2.toFixed(1)}.npz`)!;
  const id = loadId(opt('--id', 'public/data/cifar10')!);
  const rng = new Random(seed);
  const subset = subsetImages(id, num('--fit-count', 10000), rng.fork());
  const t0 = Date.now();
  const model = fitPpca(subset, rng.fork(), {
    components: num('--components', 32),
    iterations: num('--iterations', 3),
    onProgress: (p, t) => process.stderr.write(`\rfitting PPCA on ${subset.n} images: pass ${p}/${t}`),
  });
  process.stderr.write('\n');
  const t1 = Date.now();
  const gen = new PpcaGenerator(model, { scaleNoise: args.includes('--scale-noise') });
  const samples = gen.sample(count, sigma2, rng.fork());
  const t2 = Date.now();
  writeFileSync(out, writeOutlierNpz(samples));
  const explained = model.eigenvalues.reduce((a, b) => a + b, 0) / model.totalVariance;
  console.log(
    `${out}: x uint8 (${count}, 3, 32, 32), σ²=${sigma2}, seed ${seed}; PPCA q=${model.q} on ${model.fitCount} images ` +
      `(top-q variance ${(100 * explained).toFixed(1)}%, σ_n²=${model.noiseVariance.toExponential(3)}); ` +
      `fit ${((t1 - t0) / 1000).toFixed(1)} s, sampling ${((t2 - t1) / 1000).toFixed(1)} s`,
  );
}

try {
  main();
} catch (e) {
  console.error(`npm run outliers failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
