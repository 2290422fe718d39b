// Starting and stopping the server as an operator does.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { startServer } from '../support/server.ts';
import { TEST_NODE_FLAGS } from '../support/node-flags.ts';

describe('server lifecycle', () => {
  it('refuses to start with invalid configuration and says why', () => {
    const result = spawnSync(process.execPath, [...TEST_NODE_FLAGS, 'scripts/start.ts'], {
      env: { ...process.env, PORT: 'eighty', DATABASE_URL: 'mysql://nope', PUBLIC_URL: '' },
      encoding: 'utf8',
      timeout: 30000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT must be a whole number');
    expect(result.stderr).toContain('DATABASE_URL must start with postgres://');
  });

  it('finishes open requests on SIGTERM and exits cleanly', async () => {
    // On an empty database, as an operator's first start: migrations and seed are in the log.
    const server = await startServer({}, { fresh: true });
    expect(server.output()).toMatch(/migration 2026_11_24_0001_public_site: Success/);
    expect(server.output()).toContain('seeded the database');
    // A response whose headers have arrived is still delivered whole after SIGTERM.
    const response = await fetch(`${server.origin}/it/sportelli`);
    const stopping = server.stop('SIGTERM');
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('</html>');
    expect(await stopping).toBe(0);
    expect(server.output()).toContain('Stopped cleanly.');
  });
});
