/** Backend failures (out of memory, a lost GPU device) as messages a user can act on. */

/** Turn backend failures into messages a user can act on. */
export function describeError(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  if (/out of memory|OOM|allocation|Failed to allocate|memory access out of bounds/i.test(msg))
    return `The backend ran out of memory (${msg}). Use a smaller batch or a smaller model; the last checkpoint is kept.`;
  if (/device (was )?lost|GPUDevice|context lost|CONTEXT_LOST/i.test(msg))
    return `The GPU device was lost (${msg}). Reload the page to resume from the last checkpoint, or force the WASM backend.`;
  return msg;
}
