import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import { TEST_NODE_FLAGS } from './tests/support/node-flags.ts';
import { UnitFirstSequencer } from './tests/support/unit-first-sequencer.ts';

// Tests about PostgreSQL itself (a network outage, several processes) run only in npm run test:pg.
// HTTP files whose outcome does not depend on which database the server runs on (rendering, headers,
// the HTTP layer, validation, the authorization policy, reads of the seed) run only on PGlite: the
// server's SQL is the same on both, and PostgreSQL-specific behaviour (races, holds, waiting lists,
// the outbox, sessions and rate limits under load, the server's start on a database, several
// processes) stays proved on both by the files not listed here. Each listed file still runs in
// `npm test`. Saves the PostgreSQL suite one server start and its requests per file.
const sameOnEveryDatabase = [
  'bare-post',
  'behind-proxy',
  'comune-pages',
  'errors',
  'event-facts',
  'event-series',
  'events-pages',
  'form-errors-once',
  'form-stamp',
  'front-cache',
  'hsds',
  'openapi',
  'rating',
  'request-body',
  'search',
  'site',
  'staff-matrix',
].map((name) => `tests/http/${name}.test.ts`);
const exclude = [
  ...configDefaults.exclude,
  ...(process.env.TEST_DATABASE_URL ? sameOnEveryDatabase : ['**/*.pg.test.ts']),
];

// HTTP files that only read the seeded demo as a plain `startServer()` leaves it (pages, feeds, the
// search, HSDS, errors refused before anything is stored) share a server per worker slot
// (tests/support/shared-server-setup.ts) instead of starting one each. A file that writes, needs
// other settings or reads its server's process or log keeps its own. All four are in
// sameOnEveryDatabase: on PostgreSQL the project has no file and starts nothing.
const sharingServers = ['errors', 'hsds', 'search', 'site'].map((name) => `tests/http/${name}.test.ts`);

// vitest's default is one worker per core but one: a single worker on a 2-core machine, which then
// sat idle for much of each HTTP file (waiting for its server process, the mail worker's round,
// PGlite's disk). One file per core (at least two); `--maxWorkers` still overrides it. One more
// than cores was tried: on a loaded machine its files ran past their hook and test time limits.
// Set in each project too: a project with `extends: false` does not inherit the root's value and
// fell back to vitest's default, so until 2026-12 every file of both suites ran one at a time.
const maxWorkers = Math.max(2, availableParallelism());

// Every project runs in one group (vitest's sequence.groupOrder, 0 for all), the unit files first
// (tests/support/unit-first-sequencer.ts): both workers run them while a third process makes the
// run's database templates, then go straight on to the database files. Until 2026-12-06 the unit
// files ran alone in one worker, as a group of their own, and the database files waited for that
// group's end: one core idle for ~4 s once the templates were made (4.8 s since they are made in
// memory, tests/support/scratch.ts). A shuffled run (`--sequence.shuffle.files`) keeps vitest's
// own random order, which the custom sequencer would replace (vitest uses it whenever one is given).
const shuffled = process.argv.some((arg) => arg.startsWith('--sequence.shuffle'));

// The HTTP files' projects: a worker runs file after file (isolate: false) instead of a new process
// and module graph for each; an HTTP file talks to servers in processes of their own. Beside the
// integration files: same group and workers (a worker goes on to the next file of its own project).
const httpFiles = {
  isolate: false,
  testTimeout: 30000,
  hookTimeout: 120000,
  maxWorkers,
  execArgv: TEST_NODE_FLAGS,
};

export default defineConfig({
  test: {
    maxWorkers,
    ...(shuffled ? {} : { sequence: { sequencer: UnitFirstSequencer } }),
    // Migrated (and seeded) embedded databases made once per run, copied for each file and server;
    // on PostgreSQL, template databases. Here, not in the projects: made once for both.
    globalSetup: ['tests/support/global-setup.ts'],
    projects: [
      {
        extends: false,
        test: {
          // Unit tests beside their modules: no database of their own, no server, nothing global
          // left behind, so one worker runs file after file without a new process and module graph
          // for each (measured: the 43 files in 15.7 s of CPU against 44.9 s isolated). First, on
          // every worker, before the files with a database (see `shuffled` above).
          name: 'unit',
          include: ['src/**/*.test.ts'],
          exclude,
          isolate: false,
          maxWorkers,
          testTimeout: 30000,
          execArgv: TEST_NODE_FLAGS,
        },
      },
      {
        extends: false,
        test: {
          // The app runs in-process here. A worker runs file after file (isolate: false) instead of
          // a new process, module graph and PGlite compilation for each; what the app keeps per
          // process (configuration, server secret, process.env, fake timers) is reset before and
          // after each file by tests/support/per-file-state.ts.
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          exclude,
          isolate: false,
          setupFiles: ['tests/support/per-file-state.ts'],
          testTimeout: 30000,
          hookTimeout: 120000,
          maxWorkers,
          // V8 flags of the workers (PGlite compiled once, not twice): see tests/support/node-flags.ts.
          execArgv: TEST_NODE_FLAGS,
        },
      },
      {
        extends: false,
        test: {
          ...httpFiles,
          name: 'http',
          include: ['tests/http/**/*.test.ts'],
          exclude: [...exclude, ...sharingServers],
        },
      },
      {
        extends: false,
        test: {
          // The same as http, on one server per worker slot.
          ...httpFiles,
          name: 'http-shared-server',
          include: sharingServers,
          exclude,
          globalSetup: ['tests/support/shared-server-setup.ts'],
        },
      },
    ],
  },
});
