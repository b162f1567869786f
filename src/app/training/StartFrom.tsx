import { useTrainingStore, type StartFrom } from './store';

const OPTIONS: { value: StartFrom; label: string }[] = [
  { value: 'current', label: 'the weights loaded now' },
  { value: 'pretrained', label: 'the pretrained WRN-16-2 (reloaded before each run)' },
  { value: 'file', label: 'a weights file (loaded before each run)' },
];

/**
 * "Start each run from": current weights, the bundled pretrained model, or a file (safetensors / .tfjs.zip,
 * validated like an import), so OE and AOE runs start from the same weights without reloading the page.
 */
export function StartFromControl(props: { busy: boolean }) {
  const from = useTrainingStore((s) => s.startFrom);
  const file = useTrainingStore((s) => s.startFile);
  const setStartFrom = useTrainingStore((s) => s.setStartFrom);
  return (
    <fieldset className="train-start-from" data-testid="train-start-from" disabled={props.busy}>
      <legend>Start each run from</legend>
      {OPTIONS.map((o) => (
        <label key={o.value}>
          <input
            type="radio"
            name="train-start-from"
            value={o.value}
            checked={from === o.value}
            onChange={() => setStartFrom(o.value)}
          />{' '}
          {o.label}
        </label>
      ))}
      {from === 'file' && (
        <label className="file-button">
          {file ? `Start file: ${file.name} (change…)` : 'Choose the start weights file'}
          <input
            type="file"
            accept=".safetensors,.zip"
            data-testid="train-start-file"
            onChange={(e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (f) setStartFrom('file', f);
            }}
          />
        </label>
      )}
      {from === 'file' && !file && (
        <p className="muted">
          Runs are refused until a file is chosen (safetensors in PyTorch layout or .tfjs.zip).
        </p>
      )}
    </fieldset>
  );
}
