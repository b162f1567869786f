import { useAppStore } from '../store';
import { useDataStore } from '../data/dataStore';
import { loadingText } from '../data/loadingText';
import type { BackendName } from '../../worker/backend';
import { StartFromControl } from './StartFrom';
import { useTrainingStore } from './store';

const BACKENDS: (BackendName | 'auto')[] = ['auto', 'webgpu', 'webgl', 'wasm', 'cpu'];

/** Data, weights and backend status, with the actions that change them. */
export function StatusSection(props: { busy: boolean }) {
  const status = useTrainingStore((s) => s.status);
  const newModel = useTrainingStore((s) => s.newModel);
  const importWeights = useTrainingStore((s) => s.importWeights);
  const resetToPretrained = useTrainingStore((s) => s.resetToPretrained);
  const forceBackend = useTrainingStore((s) => s.forceBackend);
  const preset = useTrainingStore((s) => s.config.model);
  const backend = useAppStore((s) => s.backend);
  const data = status?.data;
  const model = status?.model;
  const dataBusy = useDataStore((d) => d.busy);
  const modelLoading = useTrainingStore((s) => s.phase === 'loading');
  const mismatch = data && model && model.classes !== data.classes;
  return (
    <div className="train-status">
      <section aria-label="Data" data-testid="train-data-status">
        <h3>Data</h3>
        {data ? (
          <p>
            {data.train.toLocaleString()} training images, {data.test.toLocaleString()} test images (
            {data.source}); {data.outliers.toLocaleString()} training outliers ({data.outlierSource}); OOD
            test sets: {data.oodSets.map((s) => `${s.name} (${s.count})`).join(', ')}.
          </p>
        ) : dataBusy ? (
          <p className="muted" role="status">
            {loadingText(dataBusy)}
          </p>
        ) : (
          <p className="muted">
            No CIFAR-10 train and test split loaded yet: load them in the Data panel above (or run{' '}
            <code>npm run data</code> so the app serves them).
          </p>
        )}
      </section>
      <section aria-label="Weights" data-testid="train-model-status">
        <h3>Weights</h3>
        {model ? (
          <p>
            <strong>{model.preset}</strong> — {model.source} ({model.detail}),{' '}
            {model.parameters.toLocaleString()} trainable parameters.
          </p>
        ) : modelLoading ? (
          <p className="muted" role="status">
            Loading weights (the pretrained WRN-16-2 from <code>public/models/</code>, or your import) …
          </p>
        ) : (
          <p className="muted">
            The pretrained CIFAR-10 WRN-16-2 is not in <code>public/models/wrn-16-2-cifar10/</code> yet.
            Import weights (safetensors in PyTorch layout, or an exported .tfjs.zip), or create a fresh model
            and pre-train it with the “CE pre-training” preset.
          </p>
        )}
        {mismatch && (
          <p className="train-error" role="alert" data-testid="train-class-mismatch">
            These weights have a {model.classes}-class head but the ID data ({data.idName}) has {data.classes}{' '}
            classes: training and evaluation are refused until they agree. Import a model trained on{' '}
            {data.idName}, or create a new model (its head takes the data&apos;s {data.classes} classes) and
            pre-train it with the “CE pre-training” preset.
          </p>
        )}
        <div className="train-buttons">
          <button
            type="button"
            disabled={props.busy}
            title="Start the next run from the same pretrained weights (e.g. OE and AOE side by side)"
            onClick={() => void resetToPretrained()}
          >
            Reset to pretrained
          </button>
          <button type="button" disabled={props.busy} onClick={() => void newModel()}>
            New {preset} (random init)
          </button>
          <label className="file-button">
            Import weights
            <input
              type="file"
              accept=".safetensors,.zip"
              data-testid="train-import-input"
              disabled={props.busy}
              onChange={(e) => {
                const f = e.target.files?.[0];
                e.target.value = '';
                if (f) void importWeights(f);
              }}
            />
          </label>
        </div>
        <StartFromControl busy={props.busy} />
      </section>
      <section aria-label="Backend">
        <h3>Backend</h3>
        <label htmlFor="train-backend">Force backend (restarts the worker)</label>{' '}
        <select
          id="train-backend"
          value={backend?.forced ? backend.backend : 'auto'}
          disabled={props.busy}
          onChange={(e) =>
            void forceBackend(e.target.value === 'auto' ? null : (e.target.value as BackendName))
          }
        >
          {BACKENDS.map((b) => (
            <option key={b} value={b}>
              {b}
            </option>
          ))}
        </select>
        <p className="muted">Running on {backend ? backend.detail : '…'} (see the badge at the top).</p>
      </section>
    </div>
  );
}
