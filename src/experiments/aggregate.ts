/**
 * From rows to plotted numbers: filter a panel's slice, average over OOD sets where asked ('mean', 'mean-near',
 * 'mean-far' — the paper's unweighted mean), then mean ± sd over repeated cells (seeds). The UI chart, the
 * figure's CSV and its PNG/SVG all draw exactly these numbers.
 */
import { oodGroupOf, sortFarToNear } from '../data/oodCatalog';
import { stableStringify } from './json';
import { instanceKey } from './results';
import type { PlotPanel, PlotSpec, ResultRow, Scalar } from './types';

/** A point of a series: x, mean over seeds, sample sd (0 for one seed), how many seeds. */
export interface SeriesPoint {
  x: Scalar;
  mean: number;
  sd: number;
  n: number;
  seeds: number[];
}

/**
 * One line/bar group: the series value (e.g. method 'AOE') from one source (origin · backend · setting · scale).
 */
export interface Series {
  /** The value of the plot's series key. */
  name: string;
  /** Where the numbers come from: 'paper', 'reference', 'torchrun' (the committed PyTorch runs), 'browser', … */
  origin: string;
  /** Where they ran: a tfjs backend ('wasm', …), 'pytorch-cpu' / 'pytorch-cuda', or 'paper'. */
  backend: string;
  setting: string;
  scale: string;
  /** Day (YYYY-MM-DD) of the newest row behind the series. */
  date: string;
  /** `${name} · ${sourceLabel(series)}` (just the source when name is '') unless the caller relabels. */
  label: string;
  points: SeriesPoint[];
}

/**
 * Where a series' numbers come from, for legends and tables: "paper", "reference pytorch-cpu, quick,
 * 2026-11-30 (consistent)", "your browser wasm, quick (consistent)".
 */
export function sourceLabel(s: Pick<Series, 'origin' | 'backend' | 'setting' | 'scale' | 'date'>): string {
  if (s.origin === 'paper') return 'paper';
  // Committed PyTorch runs ('torchrun', or 'reference' for the one-off scripts) read "reference"; anything
  // else (e.g. 'node' from `npm run exp`, an imported file's origin) is named as it is.
  const who = s.origin === 'torchrun' || s.origin === 'reference' ? 'reference' : s.origin;
  const where =
    s.origin === 'browser'
      ? `your browser ${s.backend}, ${s.scale}`
      : `${who} ${s.backend}, ${s.scale}${s.date ? `, ${s.date}` : ''}`;
  return `${where} (${s.setting})`;
}

/** Group ('near' | 'far') of OOD sets by name, overriding the OOD catalogue; sets neither knows count only in 'mean'. */
export type OodGroups = Readonly<Record<string, 'near' | 'far'>>;

/** Row fields a plot may use as its x axis or series; any other key is a config key. */
export const PLOT_ROW_FIELDS = [
  'epoch',
  'budget',
  'detector',
  'oodSet',
  'seed',
  'origin',
  'setting',
] as const;
type PlotRowField = (typeof PLOT_ROW_FIELDS)[number];

/** The value of `key` for a row: a row field ({@link PLOT_ROW_FIELDS}) or else a grid-point or config key. */
export function rowValue(r: ResultRow, key: string): Scalar | null {
  if ((PLOT_ROW_FIELDS as readonly string[]).includes(key)) return r[key as PlotRowField];
  return r.cell[key] ?? r.config[key] ?? null;
}

/** Sample mean and standard deviation (n − 1; 0 when n = 1). */
export function meanSd(values: readonly number[]): { mean: number; sd: number } {
  const n = values.length;
  if (n === 0) return { mean: NaN, sd: NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, sd: 0 };
  const ss = values.reduce((a, b) => a + (b - mean) ** 2, 0);
  return { mean, sd: Math.sqrt(ss / (n - 1)) };
}

function inSetGroup(set: string, which: string, groups: OodGroups): boolean {
  if (which === 'mean') return set !== '';
  const group = groups[set] ?? oodGroupOf(set);
  if (which === 'mean-near') return group === 'near';
  if (which === 'mean-far') return group === 'far';
  return set === which;
}

