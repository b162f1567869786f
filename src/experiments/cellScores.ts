/**
 * Per-sample scores of one evaluated cell, so a user can recompute any metric: for every detector, the score of
 * each ID test sample and each sample of every OOD set (higher = more OOD), with the sample's index within its
 * set, its label (ID / OOD) and, for ID samples, the true and the predicted class. Kept by the runner beside the
 * cell's rows (keyed by cellKey + scale, like the rows), exported as a compact CSV:
 *
 *   # aoe-cell-scores v1 experiment=<id> cellKey=<key> scale=<scale>
 *   set,index,label,target,predicted,<detector 1>,<detector 2>,…
 *   ID,0,ID,3,3,-7.25,…            (one line per ID test sample)
 *   SVHN,0,OOD,,,-2.5,…             (one line per sample of each OOD set)
 *
 * Scores are Float32 values written in their shortest exact decimal form, so `cellScoresFromCsv` gives back the
 * identical Float32Arrays and `metricsFromScores` (oodMetrics on ID scores then the set's scores, OOD = 1)
 * reproduces the cell's result rows bit for bit.
 */
import { idVsOodMetrics, type OodMetrics } from '../core/metrics';
import { parseCsv, quoteCsv as quote } from './csv';

export const CELL_SCORES_FORMAT = 'aoe-cell-scores';
export const CELL_SCORES_VERSION = 1;

/** The name of the ID test set in a scores file. */
export const ID_SET = 'ID';

/** Scores of one set: per detector one score per sample; ID sets carry true and predicted classes. */
export interface SetScores {
  name: string;
  label: 'ID' | 'OOD';
  scores: Record<string, Float32Array>;
  /** True class per sample (ID only). */
  target?: Int32Array;
  /** Predicted class (argmax of the logits) per sample (ID only). */
  predicted?: Int32Array;
}

/** What an executor returns: the ID test set first, then the OOD sets in evaluation order. */
export interface ScoresOfCell {
  detectors: string[];
  sets: SetScores[];
}

/** A cell's stored scores (the results store keys them by cellKey + scale). */
export interface CellScores extends ScoresOfCell {
  format: typeof CELL_SCORES_FORMAT;
  version: typeof CELL_SCORES_VERSION;
  /** The experiment whose run produced them (a shared cell serves others too). */
  experiment: string;
  cellKey: string;
  scale: string;
}

/** The key the stores use for a cell's scores. */
export const cellScoresKey = (cellKey: string, scale: string): string => `${cellKey}|${scale}`;

/**
 * Scores of an evaluation as {@link ScoresOfCell}.
 * @param byDetector scores[detector][set], with the ID test set under {@link ID_SET}
 * @param target true classes of the ID test samples (at least as many as scored; the first n are used)
 * @param predicted predicted classes of the ID test samples
 */
export function scoresOfEvaluation(
  byDetector: Record<string, Record<string, Float32Array>>,
  target: ArrayLike<number>,
  predicted: ArrayLike<number>,
): ScoresOfCell {
  const detectors = Object.keys(byDetector);
  if (detectors.length === 0) return { detectors, sets: [] };
  const setNames = Object.keys(byDetector[detectors[0]]).filter((s) => s !== ID_SET);
  const pick = (set: string) => Object.fromEntries(detectors.map((d) => [d, byDetector[d][set]]));
  const n = byDetector[detectors[0]][ID_SET].length;
  return {
    detectors,
    sets: [
      {
        name: ID_SET,
        label: 'ID',
        scores: pick(ID_SET),
        target: Int32Array.from({ length: n }, (_, i) => target[i]),
        predicted: Int32Array.from({ length: n }, (_, i) => predicted[i]),
      },
      ...setNames.map((name) => ({ name, label: 'OOD' as const, scores: pick(name) })),
    ],
  };
}

/**
 * Recompute from scores what the cell's rows hold: OOD metrics per detector and OOD set (ID test scores then
 * the set's scores, labels 0 then 1) and the ID accuracy.
 */
export function metricsFromScores(s: ScoresOfCell): {
  accuracy: number | null;
  metrics: Record<string, Record<string, OodMetrics & { nId: number; nOod: number }>>;
} {
  const id = s.sets.find((x) => x.label === 'ID');
  if (!id) throw new Error('The scores have no ID set.');
  const metrics: Record<string, Record<string, OodMetrics & { nId: number; nOod: number }>> = {};
  for (const d of s.detectors) {
    metrics[d] = {};
    const idScores = id.scores[d];
    for (const set of s.sets) {
      if (set.label !== 'OOD') continue;
      const oodScores = set.scores[d];
      metrics[d][set.name] = idVsOodMetrics(idScores, oodScores);
    }
  }
  let accuracy: number | null = null;
  if (id.target && id.predicted && id.target.length > 0) {
    let correct = 0;
    for (let i = 0; i < id.target.length; i++) correct += id.target[i] === id.predicted[i] ? 1 : 0;
    accuracy = correct / id.target.length;
  }
  return { accuracy, metrics };
}

