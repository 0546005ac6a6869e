import { defineConfig } from 'vitest/config';

/**
 * Golden reruns: whole experiments rerun and compared with recorded results (docs/validation.json,
 * plan decisions). They take most of the suite's time, so `npm test` leaves them to
 * `npm run test:slow`; `npx vitest run` (CI) runs both projects.
 */
const SLOW = ['test/validation/validation-doc.test.ts', 'test/runner/plan.test.ts'];

export default defineConfig({
  test: {
    // Statistical tests run many replications; keep one file per worker thread.
    pool: 'threads',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      { extends: true, test: { name: 'fast', include: ['test/**/*.test.ts'], exclude: SLOW } },
      { extends: true, test: { name: 'slow', include: SLOW } },
    ],
  },
});
