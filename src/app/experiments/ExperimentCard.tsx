import { memo, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { sourceLabel } from '../../experiments/aggregate';
import { planCells } from '../../experiments/grid';
import type { ExperimentSpec, ResultRow, Scalar, ScaleName } from '../../experiments/types';
import { CardFigures } from './CardFigures';
import { CellCompare } from './CellCompare';
import { CellScoresList } from './CellScoresList';
import { RowsTable } from './RowsTable';
import { RunAtScale } from './RunAtScale';
import { seedsGrid } from '../../experiments/seeds';
import { useExperimentsStore } from './store';

const fmtSeconds = (s: number | null) =>
  s === null
    ? '…'
    : s < 90
      ? `${Math.round(s)} s`
      : s < 5400
        ? `${Math.round(s / 60)} min`
        : `${(s / 3600).toFixed(1)} h`;

/** One sentence on what the figure shows, from the spec. */
function whatIsShown(spec: ExperimentSpec): string {
  const ev = spec.evaluate;
  const panels = spec.plot.panels.map(
    (p) => p.title ?? [p.metric, p.detector, p.oodSet].filter(Boolean).join(' '),
  );
  const sets = ev.oodSets === 'all' ? 'every OOD set loaded' : ev.oodSets.join(', ');
  return `${panels.join('; ')} against ${spec.plot.x}, one series per ${spec.plot.series}; detectors ${ev.detectors.join(', ')} on ${sets}; mean ± sd over seeds.`;
}

/**
 * Which sources have rows for this spec and where they ran, e.g. "paper 12 rows · reference pytorch-cpu,
 * quick, 2026-11-30 (consistent) 240 rows · your browser wasm, quick (consistent) 36 rows".
 */
function sources(rows: ResultRow[]): string {
  const n = new Map<string, { k: number; day: string; r: ResultRow }>();
  for (const r of rows) {
    const id = `${r.origin}|${r.backend}|${r.scale}|${r.setting}`;
    const e = n.get(id) ?? { k: 0, day: '', r };
    const day = (r.date ?? '').slice(0, 10);
    n.set(id, { k: e.k + 1, day: day > e.day ? day : e.day, r });
  }
  if (n.size === 0) return 'none yet';
  return [...n.values()]
    .map(({ k, day, r }) => `${sourceLabel({ ...r, date: day })} ${k.toLocaleString()} rows`)
    .join(' · ');
}

/**
 * The running grid's progress on its card. It alone subscribes to the run's progress, so the several progress
 * messages a second re-render this bar and not every card's figures.
 */
function Progress(props: { specId: string }) {
  const run = useExperimentsStore((s) => (s.run?.specId === props.specId ? s.run : null));
  if (!run) return null;
  const p = run.progress;
  const frac = p ? (p.cellsDone + (p.current?.fraction ?? 0)) / Math.max(1, p.cellsTotal) : 0;
  return (
    <div
      className="exp-progress"
      data-testid="exp-progress"
      data-status={run.status}
      data-done={p?.cellsDone ?? 0}
    >
      <div>
        <strong>
          {run.status === 'paused' ? 'Paused' : run.status === 'cancelling' ? 'Cancelling…' : 'Running'}
        </strong>{' '}
        {p
          ? `cell ${Math.min(p.cellsDone + 1, p.cellsTotal)} of ${p.cellsTotal} (${p.cellsDone} done, ${p.cellsReused} found stored) · elapsed ${fmtSeconds(p.elapsedSeconds)} · ETA ${fmtSeconds(p.etaSeconds)}`
          : 'starting…'}
      </div>
      <progress max={1} value={frac} aria-label="grid progress" />
      {p?.current && (
        <div className="exp-current">
          <span>
            {p.current.label}: {p.current.message}
          </span>
          <progress max={1} value={p.current.fraction} aria-label="current cell progress" />
        </div>
      )}
    </div>
  );
}

/** A spec's rows as shown: committed reference and paper rows, then this browser's. */
function shownRows(s: { referenceRows: ResultRow[]; userRows: ResultRow[] }, id: string): ResultRow[] {
  return [...s.referenceRows, ...s.userRows].filter((r) => r.experiment === id);
}

/**
 * One spec's card. It subscribes only to its own rows (shallow-compared, so a cell finishing elsewhere does not
 * re-render it), to whether any grid runs, and to its own run's status; progress is {@link Progress}'s.
 */
export const ExperimentCard = memo(function ExperimentCard(props: { spec: ExperimentSpec }) {
  const { spec } = props;
  const stored = useExperimentsStore((s) => s.cards[spec.id]);
  // eslint-disable-next-line react-hooks/exhaustive-deps -- `stored` is what card() reads
  const settings = useMemo(() => useExperimentsStore.getState().card(spec.id), [stored, spec.id]);
  const setCard = useExperimentsStore((s) => s.setCard);
  const busy = useExperimentsStore((s) => s.run !== null);
  const mineStatus = useExperimentsStore((s) => (s.run?.specId === spec.id ? s.run.status : null));
  const cancelling = mineStatus === 'cancelling';
  const notice = useExperimentsStore((s) => (s.notice?.specId === spec.id ? s.notice : null));
  const rows = useExperimentsStore(useShallow((s) => shownRows(s, spec.id)));
  const mineRows = useExperimentsStore(useShallow((s) => s.userRows.filter((r) => r.experiment === spec.id)));
  const actions = useExperimentsStore.getState();
  const extraGrid = useMemo((): Record<string, Scalar[]> | null => {
    try {
      return seedsGrid(settings.seeds);
    } catch {
      return null;
    }
  }, [settings.seeds]);
  const cells = useMemo(
    () => (extraGrid ? planCells(spec, settings.scale, extraGrid).length : null),
    [spec, settings.scale, extraGrid],
  );
  const scales = Object.keys(spec.scales) as ScaleName[];
  const idBase = `exp-${spec.id}`;
  return (
    <article className="exp-card" data-testid={`exp-card-${spec.id}`} aria-labelledby={`${idBase}-title`}>
      <header>
        <h3 id={`${idBase}-title`}>{spec.title}</h3>
        <span className="exp-ref">{spec.paperRef}</span>
      </header>
      <p className="exp-claim">
        <strong>Claim:</strong> {spec.claim}
      </p>
      {spec.note && (
        <p className="exp-note" data-testid={`${idBase}-note`}>
          <strong>Read this first:</strong> {spec.note}
        </p>
      )}
      <p className="muted">
        <strong>Shown:</strong> {whatIsShown(spec)} <strong>Sources:</strong> {sources(rows)}. Lines: solid =
        your browser's runs, dashed = our committed PyTorch reference runs, dotted = the paper's printed
        numbers.
      </p>
      <div className="exp-controls">
        <label htmlFor={`${idBase}-scale`}>Scale</label>
        <select
          id={`${idBase}-scale`}
          value={settings.scale}
          disabled={busy}
          onChange={(e) => setCard(spec.id, { scale: e.target.value as ScaleName })}
        >
          {scales.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <label htmlFor={`${idBase}-seeds`}>Seeds</label>
        <input
          id={`${idBase}-seeds`}
          className="exp-seeds"
          placeholder={String(spec.grid.seed?.join(',') ?? spec.base.seed)}
          value={settings.seeds}
          disabled={busy}
          aria-invalid={extraGrid === null}
          onChange={(e) => setCard(spec.id, { seeds: e.target.value })}
        />
        {!mineStatus ? (
          <button
            type="button"
            className="primary"
            disabled={busy || extraGrid === null}
            onClick={() => void actions.start(spec.id)}
          >
            Run {cells ?? '?'} cell{cells === 1 ? '' : 's'}
          </button>
        ) : (
          <>
            {mineStatus === 'paused' ? (
              <button type="button" onClick={() => void actions.resume()}>
                Resume
              </button>
            ) : (
              <button type="button" disabled={cancelling} onClick={() => void actions.pause()}>
                Pause
              </button>
            )}
            <button type="button" disabled={cancelling} onClick={() => void actions.cancel()}>
              Cancel
            </button>
          </>
        )}
        <button
          type="button"
          disabled={!!mineStatus || mineRows.length === 0}
          onClick={() => void actions.clearExperiment(spec.id)}
        >
          Delete my rows
        </button>
      </div>
      <p className="muted exp-note">
        {settings.scale}: {spec.scales[settings.scale]?.note}
        {extraGrid === null && (
          <span className="exp-error"> Seeds must be integers separated by commas.</span>
        )}
      </p>
      <Progress specId={spec.id} />
      {notice && (
        <p
          className={notice.level === 'error' ? 'exp-error' : 'exp-info'}
          role={notice.level === 'error' ? 'alert' : 'status'}
        >
          {notice.text}
        </p>
      )}
      <div className="exp-tabs" role="tablist" aria-label="View">
        {(['figure', 'rows'] as const).map((v) => (
          <button
            key={v}
            type="button"
            role="tab"
            aria-selected={settings.view === v}
            onClick={() => setCard(spec.id, { view: v })}
          >
            {v === 'figure' ? 'Figure' : `Rows (${rows.length.toLocaleString()})`}
          </button>
        ))}
      </div>
      {settings.view === 'figure' ? (
        <CardFigures spec={spec} rows={rows} />
      ) : (
        <>
          <CellCompare experiment={spec.id} rows={rows} />
          <CellScoresList experiment={spec.id} rows={mineRows} />
          <RowsTable rows={rows} />
        </>
      )}
      <RunAtScale spec={spec} scale={settings.scale} extraGrid={extraGrid} />
    </article>
  );
});
