import type { LoadMessage, LoadedSet } from './loadFiles';

/** `name`, or `name (2)`, `name (3)`, …: the first that is not in `taken`. */
export function uniqueName(name: string, taken: Iterable<string>): string {
  const used = new Set(taken);
  if (!used.has(name)) return name;
  for (let i = 2; ; i++) if (!used.has(`${name} (${i})`)) return `${name} (${i})`;
}

/**
 * Gives every newly loaded OOD set a name no other OOD set has (evaluation reports and keys results by name, so
 * two "Textures" would silently score one). A set replacing one under the same key keeps its name.
 * Renames `loaded` in place.
 * @param existing the sets already loaded.
 * @returns one info message per renamed set.
 */
export function nameOodSetsUniquely(
  loaded: LoadedSet[],
  existing: Iterable<{ key: string; role: string; set: { name: string } }>,
): LoadMessage[] {
  const replaced = new Set(loaded.map((l) => l.key));
  const taken = [...existing].filter((s) => s.role === 'ood' && !replaced.has(s.key)).map((s) => s.set.name);
  const messages: LoadMessage[] = [];
  for (const l of loaded) {
    if (l.role !== 'ood') continue;
    const unique = uniqueName(l.set.name, taken);
    if (unique !== l.set.name)
      messages.push({
        level: 'info',
        file: l.key.replace(/^ood:/, ''),
        text: `named "${unique}": an OOD set named "${l.set.name}" is already loaded, and evaluation reports sets by name.`,
      });
    l.set.name = unique;
    taken.push(unique);
  }
  return messages;
}
