import { availableParallelism } from 'node:os';
import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/http/**/*.test.ts'],
    // Tests about PostgreSQL itself (a network outage, several processes) run only in npm run test:pg.
    exclude: [...configDefaults.exclude, ...(process.env.TEST_DATABASE_URL ? [] : ['**/*.pg.test.ts'])],
    // vitest's default is one worker per core but one: a single worker on a 2-core machine, which then
    // sat idle for much of each HTTP file (waiting for its server process, the mail worker's 5 s round,
    // PGlite's disk). One more file than cores keeps both busy; `--maxWorkers` still overrides it.
    maxWorkers: availableParallelism() + 1,
    testTimeout: 30000,
    hookTimeout: 120000,
    // Migrated (and seeded) embedded databases made once per run, copied for each file and server;
    // on PostgreSQL, template databases.
    globalSetup: ['tests/support/global-setup.ts'],
  },
});
