import { useState } from 'react';
import type { OodMetrics } from '../../core/metrics';
import { DETECTOR_TABLE } from '../../train/detectorEval';
import type { DetectorTableResult } from '../../worker/analysesApi';
import type { CardText } from './Card';

const METRICS = [
  ['AUROC', 'AUROC ↑'],
  ['FPR95TPR', 'FPR95 ↓'],
  ['AUPR-IN', 'AUPR-IN ↑'],
  ['AUPR-OUT', 'AUPR-OUT ↑'],
] as const;
type Key = (typeof METRICS)[number][0];
const pct = (m: OodMetrics | null, k: Key) => (m ? (100 * m[k]).toFixed(2) : '–');

/** "n = 250 of 10,000 ID test, 250 of 1,200 Textures, …": what this table is computed from. */
function setCounts(t: DetectorTableResult): string {
  const one = (key: string, label: string) =>
    t.counts[key] === t.fullCounts[key]
      ? `${t.counts[key].toLocaleString('en-US')} ${label}`
      : `${t.counts[key].toLocaleString('en-US')} of ${t.fullCounts[key].toLocaleString('en-US')} ${label}`;
  return ['n = ' + one('ID', 'ID test'), ...t.oodSets.map((s) => one(s, s))].join(', ');
}

/** The Analyses card of this view: its heading and the paper's claim it lets a user check. */
export const DETECTOR_TABLE_CARD: CardText = {
  id: 'detectors',
  title: 'Detector table (Table 2 rows for this model)',
  claim: 'Nine detectors on the same model: fitted ones use this model’s own ID training features.',
};

/** Table 2 rows for the current model: nine detectors × OOD sets (far → near), the mean and near/far means. */
export function DetectorTable(props: { table: DetectorTableResult }) {
  const [metric, setMetric] = useState<Key>('AUROC');
  const t = props.table;
  const higherBetter = metric !== 'FPR95TPR';
  const best = Math.max(...t.summaries.map((s) => (higherBetter ? 1 : -1) * s.mean[metric]));
  return (
    <div data-testid="an-detector-table">
      <p
        className={t.final ? 'an-note' : 'an-note an-preliminary'}
        data-testid="an-table-n"
        data-final={t.final}
      >
        {t.final ? (
          <>
            <strong>{t.limit > 0 ? `Table of the first ${t.limit} images per set` : 'Full table'}</strong>
            {t.stages > 1 ? ` (table ${t.stage} of ${t.stages})` : ''}:{' '}
          </>
        ) : (
          <>
            <strong>
              Preliminary table {t.stage} of {t.stages}
            </strong>{' '}
            from a stratified subset, refining to the full sets:{' '}
          </>
        )}
        {setCounts(t)}. ID test accuracy <strong>{(100 * t.accuracy).toFixed(2)}%</strong> on {t.testCount}{' '}
        images; Mahalanobis, ViM, KL-Matching, SHE and DICE are fitted on{' '}
        {t.fitLimit ? t.fitLimit.toLocaleString('en-US') : 'all'} ID training images of this model. Percent;
        the best mean is bold.
      </p>
      <div className="an-tabs" role="radiogroup" aria-label="Metric">
        {METRICS.map(([k, label]) => (
          <label key={k}>
            <input type="radio" name="an-metric" checked={metric === k} onChange={() => setMetric(k)} />
            {label}
          </label>
        ))}
      </div>
      <div className="an-table-wrap">
        <table className="an-table">
          <thead>
            <tr>
              <th>Detector</th>
              {t.oodSets.map((s) => (
                <th key={s}>{s}</th>
              ))}
              <th>far mean</th>
              <th>near mean</th>
              <th>mean</th>
            </tr>
          </thead>
          <tbody>
            {t.summaries.map((s) => (
              <tr key={s.detector}>
                <th scope="row">
                  {DETECTOR_TABLE[s.detector as keyof typeof DETECTOR_TABLE]?.label ?? s.detector}
                </th>
                {t.oodSets.map((name) => (
                  <td key={name}>{pct(s.sets.find((x) => x.name === name)?.metrics ?? null, metric)}</td>
                ))}
                <td>{pct(s.meanFar, metric)}</td>
                <td>{pct(s.meanNear, metric)}</td>
                <td className={(higherBetter ? 1 : -1) * s.mean[metric] === best ? 'an-best' : undefined}>
                  {pct(s.mean, metric)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {t.summaries.every((s) => !s.meanNear) && (
        <p className="an-note">
          No near-OOD set is loaded, so “near mean” is empty; noise, Fashion-MNIST and Textures count as far.
        </p>
      )}
    </div>
  );
}
