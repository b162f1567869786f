import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Bytes of tests/fixtures/<path>. */
export function readFixture(path: string): Uint8Array {
  return new Uint8Array(readFileSync(fileURLToPath(new URL(`../fixtures/${path}`, import.meta.url))));
}
