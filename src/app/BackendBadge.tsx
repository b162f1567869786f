import { useAppStore } from './store';

/** Shows the tfjs backend the worker runs on, and why each faster one was not used. */
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
        Starting compute worker…
      </div>
    );
  }
  return (
    <div className="badge" data-testid="backend-badge" data-backend={backend.backend}>
      <strong>{backend.backend.toUpperCase()}</strong> <span className="muted">{backend.detail}</span>
      {backend.forced && <span className="muted"> (forced)</span>}
      {backend.fallbacks.length > 0 && (
        <details className="fallbacks">
          <summary>why not faster?</summary>
          <ul>
            {backend.fallbacks.map((f) => (
              <li key={f.backend}>
                <strong>{f.backend}</strong>: {f.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </div>
  );
}
