import type { EvaluationResult } from '../../train/evaluate';

const pct = (v: number) => `${(v * 100).toFixed(1)}`;

function Rows(props: { label: string; r: EvaluationResult }) {
  return (
    <>
      {Object.entries(props.r.metrics).flatMap(([set, byDet]) =>
        Object.entries(byDet).map(([det, m]) => {
          const rel = props.r.reliability?.[set];
          return (
            <tr key={`${props.label}-${set}-${det}`} className={rel?.caution ? 'eval-caution' : undefined}>
              <td>{props.label}</td>
              <td>
                {set}
                {rel?.caution && (
                  <span className="muted" title={rel.caution}>
                    {' '}
                    ⚠ too few images
                  </span>
                )}
              </td>
              <td className="num">{rel ? rel.count.toLocaleString('en') : '—'}</td>
              <td>{det}</td>
              <td>
                {pct(m.AUROC)}
                {rel && det === 'Energy' && (
                  <span className="muted small">
                    {' '}
                    [{pct(rel.aurocCi[0])}, {pct(rel.aurocCi[1])}]
                  </span>
                )}
              </td>
              <td>{pct(m.FPR95TPR)}</td>
              <td>{pct(m['AUPR-IN'])}</td>
              <td>{pct(m['AUPR-OUT'])}</td>
            </tr>
          );
        }),
      )}
    </>
  );
}

/** "Set: only n OOD images …" for every set flagged as too small, once each. */
function cautions(...rs: (EvaluationResult | null)[]): string[] {
  const out = new Map<string, string>();
  for (const r of rs)
    for (const [set, rel] of Object.entries(r?.reliability ?? {}))
      if (rel.caution) out.set(set, `${set}: ${rel.caution}`);
  return [...out.values()];
}

/** Accuracy and OOD metrics before and after training (percent). */
export function EvalTable(props: { before: EvaluationResult | null; after: EvaluationResult | null }) {
  const { before, after } = props;
  if (!before && !after) return null;
  return (
    <div className="train-eval" data-testid="train-eval">
      <p>
        ID test accuracy:{' '}
        {before && (
          <span>
            before <strong>{pct(before.accuracy)}%</strong> ({before.testCount} images){after ? ', ' : ''}
          </span>
        )}
        {after && (
          <span>
            after <strong>{pct(after.accuracy)}%</strong> ({after.testCount} images)
          </span>
        )}
      </p>
      <table>
        <thead>
          <tr>
            <th>Model</th>
            <th>OOD set</th>
            <th>Images</th>
            <th>Detector</th>
            <th>AUROC ↑</th>
            <th>FPR95 ↓</th>
            <th>AUPR-IN ↑</th>
            <th>AUPR-OUT ↑</th>
          </tr>
        </thead>
        <tbody>
          {before && <Rows label="before" r={before} />}
          {after && <Rows label="after" r={after} />}
        </tbody>
      </table>
      {cautions(before, after).length > 0 && (
        <p className="muted small" data-testid="eval-caution">
          ⚠ {cautions(before, after).join('; ')}. A tiny set can score 0 or 100 by chance. Brackets:
          approximate 95 % interval of the Energy AUROC (Hanley–McNeil; zero width at 0 or 100).
        </p>
      )}
    </div>
  );
}
