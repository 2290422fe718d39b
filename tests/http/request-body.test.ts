// The node:http layer in front of the adapter (scripts/serve.ts): request bodies are capped while
// they stream, chunked ones included, so uploads cannot grow the process; and every answer, from
// the adapter, the front cache or the layer itself, carries Cross-Origin-Resource-Policy.
import http from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => {
  // Killed, not drained: a graceful stop waits for the 413s' sockets, which the server keeps for
  // their linger (5 s, scripts/serve.ts) because it reads nothing more from them, so the client's
  // hang-up goes unseen; that wait was most of this file's time. Draining is lifecycle.test.ts's.
  await server?.stop('SIGKILL');
});

const MB = 1024 * 1024;

/** A POST sent in chunks (no Content-Length), as big as asked; resolves with the status and body. */
function chunkedPost(
  path: string,
  chunks: Iterable<Buffer>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: http.IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      new URL(path, server.origin),
      { method: 'POST', headers: { Origin: server.origin, ...headers } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    const iterator = chunks[Symbol.iterator]();
    const pump = () => {
      for (let next = iterator.next(); !next.done; next = iterator.next()) {
        if (!req.write(next.value)) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

function* megabytes(count: number): Generator<Buffer> {
  const block = Buffer.alloc(MB, 'a');
  for (let i = 0; i < count; i++) yield block;
}

/** The server process's resident memory, now and at its peak, in MB (Linux /proc). */
async function memoryOfServer(): Promise<{ rss: number; peak: number }> {
  const status = await readFile(`/proc/${server.process.pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)![1]) / 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** Waits (at most 20 s) until the server's resident memory moves less than 2 MB in a second. */
async function settled(): Promise<void> {
  let last = (await memoryOfServer()).rss;
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const now = (await memoryOfServer()).rss;
    if (Math.abs(now - last) < 2) return;
    last = now;
  }
}

describe('request bodies', () => {
  it('refuses chunked uploads past 1 MB with 413 while memory stays low', async () => {
    // Measured from a settled server with its peak reset (Linux clear_refs): the startup's own work
    // (first worker round, the embedded database warming up) can neither hide nor add to the growth.
    await settled();
    await writeFile(`/proc/${server.process.pid}/clear_refs`, '5');
    const before = await memoryOfServer();
    const form = { 'Content-Type': 'application/x-www-form-urlencoded' };
    // The case, smaller: 4 × 250 MB sent at once took the old server to 2.9 GB.
    const answers = await Promise.all([
      chunkedPost('/it/zaino-sospeso/dona', megabytes(64), form),
      chunkedPost('/it/staff/accesso', megabytes(64), form),
      chunkedPost('/it/sportelli/gallaratese/prenota/contatti', megabytes(64), form),
      chunkedPost('/api/v1/pledges', megabytes(64), { 'Content-Type': 'application/json' }),
    ]);
    for (const answer of answers) expect(answer.status).toBe(413);
    const after = await memoryOfServer();
    // 256 MB were offered and past the first megabyte none of it is read.
    expect(after.peak - Math.max(before.peak, before.rss)).toBeLessThan(48);
  });

  it('still hands a small chunked body to the page whole', async () => {
    const body = Buffer.from(JSON.stringify({ reference: 'QB-ZZZZ-ZZ', phone: '333 000 0000' }));
    const answer = await chunkedPost('/api/v1/bookings/cancel', [body.subarray(0, 10), body.subarray(10)], {
      'Content-Type': 'application/json',
    });
    expect(answer.status).toBe(404);
    expect(JSON.parse(answer.body)).toMatchObject({ error: 'not_found' });
  });
});

describe('Cross-Origin-Resource-Policy', () => {
  it('is same-origin on pages, files, cached answers, the API and the layer\u2019s own 413', async () => {
    for (const path of ['/it/eventi', '/it/eventi', '/favicon.svg', '/favicon.svg', '/api/v1/desks', '/it/chi-siamo']) {
      const res = await fetch(server.origin + path);
      expect(res.headers.get('cross-origin-resource-policy'), path).toBe('same-origin');
      await res.arrayBuffer();
    }
    const tooLarge = await chunkedPost('/it/staff/accesso', megabytes(2), {
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.headers['cross-origin-resource-policy']).toBe('same-origin');
  });
});
