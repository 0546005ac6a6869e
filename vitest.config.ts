import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Statistical tests run many replications; keep one file per worker thread.
    pool: 'threads',
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
