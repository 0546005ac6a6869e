import { defineConfig } from 'vitest/config';

/**
 * The slow project: golden reruns (whole experiments rerun and compared with recorded results:
 * docs/validation.json, plan decisions) and the end-to-end suites that spawn the command or a
 * browser (kills and resumes, hostile inputs under /usr/bin/time, file faults, a full disk, the
 * report in chromium). Together about 80 s of the suite's test time on this 2-core machine, so
 * `npm test` leaves them to `npm run test:slow`; `npx vitest run` (CI) runs both projects.
 */
const SLOW = [
  'test/validation/validation-doc.test.ts',
  'test/runner/plan.test.ts',
  'test/cli/faults.test.ts',
  'test/cli/hostile-input.test.ts',
  'test/cli/file-faults.test.ts',
  'test/runner/disk-full.test.ts',
  'test/reports/browser.test.ts',
];

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
