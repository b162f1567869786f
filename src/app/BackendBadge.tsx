import { useAppStore } from './store';

const fmt = (ms: number | null, timedOut?: boolean) =>
  ms === null ? 'not timed' : `${timedOut ? '> ' : ''}${ms >= 100 ? Math.round(ms) : ms.toFixed(1)} ms`;

/**
 * Shows the tfjs backend the worker runs on, why it was chosen over faster-sounding ones (the measured start-up
 * probe), and why each other backend was not used.
 */
export function BackendBadge() {
  const backend = useAppStore((s) => s.backend);
  const error = useAppStore((s) => s.backendError);
  if (error) {
    return (
      <div className="badge badge-error" role="alert" data-testid="backend-badge">
        Backend error: {error}
      </div>
    );
  }
  if (!backend) {
    return (
      <div className="badge" data-testid="backend-badge" aria-busy="true">
        Starting compute worker… (timing a small training step on each backend)
      </div>
    );
  }
  const probes = backend.probes?.filter((p) => p.probeMs !== null) ?? [];
  return (
    <div className="badge" data-testid="backend-badge" data-backend={backend.backend}>
      <strong>{backend.backend.toUpperCase()}</strong> <span className="muted">{backend.detail}</span>
      {backend.forced && <span className="muted"> (forced)</span>}
      {backend.headline && (
        <div className="badge-why" data-testid="backend-why">
          {backend.headline}
        </div>
      )}
      {backend.software && (
        <div className="badge-warn" role="status" data-testid="backend-software">
          Warning: {backend.backend === 'webgpu' ? 'WebGPU' : 'WebGL'} here is {backend.software}; expect it
          to be far slower than WASM.
        </div>
      )}
      {(backend.fallbacks.length > 0 || probes.length > 0) && (
        <details className="fallbacks">
          <summary>{backend.forced ? 'details' : 'why this backend?'}</summary>
          {backend.fallbacks.length > 0 && (
            <ul>
              {backend.fallbacks.map((f) => (
                <li key={f.backend}>
                  <strong>{f.backend}</strong>: {f.reason}
                </li>
              ))}
            </ul>
          )}
          {probes.length > 0 && (
            <table className="probe-table" data-testid="backend-probes">
              <caption>
                Start-up probe: 3×3 conv 16→16 on 4×16×16, forward + backward (median of 3; one run if over
                300 ms)
              </caption>
              <tbody>
                {probes.map((p) => (
                  <tr key={p.backend}>
                    <th scope="row">{p.backend}</th>
                    <td>{fmt(p.probeMs, p.probeTimedOut)}</td>
                    <td className="muted">{p.software ? 'software emulator' : ''}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="muted">
            Force one with <code>?backend=webgpu|webgl|wasm|cpu</code> in the URL.
          </p>
        </details>
      )}
    </div>
  );
}
