import { useId, useRef } from 'react';
import { TOY_METHODS, TOY_SCHEMA, type ToyParams } from '../../train/toy/params';
import { LabelledNumber } from '../common/NumberInput';
import { useToyStore } from './toyStore';

type NumKey = {
  [K in keyof ToyParams]: ToyParams[K] extends number ? K : never;
}[keyof ToyParams];

/** A labelled range slider: updates live while dragged, commits (e.g. retrains) on release. */
export function Slider(props: {
  k: NumKey;
  label: string;
  step: number;
  min?: number;
  max?: number;
  testId?: string;
}) {
  const id = useId();
  const value = useToyStore((s) => s.params[props.k]) as number;
  const setParams = useToyStore((s) => s.setParams);
  const spec = TOY_SCHEMA[props.k] as { min: number; max: number };
  const commit = () => void setParams({}, { commit: true });
  return (
    <div className="toy-slider">
      <label htmlFor={id}>
        {props.label} <output>{value}</output>
      </label>
      <input
        id={id}
        type="range"
        data-testid={props.testId}
        min={props.min ?? spec.min}
        max={props.max ?? spec.max}
        step={props.step}
        value={value}
        onChange={(e) => void setParams({ [props.k]: Number(e.target.value) }, { commit: false })}
        onPointerUp={commit}
        onKeyUp={commit}
      />
    </div>
  );
}

/** A labelled number field that commits on every valid change. */
function NumberField(props: { k: NumKey; label: string; step?: number }) {
  const value = useToyStore((s) => s.params[props.k]) as number;
  const setParams = useToyStore((s) => s.setParams);
  const spec = TOY_SCHEMA[props.k] as { min: number; max: number };
  return (
    <div className="toy-field">
      <LabelledNumber
        label={props.label}
        min={spec.min}
        max={spec.max}
        step={props.step ?? 1}
        value={value}
        validOnly
        onValue={(v) => void setParams({ [props.k]: v })}
      />
    </div>
  );
}

/** A labelled select over a schema enum. */
function Select<K extends keyof ToyParams>(props: {
  k: K;
  label: string;
  values: readonly string[];
  testId?: string;
  /** Settings to change together with this one (e.g. a dataset's natural noise level). */
  also?: (value: string) => Partial<ToyParams>;
  /** Display names of values (default: the value itself). */
  names?: Record<string, string>;
}) {
  const id = useId();
  const value = useToyStore((s) => s.params[props.k]) as string;
  const setParams = useToyStore((s) => s.setParams);
  return (
    <div className="toy-field">
      <label htmlFor={id}>{props.label}</label>
      <select
        id={id}
        data-testid={props.testId}
        value={value}
        onChange={(e) =>
          void setParams({ ...props.also?.(e.target.value), [props.k]: e.target.value } as Partial<ToyParams>)
        }
      >
        {props.values.map((v) => (
          <option key={v} value={v}>
            {props.names?.[v] ?? v}
          </option>
        ))}
      </select>
    </div>
  );
}

function Check(props: { k: 'showOutliers' | 'showArrows' | 'showTest'; label: string }) {
  const value = useToyStore((s) => s.params[props.k]);
  const setParams = useToyStore((s) => s.setParams);
  return (
    <label className="toy-check">
      <input
        type="checkbox"
        checked={value === 1}
        onChange={(e) => void setParams({ [props.k]: e.target.checked ? 1 : 0 }, { commit: false })}
      />{' '}
      {props.label}
    </label>
  );
}

/** The radio buttons for what moving the ε slider does (params.ts LIVE_MODES), in the order shown. */
const LIVE_CHOICES: { value: ToyParams['live']; label: string }[] = [
  { value: 'retrain', label: 'retrain from the same start on release' },
  { value: 'continuous', label: 'continuous (keeps training; press play)' },
];

/** The training controls: method, ε, λ, lr, live mode and play / pause / step / reset. */
export function TrainingControls() {
  const status = useToyStore((s) => s.status);
  const live = useToyStore((s) => s.params.live);
  const { play, pause, step, reset, retrain, setParams } = useToyStore.getState();
  const busy = status === 'sweeping' || status === 'starting';
  return (
    <fieldset className="toy-group">
      <legend>Training</legend>
      <Select k="method" label="method" values={TOY_METHODS} testId="toy-method" />
      <Slider k="epsilon" label="ε (step size)" step={0.05} max={1.5} testId="toy-epsilon" />
      <Slider k="lambda" label="λ (OE weight)" step={0.05} max={2} />
      <Slider k="lr" label="learning rate (Adam)" step={0.001} max={0.05} min={0.001} />
      <NumberField k="steps" label="steps per retrain" step={50} />
      <Select k="schedule" label="lr schedule" values={TOY_SCHEMA.schedule.values} />
      <NumberField k="pretrain" label="CE pre-training steps (shared start)" step={100} />
      <NumberField k="batch" label="batch (ID and outliers)" step={16} />
      <NumberField k="pgdSteps" label="PGD steps k" />
      <div className="toy-field" role="radiogroup" aria-label="what the ε slider does">
        <span className="toy-label">ε slider</span>
        {LIVE_CHOICES.map((m) => (
          <label className="toy-check" key={m.value}>
            <input
              type="radio"
              name="toy-live"
              checked={live === m.value}
              onChange={() => void setParams({ live: m.value }, { commit: false })}
            />{' '}
            {m.label}
          </label>
        ))}
      </div>
      <div className="toy-buttons">
        {status === 'playing' ? (
          <button type="button" onClick={() => void pause()} data-testid="toy-pause">
            ❚❚ pause
          </button>
        ) : (
          <button
            type="button"
            className="primary"
            disabled={busy}
            onClick={() => void play()}
            data-testid="toy-play"
          >
            ▶ play
          </button>
        )}
        <button type="button" disabled={busy || status === 'playing'} onClick={() => void step(10)}>
          step ×10
        </button>
        <button
          type="button"
          disabled={busy}
          onClick={() => void reset()}
          title="back to the seeded initial weights"
        >
          reset
        </button>
        <button type="button" disabled={busy} onClick={() => void retrain()} data-testid="toy-retrain">
          retrain
        </button>
      </div>
    </fieldset>
  );
}

