import { useEffect, useId, useState, type DragEvent } from 'react';
import { EXPERIMENTS } from '../../experiments/registry';
import { ExperimentCard } from './ExperimentCard';
import { useExperimentsStore } from './store';

let initialised = false;

async function readFiles(files: FileList | File[]): Promise<{ name: string; text: string }[]> {
  return Promise.all([...files].map(async (f) => ({ name: f.name, text: await f.text() })));
}

/** The Experiments area: a card per registered spec, the resume offer after a reload, and results import. */
export function ExperimentsArea() {
  const loaded = useExperimentsStore((s) => s.loaded);
  const pending = useExperimentsStore((s) => s.pendingResume);
  const running = useExperimentsStore((s) => s.run !== null);
  const notice = useExperimentsStore((s) => (s.notice?.specId === '' ? s.notice : null));
  const actions = useExperimentsStore.getState();
  const [over, setOver] = useState(false);
  const inputId = useId();
  useEffect(() => {
    if (initialised) return;
    initialised = true;
    void useExperimentsStore.getState().init();
  }, []);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (e.dataTransfer.files.length) void readFiles(e.dataTransfer.files).then((f) => actions.importFiles(f));
  };
  return (
    <div
      className={`exp-area${over ? ' exp-drop-over' : ''}`}
      data-testid="experiments-area"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
    >
      <p className="muted">
        Each card is one table or figure of the paper as an experiment spec: a grid of training runs on the
        WideResNet (or the 2-D toy), evaluated with the listed detectors. Runs execute in the compute worker
        cell by cell; finished cells are stored in this browser and never re-run. Drop an{' '}
        <code>aoe-results</code> JSON or a results CSV (from this app, <code>npm run exp</code> or torchrun)
        anywhere on this area to add its series.
      </p>
      <div className="exp-controls">
        <input
          id={inputId}
          type="file"
          accept=".json,.csv,application/json,text/csv"
          multiple
          className="exp-file"
          onChange={(e) => {
            const files = e.target.files;
            if (files?.length) void readFiles(files).then((f) => actions.importFiles(f));
            e.target.value = '';
          }}
        />
        <label htmlFor={inputId} className="exp-file-label">
          Import results (JSON/CSV)…
        </label>
        {!loaded && <span className="muted">loading stored results…</span>}
      </div>
      {notice && (
        <p
          className={notice.level === 'error' ? 'exp-error' : 'exp-info'}
          role={notice.level === 'error' ? 'alert' : 'status'}
          data-testid="exp-area-notice"
        >
          {notice.text}
        </p>
      )}
      {pending && !running && (
        <div className="exp-resume" role="status" data-testid="exp-resume">
          An unfinished grid was interrupted: <strong>{pending.specId}</strong> at the {pending.scale} scale
          {pending.extraGrid.seed ? `, seeds ${pending.extraGrid.seed.join(', ')}` : ''} (started{' '}
          {pending.startedAt.slice(0, 16).replace('T', ' ')}). Finished cells are stored.{' '}
          <button type="button" className="primary" onClick={() => void actions.resumePending()}>
            Resume
          </button>{' '}
          <button type="button" onClick={() => void actions.discardPending()}>
            Discard
          </button>
        </div>
      )}
      <div className="exp-cards">
        {EXPERIMENTS.map((spec) => (
          <ExperimentCard key={spec.id} spec={spec} />
        ))}
      </div>
    </div>
  );
}
