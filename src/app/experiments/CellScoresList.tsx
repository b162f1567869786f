import { useMemo } from 'react';
import { cellScoresKey } from '../../experiments/cellScores';
import { cellLabel } from '../../experiments/run';
import type { ResultRow } from '../../experiments/types';
import { useCellScoresStore } from './cellScoresStore';
import { TableHead } from './TableHead';

export interface FinishedCell {
  cellKey: string;
  scale: string;
  /** The grid points the cell serves in this experiment ("AOE ε=0.5 seed=1"). */
  label: string;
  seed: number;
  method: string;
  origin: string;
  date: string;
}

/** The finished cells behind `rows` (one per cellKey + scale), newest first. */
export function finishedCells(rows: readonly ResultRow[]): FinishedCell[] {
  const byKey = new Map<string, { first: ResultRow; points: Map<string, ResultRow['cell']> }>();
  for (const r of rows) {
    if (r.origin === 'paper') continue;
    const key = cellScoresKey(r.cellKey, r.scale);
    let c = byKey.get(key);
    if (!c) byKey.set(key, (c = { first: r, points: new Map() }));
    c.points.set(JSON.stringify(r.cell), r.cell);
  }
  return [...byKey.values()]
    .map(({ first, points }) => ({
      cellKey: first.cellKey,
      scale: first.scale,
      label: cellLabel([...points.values()]),
      seed: first.seed,
      method: String(first.cell.method ?? first.config.method ?? ''),
      origin: first.origin,
      date: first.date,
    }))
    .sort((a, b) => (a.date < b.date ? 1 : -1));
}

/**
 * Your finished cells of a card with an "Export scores" button each: the cell's per-sample scores (every
 * detector, ID test set and each OOD set) as CSV, from which every row can be recomputed (README "Per-sample
 * scores"). Cells whose rows were imported have no scores here.
 */
export function CellScoresList(props: { experiment: string; rows: readonly ResultRow[] }) {
  const keys = useCellScoresStore((s) => s.keys);
  const error = useCellScoresStore((s) => s.error);
  const cells = useMemo(() => finishedCells(props.rows), [props.rows]);
  if (cells.length === 0) return null;
  return (
    <section className="exp-cells" aria-label="Finished cells" data-testid={`exp-cells-${props.experiment}`}>
      <h4>Finished cells: per-sample scores</h4>
      {error && (
        <p className="exp-error" role="alert">
          {error}
        </p>
      )}
      <table className="exp-table">
        <TableHead columns={['cell', 'seed', 'scale', 'source', 'finished', 'scores']} />
        <tbody>
          {cells.map((c) => {
            const has = keys.has(cellScoresKey(c.cellKey, c.scale));
            return (
              <tr key={`${c.cellKey}|${c.scale}`} data-cell={c.cellKey}>
                <td>{c.label}</td>
                <td>{c.seed}</td>
                <td>{c.scale}</td>
                <td>{c.origin}</td>
                <td>{c.date.slice(0, 19).replace('T', ' ')}</td>
                <td>
                  {has ? (
                    <button
                      type="button"
                      aria-label={`Export per-sample scores of ${c.label} (${c.scale}) as CSV`}
                      onClick={() =>
                        void useCellScoresStore.getState().exportCell(props.experiment, c.cellKey, c.scale)
                      }
                    >
                      Export scores (CSV)
                    </button>
                  ) : (
                    <span className="muted">not stored here</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
