import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';
import { TEST_NODE_FLAGS } from './tests/support/node-flags.ts';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/http/**/*.test.ts'],
    // Tests about PostgreSQL itself (a network outage, several processes) run only in npm run test:pg.
    exclude: [...configDefaults.exclude, ...(process.env.TEST_DATABASE_URL ? [] : ['**/*.pg.test.ts'])],
    // vitest's default is one worker per core but one: a single worker on a 2-core machine, which then
    // sat idle for much of each HTTP file (waiting for its server process, the mail worker's 5 s round,
    // PGlite's disk). One file per core (at least two); `--maxWorkers` still overrides it. One more
    // than cores was tried: on a loaded machine its files ran past their hook and test time limits.
    maxWorkers: Math.max(2, availableParallelism()),
    testTimeout: 30000,
    hookTimeout: 120000,
    // Migrated (and seeded) embedded databases made once per run, copied for each file and server;
    // on PostgreSQL, template databases.
    globalSetup: ['tests/support/global-setup.ts'],
    // V8 flags of the workers (PGlite compiled once, not twice): see tests/support/node-flags.ts.
    execArgv: TEST_NODE_FLAGS,
  },
});
