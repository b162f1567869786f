import { Fragment } from 'react';
import type { CheckpointCadence } from '../../train/checkpointCadence';
import { formatBytes } from '../../data/errors';
import { NumberLabel } from '../common/NumberInput';
import { useTrainingStore } from './store';

/**
 * The two cadence fields, in the sentence "Checkpoint every [m] min and every [n] steps": the stored key, the
 * unit shown (and its name for the field's label), `scale` stored units per unit shown, and `whole` where the
 * stored value is a whole number.
 */
const CADENCE_FIELDS: {
  key: keyof CheckpointCadence;
  lead: string;
  unit: string;
  name: string;
  step: number;
  scale: number;
  whole?: boolean;
}[] = [
  { key: 'everySeconds', lead: 'Checkpoint every', unit: 'min', name: 'minutes', step: 0.5, scale: 60 },
  { key: 'everySteps', lead: 'and every', unit: 'steps', name: 'steps', step: 1, scale: 1, whole: true },
];

/** Checkpoint cadence, and every stored checkpoint (one per run) with its size, Resume and Delete. */
export function CheckpointList(props: { busy: boolean }) {
  const status = useTrainingStore((s) => s.status);
  const cadence = useTrainingStore((s) => s.cadence);
  const persisted = useTrainingStore((s) => s.persisted);
  const { setCadence, resumeCheckpoint, discardCheckpoint } = useTrainingStore.getState();
  const list = status?.checkpoints ?? [];
  const total = list.reduce((a, c) => a + c.bytes, 0);
  const st = status?.storage;
  return (
    <section className="train-checkpoints" aria-label="Checkpoints" data-testid="train-checkpoints">
      <div className="train-cadence">
        {CADENCE_FIELDS.map((f) => (
          <Fragment key={f.key}>
            <span>{f.lead}</span>
            <NumberLabel
              unit={f.unit}
              min={0}
              step={f.step}
              aria-label={`Checkpoint every N ${f.name} (0 = off)`}
              value={cadence[f.key] / f.scale}
              disabled={props.busy}
              onValue={(v) =>
                setCadence({ [f.key]: Math.max(0, f.whole ? Math.round(v * f.scale) : v * f.scale) })
              }
            />
          </Fragment>
        ))}
        <span className="muted">(0 = off), plus at every epoch end, pause and cancel.</span>
      </div>
      <details>
        <summary>
          Saved checkpoints: {list.length} ({formatBytes(total)})
          {st?.usage !== undefined && st.quota !== undefined && (
            <span className="muted">
              {' '}
              — site storage {formatBytes(st.usage)} used of {formatBytes(st.quota)}
              {persisted === true ? ', persistent' : persisted === false ? ', not persistent' : ''}
            </span>
          )}
        </summary>
        {list.length === 0 ? (
          <p className="muted">No checkpoints stored in this browser.</p>
        ) : (
          <table className="train-checkpoint-table">
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Method / model</th>
                <th scope="col">Step</th>
                <th scope="col">Saved</th>
                <th scope="col">Size</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.map((c) => {
                const running = c.id === status?.runningId;
                return (
                  <tr key={c.id} data-run={c.id}>
                    <td>{c.id}</td>
                    <td>
                      {c.config.method} / {c.config.model}
                    </td>
                    <td>
                      {c.step} / {c.totalSteps}
                      {c.step >= c.totalSteps ? ' (finished)' : ''}
                    </td>
                    <td>{new Date(c.savedAt).toLocaleString()}</td>
                    <td>{formatBytes(c.bytes)}</td>
                    <td>
                      {c.step < c.totalSteps && (
                        <button
                          type="button"
                          disabled={props.busy}
                          onClick={() => void resumeCheckpoint(c.id)}
                        >
                          Resume
                        </button>
                      )}{' '}
                      <button
                        type="button"
                        disabled={props.busy || running}
                        aria-label={`Delete checkpoint of ${c.id}`}
                        onClick={() => void discardCheckpoint(c.id)}
                      >
                        Delete
                      </button>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      </details>
    </section>
  );
}