/**
 * The panel's values per cell instance (one trained model at one grid point from one source): averaged over the
 * selected OOD sets. Returns [row representing the instance, value].
 */
export function panelValues(
  rows: readonly ResultRow[],
  plot: Pick<PlotSpec, 'x'>,
  panel: PlotPanel,
  groups: OodGroups = {},
): [ResultRow, number][] {
  const bySet = panel.oodSet === undefined ? null : panel.oodSet;
  const acc = new Map<string, { row: ResultRow; sum: number; n: number }>();
  for (const r of rows) {
    if (r.metric !== panel.metric) continue;
    if (panel.detector !== undefined && r.detector !== panel.detector) continue;
    if (bySet !== null && !inSetGroup(r.oodSet, bySet, groups)) continue;
    if (plot.x !== 'epoch' && r.epoch !== null) continue;
    if (plot.x !== 'budget' && r.budget !== null && r.budget !== 0) continue;
    // x may be a row field that differs within an instance (e.g. 'oodSet' for per-set figures).
    const id = instanceKey(r, r.detector, rowValue(r, plot.x));
    const a = acc.get(id);
    if (a) {
      a.sum += r.value;
      a.n++;
    } else acc.set(id, { row: r, sum: r.value, n: 1 });
  }
  return [...acc.values()].map((a) => [a.row, a.sum / a.n]);
}

/**
 * Series of a panel: group by (series value, origin, setting, scale), then by x, aggregating over seeds.
 * Points are sorted by x (numbers ascending; OOD sets far → near by the OOD catalog, Fig. 7; other strings in
 * first-seen order).
 */
export function plotSeries(
  rows: readonly ResultRow[],
  plot: Pick<PlotSpec, 'x' | 'series'>,
  panel: PlotPanel,
  groups: OodGroups = {},
): Series[] {
  const series = new Map<
    string,
    { s: Series; byX: Map<string, { x: Scalar; values: number[]; seeds: number[] }> }
  >();
  for (const [r, v] of panelValues(rows, plot, panel, groups)) {
    const name = String(rowValue(r, plot.series) ?? '');
    const x = rowValue(r, plot.x);
    if (x === null) continue;
    const sid = stableStringify([name, r.origin, r.backend, r.setting, r.scale]);
    let e = series.get(sid);
    if (!e) {
      e = {
        s: {
          name,
          origin: r.origin,
          backend: r.backend,
          setting: r.setting,
          scale: r.scale,
          date: '',
          label: '',
          points: [],
        },
        byX: new Map(),
      };
      series.set(sid, e);
    }
    const day = (r.date ?? '').slice(0, 10);
    if (day > e.s.date) e.s.date = day;
    const xk = JSON.stringify(x);
    let p = e.byX.get(xk);
    if (!p) e.byX.set(xk, (p = { x, values: [], seeds: [] }));
    p.values.push(v);
    p.seeds.push(r.seed);
  }
  const out: Series[] = [];
  for (const { s, byX } of series.values()) {
    // A panel without the series key (e.g. ACC in a per-detector figure) names only the source.
    s.label = s.name ? `${s.name} · ${sourceLabel(s)}` : sourceLabel(s);
    s.points = [...byX.values()].map((p) => ({
      x: p.x,
      ...meanSd(p.values),
      n: p.values.length,
      seeds: p.seeds,
    }));
    if (s.points.every((p) => typeof p.x === 'number'))
      s.points.sort((a, b) => (a.x as number) - (b.x as number));
    else if (plot.x === 'oodSet') s.points = sortFarToNear(s.points, (p) => String(p.x));
    out.push(s);
  }
  return out;
}

/**
 * The plotted numbers of a panel as CSV (series, origin, backend, setting, scale, date, x, mean, sd, n, seeds).
 */
export function seriesToCsv(series: readonly Series[], xName: string): string {
  const lines = [`series,origin,backend,setting,scale,date,${xName},mean,sd,n,seeds`];
  for (const s of series) {
    for (const p of s.points) {
      lines.push(
        [s.name, s.origin, s.backend, s.setting, s.scale, s.date, String(p.x), p.mean, p.sd, p.n]
          .concat(p.seeds.join(' '))
          .join(','),
      );
    }
  }
  return lines.join('\n') + '\n';
}
