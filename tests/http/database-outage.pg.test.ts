// PostgreSQL going away while the site runs: pages answer 503 quickly with a readable page, and
// the site recovers by itself when the database is back. A TCP relay stands in for the network
// between the server and PostgreSQL, so the test can cut it without stopping the shared server.
// *.pg.test.ts files run only in the PostgreSQL suite (npm run test:pg): PGlite has no network to lose.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { testDatabaseUrl } from '../support/db.ts';
import pg from 'pg';


function startRelay(target: URL) {
  const sockets = new Set<net.Socket>();
  let open = true;
  const server = net.createServer((client) => {
    if (!open) return client.destroy();
    const upstream = net.connect(Number(target.port || 5432), target.hostname);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  return {
    listen: () => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port))),
    cut() {
      open = false;
      for (const s of sockets) s.destroy();
    },
    restore() {
      open = true;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('database outage (PostgreSQL)', () => {
  let server: RunningServer;
  let relay: ReturnType<typeof startRelay>;
  const schema = `outage_${process.pid}_${Date.now()}`;
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: testDatabaseUrl });
    await client.connect();
    await client.query(statement);
    await client.end();
  };

  beforeAll(async () => {
    await admin(`CREATE SCHEMA ${schema}`);
    relay = startRelay(new URL(testDatabaseUrl!));
    const port = await relay.listen();
    // The server reaches PostgreSQL through the relay, in a schema of its own.
    const viaRelay = new URL(testDatabaseUrl!);
    viaRelay.host = `127.0.0.1:${port}`;
    viaRelay.searchParams.set('options', `-c search_path=${schema}`);
    server = await startServer({ DATABASE_URL: viaRelay.toString() });
  });
  afterAll(async () => {
    await server?.stop();
    await relay?.close();
    await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it('answers 503 with a readable page while the database is away, and recovers by itself', async () => {
    expect((await fetch(`${server.origin}/it/sportelli`)).status).toBe(200);
    relay.cut();
    const started = Date.now();
    const down = await fetch(`${server.origin}/it/sportelli/quarto-oggiaro?during-outage=1`);
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('30');
    expect(await down.text()).toContain('Servizio momentaneamente non disponibile');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect((await fetch(`${server.origin}/healthz`)).status).toBe(503);
    relay.restore();
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await fetch(`${server.origin}/healthz`)).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 250));
    }
    expect(status).toBe(200);
    expect((await fetch(`${server.origin}/it/sportelli/quarto-oggiaro?after-outage=1`)).status).toBe(200);
  });
});
