import { energyColor, type EnergyScale } from './draw';

/** Horizontal colour bar of the shared energy scale with ticks and the two panes' thresholds τ. */
export function ColorBar(props: { scale: EnergyScale; taus: { label: string; tau: number }[] }) {
  const { lo, hi } = props.scale;
  const stops = Array.from(
    { length: 11 },
    (_, i) => `${energyColor(lo + ((hi - lo) * i) / 10, props.scale)} ${i * 10}%`,
  );
  const ticks = Array.from({ length: 5 }, (_, i) => lo + ((hi - lo) * i) / 4);
  const pos = (v: number) => `${(100 * (v - lo)) / (hi - lo || 1)}%`;
  return (
    <div className="toy-colorbar" data-testid="toy-colorbar">
      <div className="toy-colorbar-title">
        energy E(x) = −logsumexp f(x) &nbsp;<span className="muted">(low = looks in-distribution)</span>
      </div>
      <div
        className="toy-colorbar-bar"
        style={{ background: `linear-gradient(to right, ${stops.join(', ')})` }}
      >
        {props.taus.map((t) => (
          <div
            key={t.label}
            className="toy-colorbar-tau"
            style={{ left: pos(t.tau) }}
            title={`τ (${t.label})`}
          >
            <span>τ {t.label}</span>
          </div>
        ))}
      </div>
      <div className="toy-colorbar-ticks">
        {ticks.map((t, i) => (
          <span key={i} style={{ left: pos(t) }}>
            {t.toFixed(1)}
          </span>
        ))}
      </div>
    </div>
  );
}
