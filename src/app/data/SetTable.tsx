import type { SetSummary } from '../../worker/data/types';
import { removeSet } from './dataActions';

const ROLE = { id: 'in-distribution', outliers: 'training outliers', ood: 'OOD test' };
const mb = (b: number) => (b >= 1e6 ? `${(b / 1e6).toFixed(1)} MB` : `${(b / 1e3).toFixed(0)} kB`);

/** What is loaded: one row per set. */
export function SetTable(props: { sets: SetSummary[] }) {
  if (props.sets.length === 0) return <p className="muted">Nothing loaded yet.</p>;
  return (
    <table className="set-table" data-testid="data-sets">
      <thead>
        <tr>
          <th scope="col">Set</th>
          <th scope="col">Role</th>
          <th scope="col">Images</th>
          <th scope="col">Classes</th>
          <th scope="col">Size</th>
          <th scope="col">Source</th>
          <th scope="col">
            <span className="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {props.sets.map((s) => (
          <tr key={s.key} data-key={s.key}>
            <th scope="row">{s.name}</th>
            <td>
              {ROLE[s.role]}
              {s.role === 'ood' && (
                <span
                  className="tag"
                  data-testid="ood-group"
                  title={
                    s.group
                      ? `${s.group} OOD for CIFAR-10 (src/data/oodCatalog.ts)`
                      : 'not in the OOD catalog: counted in neither the near nor the far mean'
                  }
                >
                  {s.group ?? 'ungrouped'}
                </span>
              )}
            </td>
            <td className="num">{s.n.toLocaleString('en')}</td>
            <td
              title={s.perClass?.map((c, i) => `${s.classNames?.[i] ?? i}: ${c}`).join('\n')}
              className="num"
            >
              {s.classes ?? '—'}
            </td>
            <td className="num">{mb(s.bytes)}</td>
            <td className="source">
              {s.source}
              {s.cached && <span className="tag">cached</span>}
            </td>
            <td>
              <button type="button" onClick={() => void removeSet(s.key)} aria-label={`Remove ${s.name}`}>
                ×
              </button>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
