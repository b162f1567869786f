import {
  METHODS,
  OUTLIER_SETTINGS,
  type ExperimentConfig,
  type Method,
  type OutlierSetting,
} from '../../train/config';
import { SETTING_TABLE, epsilonInBothUnits } from '../../train/settings';
import { WRN_NORMALIZATION } from '../../train/trainingSets';
import { paperValueOf, WRN_SCHEMA } from '../../train/wrnSchema';
import { LabelledNumber } from '../common/NumberInput';
import { useTrainingStore } from './store';
import { useAppStore } from '../store';
import { describeStepMemory, estimateStepMemory, isWrnPreset } from '../../train/memoryEstimate';

function paperHint(key: keyof ExperimentConfig): string | null {
  const p = paperValueOf(key);
  return p ? `paper: ${p.value}` : null;
}

function NumberField(props: {
  k: keyof ExperimentConfig;
  label: string;
  step?: number;
  min?: number;
  disabled?: boolean;
}) {
  const value = useTrainingStore((s) => s.config[props.k]) as number;
  const setConfig = useTrainingStore((s) => s.setConfig);
  const hint = paperHint(props.k);
  const id = `train-${props.k}`;
  return (
    <div className="train-field">
      <LabelledNumber
        id={id}
        label={props.label}
        value={value}
        step={props.step ?? 1}
        min={props.min ?? 0}
        disabled={props.disabled}
        onValue={(v) => setConfig({ [props.k]: v } as Partial<ExperimentConfig>)}
      />
      {hint && <span className="paper-hint">{hint}</span>}
    </div>
  );
}

/** Method and hyper-parameters, with the paper's values next to each control. */
/** The step's estimated peak memory for the model that will train, with a warning when it is large. */
function MemoryNote() {
  const c = useTrainingStore((s) => s.config);
  const loaded = useTrainingStore((s) => s.status?.model?.preset);
  const backend = useAppStore((s) => s.backend?.backend) ?? 'wasm';
  const preset = loaded && isWrnPreset(loaded) ? loaded : isWrnPreset(c.model) ? c.model : null;
  if (!preset) return null;
  const e = estimateStepMemory(preset, c.idBatchSize, c.outlierBatchSize, c.method, backend);
  const verdict = describeStepMemory(e, backend);
  return (
    <p
      className={verdict ? (verdict.fatal ? 'msg-error' : 'msg-warning') : 'paper-hint'}
      data-testid="train-memory"
      role={verdict ? 'status' : undefined}
    >
      {verdict?.message ?? `One step of ${preset} needs about ${(e.bytes / 1e9).toFixed(1)} GB (estimate).`}
    </p>
  );
}

export function ConfigForm(props: { disabled: boolean }) {
  const c = useTrainingStore((s) => s.config);
  const setConfig = useTrainingStore((s) => s.setConfig);
  const applyPreset = useTrainingStore((s) => s.applyPreset);
  const d = props.disabled;
  const oe = c.method !== 'CE';
  return (
    <fieldset className="train-config" disabled={d}>
      <legend>Method and hyper-parameters</legend>
      <div className="train-presets">
        <button type="button" onClick={() => applyPreset('browser')}>
          Browser default
        </button>
        <button type="button" onClick={() => applyPreset('paper')}>
          Paper recipe
        </button>
        <button type="button" onClick={() => applyPreset('pretrain')}>
          CE pre-training
        </button>
      </div>
      <div className="train-grid">
        <div className="train-field">
          <label htmlFor="train-method">Method</label>
          <select
            id="train-method"
            value={c.method}
            onChange={(e) => setConfig({ method: e.target.value as Method })}
          >
            {METHODS.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
          <span className="paper-hint">paper: AOE (ours) vs OE</span>
        </div>
        <div className="train-field">
          <label htmlFor="train-setting">Setting</label>
          <select
            id="train-setting"
            value={c.setting}
            title={WRN_SCHEMA.setting.help}
            onChange={(e) => setConfig({ setting: e.target.value as OutlierSetting })}
          >
            {OUTLIER_SETTINGS.map((v) => (
              <option key={v} value={v}>
                {SETTING_TABLE[v].label}
              </option>
            ))}
          </select>
          <span className="paper-hint">{SETTING_TABLE[c.setting].help}</span>
        </div>
        <NumberField k="epsilon" label="ε" step={0.05} disabled={!oe || c.method === 'OE'} />
        {oe && c.method !== 'OE' && (
          <p className="paper-hint" data-testid="train-eps-units">
            {epsilonInBothUnits(c, WRN_NORMALIZATION).text}
          </p>
        )}
        <NumberField k="lambda" label="λ" step={0.1} disabled={!oe} />
        <NumberField k="epochs" label="Epochs" min={1} />
        <NumberField k="subsetSize" label="Subset (0 = all)" step={100} />
        <NumberField k="idBatchSize" label="ID batch" min={1} />
        <NumberField k="outlierBatchSize" label="Outlier batch" min={1} disabled={!oe} />
        <NumberField k="lr" label="Learning rate" step={0.0001} />
        <NumberField k="warmupSteps" label="Warm-up steps" />
        <NumberField k="weightDecay" label="Weight decay" step={0.0001} />
        <NumberField k="seed" label="Seed" />
        {c.method === 'AOE-PGD' && (
          <>
            <NumberField k="pgdSteps" label="PGD steps" min={1} />
            <NumberField k="pgdAlpha" label="PGD α" step={0.01} />
          </>
        )}
        {c.method === 'OE+noise' && (
          <div className="train-field">
            <label htmlFor="train-noise">Noise</label>
            <select
              id="train-noise"
              value={c.noiseMode}
              onChange={(e) => setConfig({ noiseMode: e.target.value as 'paper' | 'code' })}
            >
              <option value="paper">paper: i.i.d. N(0, ε)</option>
              <option value="code">code: one shared ε·N(0,1) per batch</option>
            </select>
          </div>
        )}
        <div className="train-field">
          <label htmlFor="train-reduction">OE loss mean</label>
          <select
            id="train-reduction"
            value={c.oeReduction}
            disabled={!oe}
            onChange={(e) => setConfig({ oeReduction: e.target.value as 'separate' | 'whole-batch' })}
          >
            <option value="separate">separate (paper Eq. 4)</option>
            <option value="whole-batch">whole batch (authors' code, ½ scale)</option>
          </select>
        </div>
        <div className="train-field">
          <label htmlFor="train-model">New-model preset</label>
          <select id="train-model" value={c.model} onChange={(e) => setConfig({ model: e.target.value })}>
            <option value="WRN-16-2">WRN-16-2 (browser default)</option>
            <option value="WRN-40-2">WRN-40-2 (paper)</option>
            <option value="WRN-10-1">WRN-10-1 (tiny)</option>
          </select>
        </div>
        <div className="train-field train-check">
          <input
            id="train-clamp"
            type="checkbox"
            checked={c.clamp}
            onChange={(e) => setConfig({ clamp: e.target.checked })}
          />
          <label htmlFor="train-clamp">Clamp outliers to [0,1]</label>
          <span className="paper-hint">paper: off</span>
        </div>
      </div>
      <MemoryNote />
    </fieldset>
  );
}