/** Data, outlier, model and display controls. */
export function DataControls() {
  const dataset = useToyStore((s) => s.params.dataset);
  const outliers = useToyStore((s) => s.params.outliers);
  const seed = useToyStore((s) => s.params.seed);
  const brush = useToyStore((s) => s.brush);
  const k = useToyStore((s) => s.data?.numClasses ?? 1);
  const notice = useToyStore((s) => s.notice);
  const { setParams, loadCsv, csv, clearPoints, setBrush, dismissNotice } = useToyStore.getState();
  const file = useRef<HTMLInputElement>(null);
  const save = () => {
    const url = URL.createObjectURL(new Blob([csv()], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `toy-${dataset}-seed${seed}.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  return (
    <>
      <fieldset className="toy-group">
        <legend>In-distribution data</legend>
        <Select
          k="dataset"
          label="dataset"
          values={TOY_SCHEMA.dataset.values}
          testId="toy-dataset"
          also={(v) => ({ noise: v === 'blobs' ? 0.5 : 0.2 })}
        />
        {dataset !== 'custom' && dataset !== 'moons' && <NumberField k="classes" label="classes K" />}
        {dataset !== 'custom' && <NumberField k="size" label="points" step={50} />}
        {dataset !== 'custom' && <Slider k="noise" label="noise" step={0.05} />}
        <div className="toy-field">
          <label htmlFor="toy-seed">seed</label>
          <span className="toy-inline">
            <input
              id="toy-seed"
              type="number"
              value={seed}
              onChange={(e) => e.target.validity.valid && void setParams({ seed: Number(e.target.value) })}
            />
            <button type="button" onClick={() => void setParams({ seed: (seed + 1) % 2 ** 31 })}>
              regenerate
            </button>
          </span>
        </div>
        <div className="toy-field">
          <label htmlFor="toy-brush">click adds class</label>
          <select id="toy-brush" value={brush} onChange={(e) => setBrush(Number(e.target.value))}>
            {Array.from({ length: Math.max(2, k) }, (_, c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </div>
        <p className="toy-hint muted">
          Click the plane to add a point of that class; shift-click adds the next class.
        </p>
        <div className="toy-buttons">
          <button type="button" onClick={() => file.current?.click()}>
            load CSV…
          </button>
          <button type="button" onClick={save}>
            save CSV
          </button>
          <button type="button" onClick={() => void clearPoints()}>
            clear added points
          </button>
          <input
            ref={file}
            type="file"
            accept=".csv,text/csv,text/plain"
            hidden
            data-testid="toy-csv-input"
            onChange={async (e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) await loadCsv(await f.text());
            }}
          />
        </div>
        {notice && (
          <p className="toy-notice" role="status" data-testid="toy-notice">
            {notice}{' '}
            <button type="button" onClick={dismissNotice} aria-label="dismiss">
              ×
            </button>
          </p>
        )}
      </fieldset>
      <fieldset className="toy-group">
        <legend>Training outliers</legend>
        <Select k="outliers" label="generator" values={TOY_SCHEMA.outliers.values} />
        {outliers !== 'uniform' && (
          <Slider k="sigma2" label="σ² (variance inflation)" step={1} min={1} max={100} />
        )}
        <NumberField k="nOutliers" label="count" step={50} />
      </fieldset>
      <fieldset className="toy-group">
        <legend>Model and view</legend>
        <NumberField k="width" label="width" step={8} />
        <NumberField k="depth" label="hidden layers" />
        <Select k="activation" label="activation" values={TOY_SCHEMA.activation.values} />
        <Select
          k="toyBackend"
          label="engine"
          values={TOY_SCHEMA.toyBackend.values}
          names={{
            wasm: 'WASM SIMD (fast, default)',
            cpu: 'tfjs CPU',
            webgl: 'tfjs WebGL',
            webgpu: 'tfjs WebGPU',
          }}
        />
        <Check k="showOutliers" label="training outliers (×)" />
        <Check k="showArrows" label="arrows x → x̂" />
        <Check k="showTest" label="held-out OOD test points" />
      </fieldset>
    </>
  );
}
