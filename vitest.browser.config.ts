import { defineConfig } from 'vitest/config';

// Browser tests (`npm run test:browser`): Debian's chromium driven by playwright-core against the
// built site. One file at a time: each file runs its own server and one Chromium (tests/browser/
// support.ts, browserSite). Files share nothing but the database templates (each server has its
// own copy, port and mail), so `fileParallelism: true, maxWorkers: 2` is safe in principle; tried on
// the shared 2-core machine (load average ~29), phone-width's set-up overran its 120 s hook budget,
// so it stays off until measured on a quiet machine.
export default defineConfig({
  test: {
    include: ['tests/browser/**/*.test.ts'],
    testTimeout: 60000,
    hookTimeout: 120000,
    // Migrated (and seeded) embedded databases made once per run, copied for each file and server.
    globalSetup: ['tests/support/global-setup.ts'],
    fileParallelism: false,
  },
});
