import { useEffect, useState, type ReactNode } from 'react';
import type { DetectorTableResult } from '../../worker/analysesApi';
import { NumberLabel } from '../common/NumberInput';
import { Panel } from '../Panel';
import { useAppStore } from '../store';
import { useTrainingStore } from '../training/store';
import { ATTACK_CURVES_CARD, AttackCurves } from './AttackCurves';
import { Card, type CardText } from './Card';
import { DETECTOR_TABLE_CARD, DetectorTable } from './DetectorTable';
import { ENERGY_HISTOGRAMS_CARD, EnergyHistograms } from './EnergyHistograms';
import { GALLERY_CARD, Gallery } from './Gallery';
import { PER_DATASET_CARD, PerDataset } from './PerDataset';
import { ROC_CURVES_CARD, RocCurves } from './RocCurves';
import { useAnalysesStore } from './store';
import './analyses.css';

/** The cards in page order; `body` gets the current detector table (the other views read their own store slice). */
const ANALYSIS_CARDS: { text: CardText; body: (t: DetectorTableResult) => ReactNode }[] = [
  { text: DETECTOR_TABLE_CARD, body: (t) => <DetectorTable table={t} /> },
  { text: ENERGY_HISTOGRAMS_CARD, body: () => <EnergyHistograms /> },
  { text: ROC_CURVES_CARD, body: () => <RocCurves /> },
  { text: PER_DATASET_CARD, body: (t) => <PerDataset table={t} /> },
  { text: GALLERY_CARD, body: () => <Gallery /> },
  { text: ATTACK_CURVES_CARD, body: () => <AttackCurves /> },
];

/**
 * Analyses of whatever model the training area holds (pretrained, imported or just trained): no training,
 * refreshed whenever the model or the loaded data change.
 */
export function AnalysesPanel() {
  const s = useAnalysesStore();
  const version = useTrainingStore((t) => t.status?.modelVersion ?? null);
  const hasData = useTrainingStore((t) => Boolean(t.status?.data && t.status.data.oodSets.length > 0));
  const idle = useTrainingStore((t) => t.phase === 'idle');
  const label = useTrainingStore((t) => t.status?.model?.detail ?? null);
  const refresh = s.refresh;
  // On a software-emulated GPU (a forced SwiftShader WebGPU/WebGL) a detector table takes many minutes and
  // keeps the browser's GPU process busy even after a reload (a new page then waits over a minute for its
  // adapter): there the analyses run only when asked (Recompute).
  const software = useAppStore((a) => a.backend?.software ?? null);
  // The analyses share the compute worker with data loading and training: they start only once the area has
  // been in view (an unseen panel must not hold the worker for minutes), then follow every model change.
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const el = document.getElementById('analyses');
    if (!el || seen) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setSeen(true);
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, [seen]);
  useEffect(() => {
    if (
      seen &&
      !software &&
      version !== null &&
      hasData &&
      idle &&
      version !== useAnalysesStore.getState().version
    )
      void refresh();
  }, [seen, software, version, hasData, idle, refresh]);
  const training = useTrainingStore((t) => t.phase === 'running');
  const cancel = s.cancel;
  useEffect(() => {
    // A training run changes the weights under an analysis: stop it; it reruns when the run ends.
    if (training && useAnalysesStore.getState().busy) void cancel();
  }, [training, cancel]);
  const t = s.table;
  return (
    <Panel id="analyses" title="Analyses of the current model">
      <p className="an-intro">
        What the loaded model ({label ?? 'none yet'}) does on ID and OOD data — no training. Everything here
        is computed when you first scroll to this area and recomputed whenever the model changes (after a
        training run, an import or a reload).
      </p>
      <div className="an-controls">
        <NumberLabel
          label="images per set (0 = all)"
          min={0}
          step={50}
          value={s.limit}
          onValue={(v) => s.setLimits(v, s.fitLimit)}
        />
        <NumberLabel
          label="ID images to fit on"
          min={100}
          step={100}
          value={s.fitLimit}
          onValue={(v) => s.setLimits(s.limit, v)}
        />
        <button type="button" disabled={s.busy !== null} onClick={() => void s.refresh()}>
          Recompute
        </button>
        <button type="button" disabled={s.busy === null} onClick={() => void s.cancel()}>
          Cancel
        </button>
      </div>
      {s.busy && (
        <div className="an-progress" role="status" aria-live="polite" data-testid="an-progress">
          <progress max={1} value={s.busy.fraction} /> {s.busy.message}
        </div>
      )}
      {s.error && (
        <p role="alert" className="train-error" data-testid="an-error">
          {s.error}
        </p>
      )}
      {software && !s.busy && (
        <p className="an-note" role="status" data-testid="an-software">
          Not computed automatically: the compute worker runs on {software}, where these analyses take many
          minutes and keep the browser’s GPU busy. Press Recompute to run them anyway (fewer images per set
          helps), or switch the backend to WASM in the training area.
        </p>
      )}
      {!t && !s.busy && !s.error && !software && (
        <p className="an-note">Waiting for a model and the CIFAR-10 + OOD data (Data panel).</p>
      )}
      {t && (
        <div className="an-grid">
          {ANALYSIS_CARDS.map(({ text, body }) => (
            <Card key={text.id} {...text}>
              {body(t)}
            </Card>
          ))}
        </div>
      )}
    </Panel>
  );
}
