import { memo, useDeferredValue, useEffect, useMemo } from 'react';
import type { ToyFrame } from '../../worker/toyApi';
import { commonScale } from './draw';
import { ColorBar } from './ColorBar';
import { LandscapePane } from './LandscapePane';
import { EnergyHistogram, RocChart, SweepCharts } from './ToyCharts';
import { DataControls as DataControlsRaw, TrainingControls as TrainingControlsRaw } from './ToyControls';
import { ToyHelp } from './ToyHelp';
import { useToyStore } from './toyStore';
import { installToyTestApi } from './testApi';
import './toy.css';

const PANE = 380;

// Memoised so that a new landscape frame (several per second) re-renders neither the controls nor the charts.
const TrainingControls = memo(TrainingControlsRaw);
const DataControls = memo(DataControlsRaw);

const ChartsRow = memo(function ChartsRow(props: { frame: ToyFrame }) {
  const { frame } = props;
  const epsilon = frame.epsilon;
  const mainTitle = frame.method === 'CE' ? 'CE' : `${frame.method}, ε = ${epsilon}`;
  return (
    <div className="toy-charts">
      {frame.baseline && <EnergyHistogram ev={frame.baseline} title="energies, ε = 0" />}
      <EnergyHistogram ev={frame.main} title={`energies, ${mainTitle}`} />
      <RocChart
        curves={[
          ...(frame.baseline ? [{ name: 'ε = 0', color: '#7a7a7a', ev: frame.baseline }] : []),
          { name: `ε = ${epsilon}`, color: '#e8384f', ev: frame.main },
        ]}
      />
    </div>
  );
});

/** The 2-D energy landscape panel: OE (ε = 0) and the chosen method side by side, live numbers and charts. */
export function ToyPanel() {
  const frame = useToyStore((s) => s.frame);
  // Charts render from a throttled frame, deferred so React can render them in interruptible slices.
  const chartFrame = useDeferredValue(useToyStore((s) => s.chartFrame));
  const params = useToyStore((s) => s.params);
  const status = useToyStore((s) => s.status);
  const error = useToyStore((s) => s.error);
  const backend = useToyStore((s) => s.backend);
  const sweep = useToyStore((s) => s.sweep);
  const lastRetrainMs = useToyStore((s) => s.lastRetrainMs);
  const lastRetrainCached = useToyStore((s) => s.lastRetrainCached);

  useEffect(() => {
    installToyTestApi();
    void useToyStore.getState().init();
  }, []);

  const scale = useMemo(() => commonScale([frame?.baseline, frame?.main]), [frame]);
  const outlierMethod = params.method !== 'CE';
  const mainTitle = params.method === 'CE' ? 'CE (no outliers)' : `${params.method}, ε = ${params.epsilon}`;
  const baseTitle = outlierMethod ? 'OE, ε = 0' : 'CE (same run)';

  return (
    <div className="toy" data-testid="toy-root" data-status={status}>
      <ToyHelp />
      {error && (
        <p className="toy-error" role="alert">
          {error}
        </p>
      )}
      <div className="toy-layout">
        <div className="toy-controls">
          <TrainingControls />
          <DataControls />
        </div>
        <div className="toy-main">
          <div className="toy-status muted" aria-live="polite">
            {statusText(status)}
            {backend && ` · toy worker on ${backend.backend.toUpperCase()}`}
            {lastRetrainMs !== null &&
              ` · last retrain ${Math.round(lastRetrainMs)} ms${lastRetrainCached ? ' (ε seen before: memo)' : ''}`}
          </div>
          <div className="toy-panes">
            <LandscapePane
              title={baseTitle}
              subtitle="same seed, data, outliers and initial weights"
              evaluation={frame?.baseline ?? null}
              scale={scale}
              testId="toy-pane-baseline"
              size={PANE}
            />
            <LandscapePane
              title={mainTitle}
              subtitle={
                params.method === 'CE' || params.method === 'OE'
                  ? '(ε has no effect on this method)'
                  : 'differs only in ε'
              }
              evaluation={frame?.main ?? null}
              scale={scale}
              testId="toy-pane-main"
              size={PANE}
            />
          </div>
          <div className="toy-legend muted">
            ● ID points by class · <span className="toy-x">×</span> training outliers ·{' '}
            <span className="toy-arrow">→●</span> perturbed copy x̂ · white line: decision boundary E(x) = τ
            (accepts 95% of ID training points); inside it is called in-distribution
          </div>
          {frame && (
            <ColorBar
              scale={scale}
              taus={[
                { label: 'ε=0', tau: frame.baseline?.tau ?? NaN },
                { label: `ε=${params.epsilon}`, tau: frame.main.tau },
              ].filter((t) => Number.isFinite(t.tau))}
            />
          )}
          {chartFrame && <ChartsRow frame={chartFrame} />}
          <SweepSection sweep={sweep} status={status} />
        </div>
      </div>
    </div>
  );
}

const SweepSection = memo(SweepSectionRaw);

function SweepSectionRaw(props: { sweep: ReturnType<typeof useToyStore.getState>['sweep']; status: string }) {
  const { runSweep, cancelSweep } = useToyStore.getState();
  const steps = useToyStore((s) => s.params.steps);
  const s = props.sweep;
  return (
    <section className="toy-sweep" aria-labelledby="toy-sweep-title">
      <h3 id="toy-sweep-title">ε sweep</h3>
      <p className="muted">
        Retrains from the same start at ε = 0, 0.1, …, 1.0 for AOE and for OE + Gaussian noise of the same
        size ({steps} steps each, 21 runs) — the 2-D counterpart of the paper&apos;s Figs. 4, 5 and 8.
      </p>
      <div className="toy-buttons">
        <button
          type="button"
          className="primary"
          disabled={props.status === 'sweeping' || props.status === 'starting'}
          onClick={() => void runSweep()}
          data-testid="toy-sweep-run"
        >
          run ε sweep
        </button>
        {s?.running && (
          <>
            <progress max={s.total} value={s.done} aria-label="sweep progress" />
            <span className="muted">
              {s.done}/{s.total} runs
            </span>
            <button type="button" onClick={() => void cancelSweep()} data-testid="toy-sweep-cancel">
              cancel
            </button>
          </>
        )}
        {s && !s.running && s.done < s.total && <span className="muted">cancelled after {s.done} runs</span>}
      </div>
      {s && s.points.length > 0 && <SweepCharts points={s.points} />}
    </section>
  );
}

function statusText(s: string): string {
  switch (s) {
    case 'starting':
      return 'starting the toy worker…';
    case 'retraining':
      return 'retraining from the seeded start…';
    case 'playing':
      return 'training (continuous)…';
    case 'training':
      return 'training…';
    case 'sweeping':
      return 'ε sweep running…';
    default:
      return 'ready';
  }
}