/** A Float32 value as text that parses back to it exactly (String(-0) would lose the sign). */
const scoreText = (x: number): string => (Object.is(x, -0) ? '-0' : String(x));

/** A cell's scores as CSV text (format in the module comment; README "Per-sample scores"). */
export function cellScoresToCsv(c: CellScores): string {
  const lines = [
    `# ${CELL_SCORES_FORMAT} v${CELL_SCORES_VERSION} experiment=${c.experiment} cellKey=${c.cellKey} scale=${c.scale}`,
    ['set', 'index', 'label', 'target', 'predicted', ...c.detectors].map(quote).join(','),
  ];
  for (const set of c.sets) {
    const cols = c.detectors.map((d) => set.scores[d]);
    const n = cols[0]?.length ?? 0;
    const name = quote(set.name);
    for (let i = 0; i < n; i++) {
      const t = set.target ? String(set.target[i]) : '';
      const p = set.predicted ? String(set.predicted[i]) : '';
      // A Float32 value read into a double prints as the shortest decimal that parses back to it exactly.
      lines.push(`${name},${i},${set.label},${t},${p},${cols.map((col) => scoreText(col[i])).join(',')}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** Parse {@link cellScoresToCsv}'s text back; throws naming the line of anything malformed. */
export function cellScoresFromCsv(text: string): CellScores {
  const firstBreak = text.indexOf('\n');
  const first = (firstBreak < 0 ? text : text.slice(0, firstBreak)).replace(/\r$/, '');
  const head = /^# aoe-cell-scores v(\d+) experiment=(\S*) cellKey=(\S*) scale=(\S*)$/.exec(first);
  if (!head) throw new Error('Not an aoe-cell-scores CSV: the first line must be "# aoe-cell-scores v1 …".');
  if (Number(head[1]) !== CELL_SCORES_VERSION)
    throw new Error(`aoe-cell-scores version ${head[1]} is not supported (this app reads v1).`);
  const records = parseCsv(firstBreak < 0 ? '' : text.slice(firstBreak + 1)).filter(
    (r) => r.length > 1 || r[0] !== '',
  );
  const header = records[0] ?? [];
  if (header.slice(0, 5).join(',') !== 'set,index,label,target,predicted')
    throw new Error('aoe-cell-scores: the second line must start with set,index,label,target,predicted.');
  const detectors = header.slice(5);
  const bySet = new Map<
    string,
    { label: 'ID' | 'OOD'; n: number; cols: number[][]; target: number[]; pred: number[] }
  >();
  for (let li = 2; li <= records.length; li++) {
    const f = records[li - 1];
    if (f.length !== header.length)
      throw new Error(`aoe-cell-scores line ${li + 1}: ${f.length} fields, the header has ${header.length}.`);
    const [name, index, label, target, predicted] = f;
    if (label !== 'ID' && label !== 'OOD')
      throw new Error(`aoe-cell-scores line ${li + 1}: label must be ID or OOD, not "${label}".`);
    let s = bySet.get(name);
    if (!s) bySet.set(name, (s = { label, n: 0, cols: detectors.map(() => []), target: [], pred: [] }));
    if (Number(index) !== s.n)
      throw new Error(`aoe-cell-scores line ${li + 1}: sample index ${index} of ${name}, expected ${s.n}.`);
    s.n++;
    f.slice(5).forEach((v, k) => {
      const x = Number(v);
      if (v === '' || (Number.isNaN(x) && v !== 'NaN'))
        throw new Error(`aoe-cell-scores line ${li + 1}: "${v}" is not a score.`);
      s.cols[k].push(x);
    });
    if (label === 'ID') {
      s.target.push(Number(target));
      s.pred.push(Number(predicted));
    }
  }
  return {
    format: CELL_SCORES_FORMAT,
    version: CELL_SCORES_VERSION,
    experiment: head[2],
    cellKey: head[3],
    scale: head[4],
    detectors,
    sets: [...bySet].map(([name, s]) => ({
      name,
      label: s.label,
      scores: Object.fromEntries(detectors.map((d, k) => [d, Float32Array.from(s.cols[k])])),
      ...(s.label === 'ID' ? { target: Int32Array.from(s.target), predicted: Int32Array.from(s.pred) } : {}),
    })),
  };
}
