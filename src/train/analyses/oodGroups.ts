/**
 * Near/far grouping and the far → near order of the OOD test sets by name (Fig. 7), following OpenOOD's split
 * for CIFAR-10 ID data: noise and digits/clothing are far, natural images of other classes near. A small local
 * map until the OOD catalogue (src/data/oodCatalog.ts) lands; sets it does not know count only in the mean.
 */
export type OodGroup = 'near' | 'far';

/** Known sets from farthest to nearest (case-insensitive prefix match on the set's name). */
const FAR_TO_NEAR: readonly [prefix: string, group: OodGroup][] = [
  ['gaussian', 'far'],
  ['uniform', 'far'],
  ['mnist', 'far'],
  ['fashion', 'far'],
  ['svhn', 'far'],
  ['textures', 'far'],
  ['places', 'far'],
  ['lsun', 'near'],
  ['tin', 'near'],
  ['tinyimagenet', 'near'],
  ['cifar-100', 'near'],
  ['cifar100', 'near'],
  ['cifar-10', 'near'],
  ['open-set', 'near'],
];

function rankOf(name: string): number {
  const n = name.toLowerCase();
  return FAR_TO_NEAR.findIndex(([p]) => n.startsWith(p) || n.includes(` ${p}`));
}

/** The group of a set by name, or null when unknown. */
export function oodGroupOf(name: string): OodGroup | null {
  const r = rankOf(name);
  return r < 0 ? null : FAR_TO_NEAR[r][1];
}

/** name → group for every known set (the shape `plotSeries` takes as its groups). */
export function oodGroupsOf(names: readonly string[]): Record<string, OodGroup> {
  const out: Record<string, OodGroup> = {};
  for (const n of names) {
    const g = oodGroupOf(n);
    if (g) out[n] = g;
  }
  return out;
}

/** Names ordered far → near; unknown sets keep their order, after the known far and before the near ones. */
export function orderFarToNear(names: readonly string[]): string[] {
  const key = (n: string) => {
    const r = rankOf(n);
    if (r >= 0) return r;
    const firstNear = FAR_TO_NEAR.findIndex(([, g]) => g === 'near');
    return firstNear - 0.5;
  };
  return names
    .map((n, i) => ({ n, i, k: key(n) }))
    .sort((a, b) => a.k - b.k || a.i - b.i)
    .map((e) => e.n);
}
