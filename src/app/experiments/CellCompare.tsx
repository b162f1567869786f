import { useMemo } from 'react';
import { create } from 'zustand';
import { compareCells, defaultPair } from '../../experiments/compare';
import type { ResultRow } from '../../experiments/types';
import { finishedCells, type FinishedCell } from './CellScoresList';
import { TableHead } from './TableHead';

/** The pair each card compares (cellKey|scale of A and B); unset = the default pair. */
const usePairs = create<{
  pairs: Record<string, { a?: string; b?: string }>;
  choose(card: string, side: 'a' | 'b', key: string): void;
}>((set) => ({
  pairs: {},
  choose: (card, side, key) =>
    set((s) => ({ pairs: { ...s.pairs, [card]: { ...s.pairs[card], [side]: key } } })),
}));

const keyOf = (c: FinishedCell) => `${c.cellKey}|${c.scale}`;
const pct = (v: number | null) => (v === null ? '–' : (v * 100).toFixed(2));

/**
 * Two runs of a card side by side in one table (by default the newest two with the same seed and a different
 * method, e.g. OE vs AOE): every final measurement with both values and B − A, in percent.
 */
export function CellCompare(props: { experiment: string; rows: readonly ResultRow[] }) {
  const cells = useMemo(() => finishedCells(props.rows), [props.rows]);
  const chosen = usePairs((s) => s.pairs[props.experiment]);
  const choose = usePairs((s) => s.choose);
  const dflt = useMemo(() => defaultPair(cells), [cells]);
  const a = cells.find((c) => keyOf(c) === chosen?.a) ?? dflt?.[0];
  const b = cells.find((c) => keyOf(c) === chosen?.b) ?? dflt?.[1];
  const lines = useMemo(() => (a && b ? compareCells(props.rows, a, b) : []), [props.rows, a, b]);
  if (!a || !b) return null;
  const id = `exp-compare-${props.experiment}`;
  const describe = (c: FinishedCell) => `${c.label} · ${c.origin} · ${c.scale}`;
  const picker = (side: 'a' | 'b', value: FinishedCell) => (
    <>
      <label htmlFor={`${id}-${side}`}>{side === 'a' ? 'Run A' : 'Run B'}</label>
      <select
        id={`${id}-${side}`}
        value={keyOf(value)}
        onChange={(e) => choose(props.experiment, side, e.target.value)}
      >
        {cells.map((c) => (
          <option key={keyOf(c)} value={keyOf(c)}>
            {describe(c)}
          </option>
        ))}
      </select>
    </>
  );
  return (
    <section className="exp-cells" aria-label="Compare two runs" data-testid={id}>
      <h4>Two runs side by side</h4>
      <div className="exp-controls">
        {picker('a', a)}
        {picker('b', b)}
      </div>
      <table className="exp-table" data-testid={`${id}-table`}>
        <TableHead
          columns={['detector', 'set', 'metric', `A: ${a.label} (%)`, `B: ${b.label} (%)`, 'B − A']}
        />
        <tbody>
          {lines.map((l) => (
            <tr key={`${l.detector}|${l.oodSet}|${l.metric}`}>
              <td>{l.detector || '–'}</td>
              <td>{l.oodSet || '–'}</td>
              <td>{l.metric}</td>
              <td>{pct(l.a)}</td>
              <td>{pct(l.b)}</td>
              <td>{l.diff === null ? '–' : `${l.diff >= 0 ? '+' : ''}${(l.diff * 100).toFixed(2)}`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
