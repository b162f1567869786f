import { defineConfig } from 'vitest/config';

/**
 * Benchmarks run through Vitest's module runner (not plain tsx) because tfjs-core's gradient registration is an
 * ESM deep import that Node cannot resolve on its own. Not part of `npm test`; run with `npm run bench:train`.
 */
export default defineConfig({
  test: {
    include: ['bench/**/*.bench-run.ts'],
    environment: 'node',
    testTimeout: 3_600_000,
    maxWorkers: 1,
    reporters: ['verbose'],
  },
});
