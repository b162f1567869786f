import type { ToyPoints } from './toy2d';

/** Result of parsing a toy CSV: the points, or an error naming the first bad line (1-based). */
export type ToyCsvResult = { ok: true; points: ToyPoints } | { ok: false; error: string; line: number };

/** Largest class index a CSV may use (the model's K is max label + 1). */
export const MAX_CSV_CLASS = 7;

/**
 * Parse `x,y,label` rows (one point per line; an optional header line whose first field is not a number;
 * blank lines and lines starting with `#` are skipped). Labels are integers 0..7. Any malformed line makes
 * the whole parse fail with a message naming that line, so a caller can leave its state untouched.
 */
export function parseToyCsv(text: string): ToyCsvResult {
  const lines = text.split(/\r?\n/);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].trim();
    if (raw === '' || raw.startsWith('#')) continue;
    const fields = raw.split(/[,;\t]/).map((f) => f.trim());
    if (xs.length === 0 && ys.length === 0 && i === firstContentLine(lines) && !isNumber(fields[0])) continue;
    const line = i + 1;
    if (fields.length !== 3) {
      return fail(line, `expected 3 fields "x,y,label", found ${fields.length}: "${clip(raw)}"`);
    }
    const [fx, fy, fl] = fields;
    if (!isNumber(fx) || !isNumber(fy)) return fail(line, `x and y must be finite numbers: "${clip(raw)}"`);
    const label = Number(fl);
    if (!/^\d+$/.test(fl) || label > MAX_CSV_CLASS) {
      return fail(line, `label must be an integer 0–${MAX_CSV_CLASS}, found "${clip(fl)}"`);
    }
    xs.push(Number(fx), Number(fy));
    ys.push(label);
  }
  if (ys.length === 0) return fail(1, 'the file contains no points');
  const numClasses = Math.max(...ys) + 1;
  return { ok: true, points: { x: Float32Array.from(xs), y: Int32Array.from(ys), numClasses } };
}

/** Serialise points as `x,y,label` with a header line (round-trips through `parseToyCsv`). */
export function toyPointsToCsv(points: ToyPoints): string {
  const rows = ['x,y,label'];
  for (let i = 0; i < points.y.length; i++) {
    rows.push(`${points.x[2 * i]},${points.x[2 * i + 1]},${points.y[i]}`);
  }
  return rows.join('\n') + '\n';
}

function firstContentLine(lines: string[]): number {
  return lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
}

function isNumber(s: string | undefined): boolean {
  return s !== undefined && s !== '' && Number.isFinite(Number(s));
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

function fail(line: number, message: string): ToyCsvResult {
  return { ok: false, line, error: `line ${line}: ${message}` };
}
