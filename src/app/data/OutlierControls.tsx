import { NumberLabel } from '../common/NumberInput';
import { useDataStore } from './dataStore';
import { exportOutliers, fitGenerator, generateOutliers, previewSigma2, setDataOption } from './dataActions';
import { Thumbnails } from './Thumbnails';

type CountOption = 'components' | 'fitCount' | 'outlierCount';

/** A number field bound to one of the data store's generator options. */
function OptionField(props: {
  k: CountOption;
  label: string;
  unit?: string;
  min: number;
  max: number;
  step?: number;
}) {
  const { k, ...field } = props;
  const value = useDataStore((s) => s[k]);
  return <NumberLabel {...field} value={value} onValue={(v) => setDataOption({ [k]: v })} />;
}

/** The PPCA generator: fit, σ² preview, generating and exporting the training outliers. */
export function OutlierControls() {
  const { summary, sigma2, sigmaThumbs, outlierCount, busy } = useDataStore();
  const gen = summary?.generator;
  const hasTrain = summary?.sets.some((s) => s.key === 'id:train');
  const hasOutliers = summary?.sets.some((s) => s.key === 'outliers');
  return (
    <div className="outliers" data-testid="outlier-controls">
      <h3>Synthetic training outliers (PPCA of the ID pixels)</h3>
      <div className="row">
        <OptionField k="components" label="components q" min={1} max={256} />
        <OptionField k="fitCount" label="fit on" unit="images" min={100} max={50000} step={100} />
        <button type="button" disabled={!hasTrain || !!busy} onClick={() => void fitGenerator()}>
          {gen ? 'Refit' : 'Fit'} generator
        </button>
        {gen && (
          <span className="muted" data-testid="generator-summary">
            q = {gen.q} on {gen.fitCount.toLocaleString('en')} images: top-q share of pixel variance{' '}
            {(100 * gen.explained).toFixed(1)}%, σ_n² = {gen.noiseVariance.toExponential(2)}
          </span>
        )}
      </div>
      {gen && (
        <>
          <div className="row">
            <label htmlFor="sigma2">latent variance σ²</label>
            <input
              id="sigma2"
              type="range"
              min={0}
              max={10}
              step={0.1}
              value={sigma2}
              onChange={(e) => void previewSigma2(Number(e.target.value))}
            />
            <input
              type="number"
              aria-label="σ² value"
              min={0}
              max={100}
              step={0.1}
              value={sigma2}
              onChange={(e) => void previewSigma2(Number(e.target.value))}
              data-testid="sigma2-input"
            />
            <span className="muted">{gen.sigma2Rule}</span>
          </div>
          <Thumbnails thumbs={sigmaThumbs} label={`PPCA samples at σ² = ${sigma2}`} />
          <p className="muted small">
            The preview reuses the same seed, so the same eight latent draws are shown at every σ².
          </p>
          <div className="row">
            <OptionField k="outlierCount" label="count" min={1} max={100000} step={1000} />
            <button
              type="button"
              className="primary"
              disabled={!!busy}
              onClick={() => void generateOutliers()}
            >
              Use {outlierCount.toLocaleString('en')} samples at σ² = {sigma2} as training outliers
            </button>
            <button type="button" disabled={!hasOutliers || !!busy} onClick={() => void exportOutliers()}>
              Export samples-{sigma2.toFixed(1)}.npz
            </button>
          </div>
        </>
      )}
    </div>
  );
}
