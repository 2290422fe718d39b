import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'tests/integration/**/*.test.ts', 'tests/http/**/*.test.ts'],
    // Tests about PostgreSQL itself (a network outage, several processes) run only in npm run test:pg.
    exclude: [...configDefaults.exclude, ...(process.env.TEST_DATABASE_URL ? [] : ['**/*.pg.test.ts'])],
    testTimeout: 30000,
    hookTimeout: 120000,
    // Migrated (and seeded) embedded databases made once per run, copied for each file and server.
    globalSetup: ['tests/support/global-setup.ts'],
  },
});
