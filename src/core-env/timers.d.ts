/** setTimeout/clearTimeout exist in browsers, workers and Node; declared here for the DOM-free code only. */
declare function setTimeout(handler: (...args: unknown[]) => void, ms?: number): unknown;
declare function clearTimeout(id: unknown): void;
