import type { TrainProgress } from '../../train/loop';

function duration(s: number): string {
  if (!Number.isFinite(s) || s <= 0) return '—';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.round(s % 60);
  return h ? `${h} h ${m} min` : m ? `${m} min ${sec} s` : `${sec} s`;
}

/** Progress bar with ETA and the latest numbers. */
export function ProgressView(props: { progress: TrainProgress | null }) {
  const p = props.progress;
  if (!p) return null;
  const fraction = p.totalSteps ? p.step / p.totalSteps : 0;
  return (
    <div className="train-progress" data-testid="train-progress" data-status={p.status} data-step={p.step}>
      <div className="train-progress-row">
        <progress value={p.step} max={p.totalSteps} aria-label="Training progress" />
        <span>{(fraction * 100).toFixed(1)}%</span>
      </div>
      <dl className="train-stats">
        <div>
          <dt>Status</dt>
          <dd
            data-testid="train-phase"
            title={
              p.phase === 'first-step' ? 'Preparing and running the first step: the slowest one.' : undefined
            }
          >
            {p.status === 'running' && p.phase === 'first-step' ? 'first step…' : p.status}
          </dd>
        </div>
        <div>
          <dt>Epoch</dt>
          <dd>
            {p.epoch + 1} / {p.epochs}
          </dd>
        </div>
        <div>
          <dt>Step</dt>
          <dd>
            {p.stepInEpoch} / {p.stepsPerEpoch} (total {p.step} / {p.totalSteps})
          </dd>
        </div>
        <div>
          <dt>Loss</dt>
          <dd>{Number.isFinite(p.loss) ? p.loss.toFixed(4) : '—'}</dd>
        </div>
        <div>
          <dt>Train acc.</dt>
          <dd>{(p.runningAccuracy * 100).toFixed(1)}%</dd>
        </div>
        <div>
          <dt>LR</dt>
          <dd>{p.lr.toExponential(2)}</dd>
        </div>
        <div>
          <dt>Images/s</dt>
          <dd>{p.imagesPerSecond ? p.imagesPerSecond.toFixed(1) : '—'}</dd>
        </div>
        <div>
          <dt>Elapsed</dt>
          <dd>{duration(p.elapsedSeconds)}</dd>
        </div>
        <div>
          <dt>ETA</dt>
          <dd>{p.status === 'running' ? duration(p.etaSeconds) : '—'}</dd>
        </div>
        <div>
          <dt>Checkpoint</dt>
          <dd>{p.checkpointStep >= 0 ? `step ${p.checkpointStep}` : 'none yet'}</dd>
        </div>
      </dl>
      {p.checkpointWarning && (
        <p role="alert" className="train-warning" data-testid="train-checkpoint-warning">
          {p.checkpointWarning}
        </p>
      )}
    </div>
  );
}
