import { configDefaults, defineConfig } from 'vitest/config';
import { TEST_NODE_FLAGS } from './tests/support/node-flags.ts';

// Files that only read the seeded demo as a plain `startServer()` leaves it (pages, the API, the
// search, the nearest-desk island: no form sent, no booking, nothing another file could see) share
// a server per worker slot (tests/support/shared-server-setup.ts) instead of starting one each. A
// file that writes, needs other settings or reads the server's log keeps its own.
const sharingServers = [
  'accessibility',
  'cross-origin-api',
  'event-series',
  'nearest-desk',
  'no-javascript',
  'same-origin',
  'slow-network',
].map((name) => `tests/browser/${name}.test.ts`);

// Browser tests (`npm run test:browser`): Debian's chromium-headless-shell driven by playwright-core
// against the built site. Each file runs its own server (tests/browser/support.ts, browserSite), or
// its worker's shared one above, in its worker's Chromium (contexts of its own), and shares nothing
// else with the others but the database templates (each server has its own copy, port and mail), so
// two files run side by side: much of a file's time is waiting (page loads, the network going idle,
// the mail worker, a new TOTP step), which the other file fills.
// Measured back to back on this 2-core machine shared with other work (load average 12–15): the
// whole suite in 443 s with two files at a time against 656 s one at a time, every test passing.
// (Tried before with the full Chromium at load ~29, phone-width's set-up overran its hook budget.)
export default defineConfig({
  test: {
    testTimeout: 60000,
    hookTimeout: 120000,
    // Migrated (and seeded) embedded databases made once per run, copied for each file and server.
    globalSetup: ['tests/support/global-setup.ts'],
    // V8 flags of the workers (PGlite compiled once, not twice): see tests/support/node-flags.ts.
    execArgv: TEST_NODE_FLAGS,
    fileParallelism: true,
    maxWorkers: 2,
    // Within a file, the tests and suites marked `concurrent` (accessibility's locales, booking's axe
    // walks, each in a tab of its own) run this many at a time: while one tab waits for the server,
    // another lays out its page or runs axe.
    maxConcurrency: 3,
    // A worker runs file after file (no new process, vitest and playwright loaded once) and keeps its
    // Chromium for the next (tests/browser/chromium.ts); each file has its own contexts and server.
    isolate: false,
    // Both projects in one group: their files share the two workers. vitest starts a group's projects
    // in the order of their names, and within one the larger files first (by size when, as on a fresh
    // clone, it has no timings): the shared-server files are short files that are long to run (axe
    // on every page type in every locale), so their project is named to come first; last, they ran
    // alone for the last ~65 s of a CI run's browser suite.
    projects: [
      {
        extends: true,
        test: {
          name: 'browser-with-own-server',
          include: ['tests/browser/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...sharingServers],
        },
      },
      {
        extends: true,
        test: {
          name: 'browser-shared-server',
          include: sharingServers,
          globalSetup: ['tests/support/shared-server-setup.ts'],
        },
      },
    ],
  },
});
