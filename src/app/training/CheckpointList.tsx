import { formatBytes } from '../../data/errors';
import { useTrainingStore } from './store';

/** Checkpoint cadence, and every stored checkpoint (one per run) with its size, Resume and Delete. */
export function CheckpointList(props: { busy: boolean }) {
  const status = useTrainingStore((s) => s.status);
  const cadence = useTrainingStore((s) => s.cadence);
  const setCadence = useTrainingStore((s) => s.setCadence);
  const resumeCheckpoint = useTrainingStore((s) => s.resumeCheckpoint);
  const discardCheckpoint = useTrainingStore((s) => s.discardCheckpoint);
  const persisted = useTrainingStore((s) => s.persisted);
  const list = status?.checkpoints ?? [];
  const total = list.reduce((a, c) => a + c.bytes, 0);
  const st = status?.storage;
  return (
    <section className="train-checkpoints" aria-label="Checkpoints" data-testid="train-checkpoints">
      <div className="train-cadence">
        <span>Checkpoint every</span>
        <label>
          <input
            type="number"
            min={0}
            step={0.5}
            aria-label="Checkpoint every N minutes (0 = off)"
            value={cadence.everySeconds / 60}
            disabled={props.busy}
            onChange={(e) => setCadence({ everySeconds: Math.max(0, Number(e.target.value) * 60) })}
          />{' '}
          min
        </label>
        <span>and every</span>
        <label>
          <input
            type="number"
            min={0}
            step={1}
            aria-label="Checkpoint every N steps (0 = off)"
            value={cadence.everySteps}
            disabled={props.busy}
            onChange={(e) => setCadence({ everySteps: Math.max(0, Math.round(Number(e.target.value))) })}
          />{' '}
          steps
        </label>
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
