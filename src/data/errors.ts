/**
 * A file the data layer cannot use. The message is written for a person: it names the file, says what was
 * expected and what was found, and (where it helps) what to do instead. Parsers throw it before producing any
 * output, so a failed load never leaves a partial data set behind.
 */
export class DataError extends Error {
  /** @param file the file (or archive entry) the message is about. */
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(file ? `${file}: ${message}` : message);
    this.name = 'DataError';
  }
}

/** Formats a byte count for messages and the UI ("1.5 MB"). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} kB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}
