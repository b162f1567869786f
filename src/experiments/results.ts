/**
 * The versioned results file (`aoe-results` v1): what the browser store, `npm run exp`, the PyTorch reference
 * and torchrun all write, and every figure reads. On disk it is normalised (each cell's config and provenance
 * once, then compact metric rows); in memory every consumer sees flat {@link ResultRow}s.
 */
import { stableStringify } from './json';
import { ORIGINS, type CellIdentity, type Provenance, type ResultRow, type MetricName } from './types';

export const RESULTS_SCHEMA = 'aoe-results';
export const RESULTS_VERSION = 1;

/** One trained cell in a results file: identity, config, provenance. */
export interface ResultsCell extends CellIdentity, Provenance {}

/** A compact metric row: index into `cells`, then the measurement. */
export type CompactRow = [
  cell: number,
  detector: string,
  oodSet: string,
  metric: MetricName,
  value: number,
  epoch: number | null,
  budget: number | null,
  nId: number | null,
  nOod: number | null,
];

export interface ResultsFile {
  schema: typeof RESULTS_SCHEMA;
  version: typeof RESULTS_VERSION;
  /** Free text: what produced the file. */
  producedBy?: string;
  cells: ResultsCell[];
  rows: CompactRow[];
}

/** Every {@link Provenance} field, in the order files and CSV columns list them. */
export const PROVENANCE_FIELDS = [
  'origin',
  'backend',
  'device',
  'scale',
  'appVersion',
  'date',
] as const satisfies readonly (keyof Provenance)[];

const CELL_FIELDS = [
  'experiment',
  'cellKey',
  'cell',
  'config',
  'seed',
  'setting',
  ...PROVENANCE_FIELDS,
] as const;

function cellIdOf(r: ResultRow): string {
  return stableStringify(CELL_FIELDS.map((k) => r[k]));
}

/** Flat rows → the on-disk file (cells deduplicated by identity + grid point + provenance). */
export function toResultsFile(rows: readonly ResultRow[], producedBy?: string): ResultsFile {
  const cells: ResultsCell[] = [];
  const index = new Map<string, number>();
  const out: CompactRow[] = [];
  for (const r of rows) {
    const id = cellIdOf(r);
    let i = index.get(id);
    if (i === undefined) {
      i = cells.length;
      index.set(id, i);
      const c = {} as Record<string, unknown>;
      for (const k of CELL_FIELDS) c[k] = r[k];
      cells.push(c as unknown as ResultsCell);
    }
    out.push([i, r.detector, r.oodSet, r.metric, r.value, r.epoch, r.budget, r.nId, r.nOod]);
  }
  return { schema: RESULTS_SCHEMA, version: RESULTS_VERSION, producedBy, cells, rows: out };
}

/** The on-disk file → flat rows. Throws a message naming the first problem. */
export function fromResultsFile(data: unknown): ResultRow[] {
  const f = data as Partial<ResultsFile>;
  if (!f || typeof f !== 'object' || f.schema !== RESULTS_SCHEMA) {
    throw new Error(`Not an AOE results file (expected "schema": "${RESULTS_SCHEMA}").`);
  }
  if (f.version !== RESULTS_VERSION) {
    throw new Error(
      `Results file version ${String(f.version)} is not supported (this app reads ${RESULTS_VERSION}).`,
    );
  }
  if (!Array.isArray(f.cells) || !Array.isArray(f.rows))
    throw new Error('Results file needs "cells" and "rows" arrays.');
  f.cells.forEach((c, i) => checkCell(c, i));
  return f.rows.map((r, i) => {
    if (!Array.isArray(r) || r.length !== 9) throw new Error(`Results row ${i} must be a 9-element array.`);
    const c = f.cells![r[0]];
    if (!c) throw new Error(`Results row ${i} names cell ${String(r[0])}, which does not exist.`);
    if (typeof r[4] !== 'number') throw new Error(`Results row ${i}: value must be a number.`);
    return {
      ...c,
      detector: String(r[1]),
      oodSet: String(r[2]),
      metric: r[3],
      value: r[4],
      epoch: r[5] ?? null,
      budget: r[6] ?? null,
      nId: r[7] ?? null,
      nOod: r[8] ?? null,
    };
  });
}

function checkCell(c: Partial<ResultsCell>, i: number): void {
  const where = `Results cell ${i}`;
  if (!c || typeof c !== 'object') throw new Error(`${where} is not an object.`);
  for (const k of [
    'experiment',
    'cellKey',
    'setting',
    'backend',
    'device',
    'scale',
    'appVersion',
    'date',
  ] as const) {
    if (typeof c[k] !== 'string') throw new Error(`${where}: "${k}" must be a string.`);
  }
  if (!ORIGINS.includes(c.origin as never))
    throw new Error(`${where}: unknown origin "${String(c.origin)}".`);
  if (typeof c.seed !== 'number') throw new Error(`${where}: "seed" must be a number.`);
  if (!c.cell || typeof c.cell !== 'object' || !c.config || typeof c.config !== 'object') {
    throw new Error(`${where}: "cell" and "config" must be objects.`);
  }
}

/**
 * Identity of one evaluation of one trained model at one grid point from one source (what a figure averages over
 * OOD sets and a CSV line groups metrics by).
 */
export function instanceKey(r: ResultRow, ...extra: unknown[]): string {
  return stableStringify([...modelSourceOf(r), r.setting, r.date, r.epoch, r.budget, ...extra]);
}

/**
 * Identity of a measurement, for de-duplicating merged rows (same cell, provenance origin, slice). The browser
 * store keys its rows by it, so its text must not change.
 */
export function rowKey(r: ResultRow): string {
  return stableStringify([...modelSourceOf(r), r.detector, r.oodSet, r.metric, r.epoch, r.budget]);
}

/** The fields both keys start with: which trained model at which grid point, from which source and scale. */
function modelSourceOf(r: ResultRow): unknown[] {
  return [r.experiment, r.cellKey, r.cell, r.origin, r.backend, r.scale];
}

/** Merge row lists; a later row with the same {@link rowKey} replaces an earlier one. */
export function mergeRows(...lists: readonly (readonly ResultRow[])[]): ResultRow[] {
  const m = new Map<string, ResultRow>();
  for (const list of lists) for (const r of list) m.set(rowKey(r), r);
  return [...m.values()];
}
