import { defineConfig } from 'vitest/config';

// Browser tests (`npm run test:browser`): Debian's chromium driven by playwright-core against the
// built site. Two files at a time, one per core: each file runs its own server and one Chromium
// (tests/browser/support.ts, browserSite), and much of a test is waiting (a page loading, the
// server writing an email, a TOTP step), so the second file fills the first one's gaps. Files share
// nothing but the database templates: each server has its own copy, its own port and its own mail.
export default defineConfig({
  test: {
    include: ['tests/browser/**/*.test.ts'],
    testTimeout: 60000,
    hookTimeout: 120000,
    // Migrated (and seeded) embedded databases made once per run, copied for each file and server.
    globalSetup: ['tests/support/global-setup.ts'],
    fileParallelism: true,
    maxWorkers: 2,
  },
});
