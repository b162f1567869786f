/**
 * A spec's plotted numbers as text tables (one per plot panel: series × x, mean ± sd over seeds in percent with
 * two decimals). `npm run exp` prints them; the UI's 'table' figures and the figure CSV show the same numbers.
 */
import { plotSeries, seriesToCsv, type OodGroups, type Series } from './aggregate';
import { farToNearRank, sortFarToNear } from '../data/oodCatalog';
import { DETECTOR_NAMES, type ExperimentSpec, type PlotPanel, type ResultRow, type Scalar } from './types';

/** "93.21 ± 0.40" (percent of a fraction; no ± for a single seed). */
export function formatMeanSd(mean: number, sd: number, n: number): string {
  if (!Number.isFinite(mean)) return '–';
  const m = (mean * 100).toFixed(2);
  return n > 1 ? `${m} ± ${(sd * 100).toFixed(2)}` : m;
}

/** Title of a panel: its own, else "AUROC · EBO · mean". */
export function panelTitle(panel: PlotPanel): string {
  return panel.title ?? [panel.metric, panel.detector, panel.oodSet].filter(Boolean).join(' · ');
}

export interface PanelTable {
  title: string;
  /** The x values in order of first appearance (numbers ascending). */
  columns: Scalar[];
  rows: { series: Series; cells: string[] }[];
}

const DETECTOR_ORDER = new Map<string, number>([
  ['', -1],
  ...DETECTOR_NAMES.map((d, i) => [d, i] as [string, number]),
]);

/**
 * The x values over all series: numbers ascending; OOD sets far → near (Fig. 7); detectors in DETECTOR_NAMES
 * order; else first-seen order.
 */
export function xValues(series: readonly Series[]): Scalar[] {
  const seen = new Map<string, Scalar>();
  for (const s of series) for (const p of s.points) seen.set(JSON.stringify(p.x), p.x);
  const xs = [...seen.values()];
  if (xs.every((x) => typeof x === 'number')) xs.sort((a, b) => (a as number) - (b as number));
  // OOD-set axes (Fig. 7) far → near, whatever order the series met them in; other strings keep first-seen order.
  else if (xs.some((x) => typeof x === 'string' && Number.isFinite(farToNearRank(x))))
    return sortFarToNear(xs, String);
  // Detector axes (Table 2) in the one canonical order, whichever source listed its detectors first.
  else if (xs.every((x) => DETECTOR_ORDER.has(String(x))))
    xs.sort((a, b) => DETECTOR_ORDER.get(String(a))! - DETECTOR_ORDER.get(String(b))!);
  return xs;
}

/** One table per panel of the spec's plot. */
export function plotTables(
  spec: ExperimentSpec,
  rows: readonly ResultRow[],
  groups: OodGroups = {},
): PanelTable[] {
  const mine = rows.filter((r) => r.experiment === spec.id);
  return spec.plot.panels.map((panel) => {
    const series = plotSeries(mine, spec.plot, panel, groups);
    const columns = xValues(series);
    return {
      title: panelTitle(panel),
      columns,
      rows: series.map((s) => ({
        series: s,
        cells: columns.map((x) => {
          const p = s.points.find((q) => q.x === x);
          return p ? formatMeanSd(p.mean, p.sd, p.n) : '';
        }),
      })),
    };
  });
}

/** Plain-text rendering of {@link plotTables} (aligned columns) for the terminal. */
export function tablesToText(tables: readonly PanelTable[], xName: string): string {
  const out: string[] = [];
  for (const t of tables) {
    out.push(`\n${t.title} (percent, mean ± sd over seeds)`);
    const header = [`series \\ ${xName}`, ...t.columns.map(String)];
    const body = t.rows.map((r) => [r.series.label, ...r.cells]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
    out.push(line(header), widths.map((w) => '─'.repeat(w)).join('  '), ...body.map(line));
    if (t.rows.length === 0) out.push('(no rows yet)');
  }
  return out.join('\n');
}

/** The plotted numbers of every panel as one CSV (a `panel` column, then seriesToCsv's columns). */
export function figureCsv(spec: ExperimentSpec, rows: readonly ResultRow[], groups: OodGroups = {}): string {
  const blocks = spec.plot.panels.map((panel) => {
    const lines = seriesToCsv(plotSeries(rows, spec.plot, panel, groups), spec.plot.x)
      .trimEnd()
      .split('\n');
    return { header: lines[0], body: lines.slice(1).map((l) => `"${panelTitle(panel)}",${l}`) };
  });
  return [`panel,${blocks[0]?.header ?? ''}`, ...blocks.flatMap((b) => b.body)].join('\n') + '\n';
}
