import { defineConfig } from 'vitest/config';

// Browser tests (`npm run test:browser`): Debian's chromium driven by playwright-core against the
// built site. One file at a time: the machine has two cores and each file starts a server.
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
