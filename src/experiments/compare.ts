/**
 * Two finished cells side by side (e.g. OE and AOE with the same seed): one line per measurement both or either
 * has (ID accuracy first, then detector × OOD set × metric of the final evaluation), with each cell's value and
 * the difference B − A. DOM-free; the Experiments card renders it.
 */
import type { MetricName, ResultRow } from './types';

/** A cell as the comparison addresses it. */
export interface CellRef {
  cellKey: string;
  scale: string;
}

export interface ComparisonLine {
  detector: string;
  oodSet: string;
  metric: MetricName;
  a: number | null;
  b: number | null;
  /** b − a (null when either is missing). */
  diff: number | null;
}

const lineKey = (r: Pick<ResultRow, 'detector' | 'oodSet' | 'metric'>) =>
  `${r.detector}\u0000${r.oodSet}\u0000${r.metric}`;

/** Final-evaluation rows (no epoch, no attack budget) of one cell, one per measurement. */
function finalRows(rows: readonly ResultRow[], c: CellRef): Map<string, ResultRow> {
  const out = new Map<string, ResultRow>();
  for (const r of rows)
    if (
      r.cellKey === c.cellKey &&
      r.scale === c.scale &&
      r.epoch === null &&
      r.budget === null &&
      r.origin !== 'paper'
    )
      if (!out.has(lineKey(r))) out.set(lineKey(r), r);
  return out;
}

/** The comparison of cells `a` and `b` over `rows` (ACC and AREA first, then by detector, set, metric). */
export function compareCells(rows: readonly ResultRow[], a: CellRef, b: CellRef): ComparisonLine[] {
  const ra = finalRows(rows, a);
  const rb = finalRows(rows, b);
  const keys = [...new Set([...ra.keys(), ...rb.keys()])];
  const lines = keys.map((k): ComparisonLine => {
    const x = ra.get(k);
    const y = rb.get(k);
    const r = (x ?? y)!;
    const va = x ? x.value : null;
    const vb = y ? y.value : null;
    return {
      detector: r.detector,
      oodSet: r.oodSet,
      metric: r.metric,
      a: va,
      b: vb,
      diff: va !== null && vb !== null ? vb - va : null,
    };
  });
  const scalarFirst = (l: ComparisonLine) => (l.detector === '' ? 0 : 1);
  return lines.sort(
    (p, q) =>
      scalarFirst(p) - scalarFirst(q) ||
      p.detector.localeCompare(q.detector) ||
      p.oodSet.localeCompare(q.oodSet) ||
      p.metric.localeCompare(q.metric),
  );
}

/**
 * A default pair to compare among cells (newest first): the newest two with the same seed and scale but a
 * different method, else the newest two; null when fewer than two.
 */
export function defaultPair<T extends CellRef & { seed: number; method: string }>(
  cells: readonly T[],
): [T, T] | null {
  for (let i = 0; i < cells.length; i++)
    for (let j = i + 1; j < cells.length; j++)
      if (
        cells[i].seed === cells[j].seed &&
        cells[i].scale === cells[j].scale &&
        cells[i].method !== cells[j].method
      )
        return [cells[j], cells[i]];
  return cells.length >= 2 ? [cells[1], cells[0]] : null;
}
