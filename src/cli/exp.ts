/**
 * `npm run exp` — run an experiment spec headless (same runner, executors and specs as the app's Experiments area).
 *
 *   npm run exp -- --list
 *   npm run exp -- <id> [--scale smoke|quick|paper] [--backend wasm|cpu] [--seeds 1,2,3] [--out DIR]
 *                        [--grid axis=v1,v2 …]   (replace or add a grid axis, e.g. --grid epsilon=0,0.5)
 *   npm run exp -- <id> [--scale …] [--seeds …] --spec-file out.json     (the aoe-experiment file for torchrun)
 *
 * Prints the spec's plotted numbers (series × x, mean ± sd over seeds) and writes `<id>.json` (aoe-results) and
 * `<id>.csv` into DIR (default results/). An existing `<id>.json` there is resumed: finished cells never re-run.
 * Ctrl-C stops after the current step; finished cells stay in the file.
 */
import { writeFileSync } from 'node:fs';
import { EXPERIMENTS, experimentById } from '../experiments/registry';
import { toSpecFile } from '../experiments/specFile';
import { plotTables, tablesToText } from '../experiments/table';
import { SCALES, type Scalar, type ScaleName } from '../experiments/types';
import { runInNode } from './expNode';

const USAGE =
  'usage: npm run exp -- --list | <id> [--scale smoke|quick|paper] [--backend wasm|cpu] [--seeds 1,2,3] [--out DIR] [--spec-file FILE]';

/** "0.5" → 0.5, "true" → true, else the string. */
function scalarOf(s: string): Scalar {
  if (s === 'true' || s === 'false') return s === 'true';
  return s.trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : s;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    if (i < 0) return undefined;
    const v = args[i + 1];
    if (v === undefined || v.startsWith('--')) throw new Error(`--${name} needs a value. ${USAGE}`);
    return v;
  };
  if (args.includes('--list')) {
    for (const s of EXPERIMENTS) console.log(`${s.id}\t${s.title}`);
    return;
  }
  const id = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1].startsWith('--')));
  if (!id) throw new Error(USAGE);
  const spec = experimentById(id);
  const scale = (opt('scale') ?? 'quick') as ScaleName;
  if (!SCALES.includes(scale)) throw new Error(`--scale must be one of ${SCALES.join(', ')}.`);
  if (!spec.scales[scale])
    throw new Error(`${spec.id} has no "${scale}" scale (it has ${Object.keys(spec.scales).join(', ')}).`);
  const backend = (opt('backend') ?? 'wasm') as 'wasm' | 'cpu';
  if (backend !== 'wasm' && backend !== 'cpu') throw new Error('--backend must be wasm or cpu.');
  const seedsText = opt('seeds');
  const seeds = seedsText?.split(',').map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n)) throw new Error(`--seeds: "${s}" is not an integer.`);
    return n;
  });
  const extraGrid: Record<string, Scalar[]> = seeds ? { seed: seeds } : {};
  args.forEach((a, i) => {
    if (a !== '--grid') return;
    const m = /^(\w+)=(.+)$/.exec(args[i + 1] ?? '');
    if (!m) throw new Error(`--grid needs axis=v1,v2 (got "${args[i + 1] ?? ''}").`);
    extraGrid[m[1]] = m[2].split(',').map(scalarOf);
  });
  const specFile = opt('spec-file');
  if (specFile) {
    writeFileSync(specFile, JSON.stringify(toSpecFile(spec, scale, extraGrid), null, 1));
    console.log(`wrote ${specFile}`);
    return;
  }
  const out = opt('out') ?? 'results';
  const controller = new AbortController();
  process.once('SIGINT', () => {
    console.error('\ncancelling (finished cells are kept)…');
    controller.abort();
  });
  let last = '';
  const { store } = await runInNode(spec, {
    scale,
    backend,
    out,
    extraGrid,
    signal: controller.signal,
    onProgress: (p) => {
      const line = p.current
        ? `[${p.cellsDone}/${p.cellsTotal}] ${p.current.label}: ${p.current.message}`
        : `[${p.cellsDone}/${p.cellsTotal}] ${p.cellsReused} cell(s) reused from the results file`;
      if (line !== last && (p.current || p.cellsReused > 0))
        process.stderr.write(`${line}${p.etaSeconds ? ` (ETA ${p.etaSeconds.toFixed(0)} s)` : ''}\n`);
      last = line;
    },
  });
  const rows = store.rows.filter((r) => r.scale === scale);
  console.log(`${spec.id} — ${spec.title} (${spec.paperRef}), scale ${scale}, backend ${backend}`);
  console.log(tablesToText(plotTables(spec, rows), spec.plot.x));
  console.log(`\nwrote ${store.jsonPath} and ${store.csvPath} (${store.rows.length} rows)`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(err instanceof Error && err.name === 'AbortError' ? 130 : 1);
});
