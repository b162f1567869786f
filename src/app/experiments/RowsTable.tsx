import { cellLabel } from '../../experiments/run';
import type { ResultRow } from '../../experiments/types';
import { TableHead } from './TableHead';

const LIMIT = 400;

/** The raw rows of a card (first 400), newest first: grid point, seed, detector, set, metric, value, source. */
export function RowsTable(props: { rows: ResultRow[] }) {
  const rows = [...props.rows].sort((a, b) => (a.date < b.date ? 1 : -1)).slice(0, LIMIT);
  return (
    <div className="exp-rows">
      {props.rows.length > LIMIT && (
        <p className="muted">
          Showing {LIMIT} of {props.rows.length.toLocaleString()} rows; export the CSV for all of them.
        </p>
      )}
      <table className="exp-table" data-testid="exp-rows">
        <TableHead
          columns={[
            'grid point',
            'seed',
            'detector',
            'set',
            'metric',
            'value (%)',
            'epoch',
            'source',
            'finished',
          ]}
        />
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>
              <td>{cellLabel([r.cell])}</td>
              <td>{r.seed}</td>
              <td>{r.detector || '–'}</td>
              <td>{r.oodSet || '–'}</td>
              <td>{r.metric}</td>
              <td>{(r.value * 100).toFixed(2)}</td>
              <td>{r.epoch ?? ''}</td>
              <td>{`${r.origin} · ${r.backend} · ${r.scale}`}</td>
              <td>{r.date.slice(0, 19).replace('T', ' ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
