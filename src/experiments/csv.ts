/**
 * CSV of result rows, OpenOOD-like: one line per (cell, detector, dataset, epoch, budget) with the metric columns
 * AUROC, AUPR-IN, AUPR-OUT, FPR95TPR, ACC (fractions, not percent, so a round trip is exact), then provenance,
 * then every grid-point value as `cell.<key>` and every config value as `config.<key>`. ID accuracy is its own
 * line with empty detector and dataset. `rowsFromCsv` inverts `rowsToCsv`.
 */
import { instanceKey, PROVENANCE_FIELDS } from './results';
import { ORIGINS, type MetricName, type Origin, type ResultRow, type RunConfig, type Scalar } from './types';

const METRIC_COLUMNS: readonly MetricName[] = ['AUROC', 'AUPR-IN', 'AUPR-OUT', 'FPR95TPR', 'ACC', 'AREA'];
const FIXED = [
  'experiment',
  'dataset',
  'detector',
  'epoch',
  'budget',
  'seed',
  'setting',
  'nId',
  'nOod',
  ...PROVENANCE_FIELDS,
  'cellKey',
] as const;

/** A CSV field, quoted when it holds a comma, quote or line break. */
export function quoteCsv(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

function cellText(v: Scalar | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : String(v);
  return String(v);
}

/** Rows → CSV text (header + one line per measurement group). */
export function rowsToCsv(rows: readonly ResultRow[]): string {
  const cellKeys = new Set<string>();
  const configKeys = new Set<string>();
  for (const r of rows) {
    Object.keys(r.cell).forEach((k) => cellKeys.add(k));
    Object.keys(r.config).forEach((k) => configKeys.add(k));
  }
  const cellCols = [...cellKeys].sort();
  const configCols = [...configKeys].sort();
  const groups = new Map<string, { first: ResultRow; metrics: Map<MetricName, number> }>();
  for (const r of rows) {
    // Metrics measured on different sample counts (toy ACC vs AREA) get their own lines: nId/nOod are per line.
    const id = instanceKey(r, r.detector, r.oodSet, r.nId, r.nOod);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = { first: r, metrics: new Map() }));
    g.metrics.set(r.metric, r.value);
  }
  const header = [
    ...FIXED.slice(0, 5),
    ...METRIC_COLUMNS,
    ...FIXED.slice(5),
    ...cellCols.map((k) => `cell.${k}`),
    ...configCols.map((k) => `config.${k}`),
  ];
  const lines = [header.map(quoteCsv).join(',')];
  for (const { first: r, metrics } of groups.values()) {
    const fixed: Record<(typeof FIXED)[number], string> = {
      experiment: r.experiment,
      dataset: r.oodSet,
      detector: r.detector,
      epoch: cellText(r.epoch),
      budget: cellText(r.budget),
      seed: String(r.seed),
      setting: r.setting,
      nId: cellText(r.nId),
      nOod: cellText(r.nOod),
      origin: r.origin,
      backend: r.backend,
      device: r.device,
      scale: r.scale,
      appVersion: r.appVersion,
      date: r.date,
      cellKey: r.cellKey,
    };
    const values = [
      ...FIXED.slice(0, 5).map((k) => fixed[k]),
      ...METRIC_COLUMNS.map((m) => (metrics.has(m) ? String(metrics.get(m)) : '')),
      ...FIXED.slice(5).map((k) => fixed[k]),
      ...cellCols.map((k) => cellText(r.cell[k])),
      ...configCols.map((k) => cellText(r.config[k])),
    ];
    lines.push(values.map(quoteCsv).join(','));
  }
  return lines.join('\n') + '\n';
}

/** Parse CSV text into records (RFC 4180 quoting). */
export function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      out.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    out.push(row);
  }
  return out.filter((r) => !(r.length === 1 && r[0] === ''));
}

function scalarFrom(s: string): Scalar {
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (s !== '' && /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$|^[-+]?Infinity$|^NaN$/.test(s)) return Number(s);
  return s;
}

function numOrNull(s: string): number | null {
  return s === '' ? null : Number(s);
}

/** CSV text (as written by {@link rowsToCsv}) → flat rows. Throws a message naming the first bad line. */
export function rowsFromCsv(text: string): ResultRow[] {
  const records = parseCsv(text);
  if (records.length === 0) throw new Error('The CSV file is empty.');
  const header = records[0];
  const col = new Map(header.map((h, i) => [h, i]));
  for (const k of [...FIXED, 'AUROC']) {
    if (!col.has(k)) throw new Error(`Not an AOE results CSV: column "${k}" is missing.`);
  }
  const rows: ResultRow[] = [];
  records.slice(1).forEach((rec, li) => {
    const line = li + 2;
    if (rec.length !== header.length) {
      throw new Error(`CSV line ${line} has ${rec.length} fields, the header has ${header.length}.`);
    }
    const get = (k: string) => rec[col.get(k)!];
    const cell: RunConfig = {};
    const config: RunConfig = {};
    header.forEach((h, i) => {
      if (h.startsWith('cell.') && rec[i] !== '') cell[h.slice(5)] = scalarFrom(rec[i]);
      if (h.startsWith('config.') && rec[i] !== '') config[h.slice(7)] = scalarFrom(rec[i]);
    });
    const origin = get('origin') as Origin;
    if (!ORIGINS.includes(origin)) throw new Error(`CSV line ${line}: unknown origin "${origin}".`);
    for (const m of METRIC_COLUMNS) {
      const v = col.has(m) ? get(m) : '';
      if (v === '') continue;
      const value = Number(v);
      if (Number.isNaN(value) && v !== 'NaN')
        throw new Error(`CSV line ${line}: ${m} "${v}" is not a number.`);
      rows.push({
        experiment: get('experiment'),
        cellKey: get('cellKey'),
        cell,
        config,
        seed: Number(get('seed')),
        setting: get('setting'),
        detector: get('detector'),
        oodSet: get('dataset'),
        metric: m,
        value,
        epoch: numOrNull(get('epoch')),
        budget: numOrNull(get('budget')),
        nId: numOrNull(get('nId')),
        nOod: numOrNull(get('nOod')),
        origin,
        backend: get('backend'),
        device: get('device'),
        scale: get('scale') as ResultRow['scale'],
        appVersion: get('appVersion'),
        date: get('date'),
      });
    }
  });
  return rows;
}
