/**
 * Near/far grouping and the far → near order of the OOD test sets by name (Fig. 7), following OpenOOD's split
 * for CIFAR-10 ID data (the groups come from the OOD catalogue); sets it does not know count only in the mean.
 */
import { oodGroupOf as catalogGroupOf, type OodGroup } from '../../data/oodCatalog';

export type { OodGroup };

/**
 * Within-group order from farthest to nearest (case-insensitive prefix of the set's name); the near/far group
 * itself always comes from the OOD catalogue (src/data/oodCatalog.ts), the one place that states it.
 */
const FAR_TO_NEAR: readonly string[] = [
  'gaussian',
  'uniform',
  'mnist',
  'fashion',
  'svhn',
  'textures',
  'places',
  'lsun',
  'tin',
  'cifar-100',
  'cifar100',
  'cifar-10',
  'open-set',
];

function rankOf(name: string): number {
  const n = name.toLowerCase();
  const r = FAR_TO_NEAR.findIndex((p) => n.startsWith(p) || n.includes(` ${p}`));
  return r < 0 ? FAR_TO_NEAR.length : r;
}

/** The group of a set by name (from the catalogue), or null when unknown. */
export function oodGroupOf(name: string): OodGroup | null {
  return catalogGroupOf(name);
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

/** Names ordered far → near: far sets, then sets of unknown group, then near sets; within a group by distance. */
export function orderFarToNear(names: readonly string[]): string[] {
  const groupRank = (n: string) => {
    const g = oodGroupOf(n);
    return g === 'far' ? 0 : g === 'near' ? 2 : 1;
  };
  return names
    .map((n, i) => ({ n, i, g: groupRank(n), r: rankOf(n) }))
    .sort((a, b) => a.g - b.g || a.r - b.r || a.i - b.i)
    .map((e) => e.n);
}
