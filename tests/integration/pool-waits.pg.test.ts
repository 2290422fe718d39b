// The two waits of the PostgreSQL pool (src/server/db/connection.ts): connecting to a database that
// does not answer fails fast, as "the database is unavailable" (the site's quick 503); waiting for a
// connection another request is using does not fail after that time (a burst of families queues).
// PostgreSQL only: the embedded database has no pool.
import net from 'node:net';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '#/server/db/connection.ts';
import { isDatabaseUnavailable } from '#/server/db/errors.ts';
import { testDatabaseUrl } from '../support/db.ts';

const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});

describe('the PostgreSQL pool', () => {
  it('gives up connecting to a database that does not answer after connectTimeoutMs, as unavailable', async () => {
    // Accepts the connection and never says a word: a host behind a dead proxy. Its sockets are
    // closed by hand at the end (server.close waits for them).
    const sockets = new Set<net.Socket>();
    const silent = net.createServer((socket) => void sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(() => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => silent.close(resolve));
    });
    const { port } = silent.address() as net.AddressInfo;
    const db = await openDatabase({
      kind: 'postgres',
      url: `postgres://x@127.0.0.1:${port}/x`,
      connectTimeoutMs: 1000,
    });
    closers.push(() => db.destroy());
    const started = Date.now();
    const error = await sql`SELECT 1`.execute(db).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('lets a request wait longer than connectTimeoutMs for a connection another one is using', async () => {
    const db = await openDatabase({ kind: 'postgres', url: testDatabaseUrl!, poolSize: 1, connectTimeoutMs: 1000 });
    closers.push(() => db.destroy());
    await sql`SELECT 1`.execute(db); // the pool's one connection, made
    const busy = sql`SELECT pg_sleep(2)`.execute(db);
    const started = Date.now();
    const { rows } = await sql<{ answer: number }>`SELECT 42 AS answer`.execute(db);
    expect(rows).toEqual([{ answer: 42 }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    await busy;
  });
});
