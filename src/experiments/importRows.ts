/**
 * Reading results a user drops onto the app (or that public/reference ships): an `aoe-results` JSON file or a
 * results CSV (as `rowsToCsv` writes it), detected by content, not by name.
 */
import { rowsFromCsv } from './csv';
import { fromResultsFile } from './results';
import type { ResultRow } from './types';

/** Rows of a dropped file's text. Throws a message that names the file and the problem. */
export function parseResultsText(name: string, text: string): ResultRow[] {
  const trimmed = text.trimStart();
  try {
    if (trimmed.startsWith('{')) return fromResultsFile(JSON.parse(trimmed));
    return rowsFromCsv(text);
  } catch (err) {
    throw new Error(`${name}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * The file names public/reference/index.json lists: `{ "files": ["wrn-table2.json", …] }` or a plain array.
 * Names are relative to public/reference/; anything else is refused.
 */
export function referenceIndexFiles(index: unknown): string[] {
  const list = Array.isArray(index) ? index : (index as { files?: unknown })?.files;
  if (!Array.isArray(list) || !list.every((f) => typeof f === 'string'))
    throw new Error('public/reference/index.json must be a list of file names (or { "files": [...] }).');
  for (const f of list)
    if (!/^[\w.-]+\.(json|csv)$/.test(f))
      throw new Error(`reference file "${f}" is not a plain .json/.csv name.`);
  return list as string[];
}
