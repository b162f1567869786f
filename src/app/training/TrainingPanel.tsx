import { useEffect } from 'react';
import { LabelledNumber } from '../common/NumberInput';
import { Panel } from '../Panel';
import { useAppStore } from '../store';
import { useDataStore } from '../data/dataStore';
import { CheckpointList } from './CheckpointList';
import { ConfigForm } from './ConfigForm';
import { TrainingCharts } from './Charts';
import { EvalTable } from './EvalTable';
import { ProgressView } from './ProgressView';
import { StatusSection } from './StatusSection';
import { useTrainingStore } from './store';
import './training.css';

/** WideResNet fine-tuning: data and weights, method, live progress and curves, evaluation and export. */
export function TrainingPanel() {
  const s = useTrainingStore();
  const backendReady = useAppStore((a) => a.backend !== null);
  const init = s.init;
  useEffect(() => {
    if (backendReady) void init();
  }, [backendReady, init]);
  const dataSummary = useDataStore((d) => d.summary);
  const refresh = s.refresh;
  useEffect(() => {
    if (backendReady) void refresh();
  }, [backendReady, dataSummary, refresh]);
  const running = s.phase === 'running';
  const busy = s.phase !== 'idle';
  useEffect(() => {
    if (!running) return;
    // Closing or reloading the tab ends the run: ask first (the last checkpoint is kept either way).
    const warn = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = '';
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [running]);
  const paused = s.progress?.status === 'paused';
  const cp = s.status?.checkpoint;
  const ready = Boolean(s.status?.data && s.status?.model);
  return (
    <Panel id="training" title="WideResNet fine-tuning">
      <StatusSection busy={busy} />
      {cp && cp.step < cp.totalSteps && !running && (
        <div
          className="train-resume"
          role="region"
          aria-label="Saved checkpoint"
          data-testid="train-checkpoint"
        >
          A checkpoint of <strong>{cp.config.method}</strong> on {cp.config.model} ({cp.id}) is saved at step{' '}
          {cp.step} of {cp.totalSteps}, {new Date(cp.savedAt).toLocaleString()}.{' '}
          <button type="button" disabled={busy} onClick={() => void s.resumeCheckpoint()}>
            Resume training
          </button>{' '}
          <button type="button" disabled={busy} onClick={() => void s.discardCheckpoint()}>
            Discard
          </button>
        </div>
      )}
      <CheckpointList busy={busy} />
      <ConfigForm disabled={busy} />
      <div className="train-buttons train-controls">
        <button type="button" className="primary" disabled={busy || !ready} onClick={() => void s.start()}>
          Start training
        </button>
        <button type="button" disabled={!running} onClick={() => void (paused ? s.resume() : s.pause())}>
          {paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" disabled={!running && !s.waiting} onClick={() => void s.cancel()}>
          Cancel
        </button>
        <button type="button" disabled={busy || !ready} onClick={() => void s.evaluate()}>
          Evaluate
        </button>
        <LabelledNumber
          id="train-eval-limit"
          label="images per set"
          min={0}
          step={100}
          value={s.evalLimit}
          onValue={s.setEvalLimit}
        />
        <button
          type="button"
          disabled={busy || !s.status?.model}
          onClick={() => void s.exportWeights('tfjs-zip')}
        >
          Export tfjs zip
        </button>
        <button
          type="button"
          disabled={busy || !s.status?.model}
          onClick={() => void s.exportWeights('safetensors')}
        >
          Export safetensors
        </button>
      </div>
      {s.waiting ? (
        <p aria-busy="true" data-testid="train-waiting">
          {s.waiting} (Cancel stops waiting.)
        </p>
      ) : (
        s.phase === 'loading' && <p aria-busy="true">Working…</p>
      )}
      {s.phase === 'evaluating' && <p aria-busy="true">Evaluating…</p>}
      {s.message && (
        <p role="status" className="train-message" data-testid="train-message">
          {s.message}
        </p>
      )}
      {s.error && (
        <p role="alert" className="train-error" data-testid="train-error">
          {s.error}
        </p>
      )}
      {s.warning && (
        <p role="status" className="train-warning" data-testid="train-warning">
          {s.warning}
        </p>
      )}
      <ProgressView progress={s.progress} />
      <TrainingCharts curve={s.curve} />
      <EvalTable before={s.evalBefore} after={s.evalAfter} />
    </Panel>
  );
}
