/** The seeds field of the UI (and `--seeds` of the CLI) as a grid axis. */
import type { Scalar } from './types';

/** Seeds field → extraGrid (empty field = the spec's seeds). Throws on anything but integers. */
export function seedsGrid(text: string): Record<string, Scalar[]> {
  const t = text.trim();
  if (!t) return {};
  const seeds = t.split(/[,\s]+/).map((s) => {
    const n = Number(s);
    if (!Number.isInteger(n)) throw new Error(`Seeds: "${s}" is not an integer.`);
    return n;
  });
  return { seed: [...new Set(seeds)] };
}
