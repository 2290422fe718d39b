// `npm run bench:booking [-- --pg]`: how many bookings per second the HTTP API takes, and what the
// framework and the checks around the booking transaction cost compared with a bare server.
//
// 1. Embedded database: a fresh PGlite folder gets the seed plus a few desks open every day, which
//    offer more than 10,000 distinct slots; the built server books them through POST /api/v1/bookings
//    with 50 concurrent clients (autocannon), one slot per request, so every answer should be 201.
// 2. With --pg or DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), the same on
//    PostgreSQL in a fresh schema, then a bare node:http + pg server doing only the booking
//    transaction (slot counter, guarded update, booking row) on the same slots, as the baseline.
// Prints bookings/s and latency percentiles, and writes them to docs/performance.md ("## Booking").
// A benchmark, not a test: it never fails on slow figures.
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { mkdtemp, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import { openDatabase, type DatabaseTarget } from '#/server/db/connection.ts';
import { startServer } from '../tests/support/server.ts';
import {
  NO_LIMITS,
  POOL_SIZE,
  Conflict,
  bookingApiBody,
  bookingBaselineBody,
  bookingTransaction,
  load,
  pgTransaction,
  pgUrlFromArgs,
  prepareBookingData,
  startChildServer,
  writeDocSection,
  type SlotRef,
} from './bench-lib.ts';

const MEASURED = 10_000;
const WARMUP = 300;
const CONNECTIONS = 50;
const BENCH_DESKS = 14; // × 18 slots a day × ~50 bookable days ≈ 12,600 slots

interface Figures {
  label: string;
  bookings: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  other: string;
}

// ---------------------------------------------------------------- the baseline server (child process)

/** The booking transaction alone, without framework, validation, rate limits or domain checks. */
async function serveBaseline(url: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: POOL_SIZE });
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const b = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        deskId: number;
        start: string;
        end: string;
        phone: string;
      };
      let status = 201;
      let body = '';
      try {
        body = JSON.stringify(await pgTransaction(pool, (query) => bookingTransaction(query, b)));
      } catch (error) {
        status = error instanceof Conflict ? 409 : 500;
      }
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    console.log(`baseline listening on ${typeof address === 'object' && address ? address.port : 0}`);
  });
  process.on('SIGTERM', () => server.close(() => void pool.end().then(() => process.exit(0))));
}

const startBaseline = (url: string) => startChildServer(import.meta.filename, ['--baseline-server', url]);

// ---------------------------------------------------------------- data

const prepareData = (db: Parameters<typeof prepareBookingData>[0]) =>
  prepareBookingData(db, BENCH_DESKS, WARMUP + MEASURED);
const apiBody = bookingApiBody;
const baselineBody = bookingBaselineBody;

// ---------------------------------------------------------------- load

/** Sends each body once, `CONNECTIONS` at a time; exactly one request per body. */
async function runBodies(label: string, origin: string, urlPath: string, bodies: string[]): Promise<Figures> {
  const r = await load({
    origin,
    path: urlPath,
    connections: CONNECTIONS,
    amount: bodies.length,
    body: (i) => bodies[i] ?? bodies.at(-1)!,
    expect: 201,
  });
  return { label, bookings: r.ok, perSecond: r.perSecond, p50: r.p50, p95: r.p95, p99: r.p99, other: r.other };
}

/** A warm-up (JIT, pools, caches) on its own slots, then the measured run. */
async function measure(
  label: string,
  origin: string,
  urlPath: string,
  slots: SlotRef[],
  body: (s: SlotRef, i: number) => string,
): Promise<Figures> {
  const bodies = slots.slice(0, WARMUP + MEASURED).map(body);
  await runBodies(`${label} (warm-up)`, origin, urlPath, bodies.slice(0, WARMUP));
  const figures = await runBodies(label, origin, urlPath, bodies.slice(WARMUP));
  console.log(
    `${label}: ${figures.perSecond.toFixed(0)} bookings/s, p50 ${figures.p50.toFixed(1)} ms, p95 ${figures.p95.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms${figures.other ? ` (also ${figures.other})` : ''}`,
  );
  return figures;
}

// ---------------------------------------------------------------- runs

async function runEmbedded(): Promise<Figures> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'qubi-bench-'));
  try {
    const target: DatabaseTarget = { kind: 'pglite', dataDir: path.join(dataDir, 'pgdata') };
    const db = await openDatabase(target);
    const slots = await prepareData(db);
    await db.destroy(); // one process at a time may open the embedded database
    const server = await startServer({ DATA_DIR: dataDir, ...NO_LIMITS });
    try {
      return await measure('API, embedded PGlite', server.origin, '/api/v1/bookings', slots, apiBody);
    } finally {
      await server.stop();
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function runPostgres(baseUrl: string): Promise<Figures[]> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const db = await openDatabase({ kind: 'postgres', url: baseUrl, searchPath: schema, poolSize: 2 });
  try {
    const slots = await prepareData(db);
    const results: Figures[] = [];
    const server = await startServer({ DATABASE_URL: url.toString(), ...NO_LIMITS });
    try {
      results.push(await measure('API, PostgreSQL', server.origin, '/api/v1/bookings', slots, apiBody));
    } finally {
      await server.stop();
    }
    // Same slots, free again, for the baseline.
    await sql`TRUNCATE outbox, booking, booking_slot, rate_limit`.execute(db);
    const baseline = await startBaseline(url.toString());
    try {
      results.push(await measure('bare node:http + pg, PostgreSQL', baseline.origin, '/', slots, baselineBody));
    } finally {
      await baseline.stop();
    }
    return results;
  } finally {
    await db.destroy();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

// ---------------------------------------------------------------- report

function report(results: Figures[], pgUrl: string | undefined): string {
  const cpu = os.cpus();
  const row = (f: Figures) =>
    `| ${f.label} | ${f.bookings} | ${f.perSecond.toFixed(0)} | ${f.p50.toFixed(1)} | ${f.p95.toFixed(1)} | ${f.p99.toFixed(1)} | ${f.other || '–'} |`;
  const api = results.find((r) => r.label === 'API, PostgreSQL');
  const bare = results.find((r) => r.label.startsWith('bare'));
  const lines = [
    '## Booking',
    '',
    `Measured by \`npm run bench:booking${pgUrl ? ' -- --pg' : ''}\` on ${new Date().toISOString().slice(0, 10)}: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, Node ${process.version}; server, database and load generator on the same machine.`,
    `Each run books ${MEASURED.toLocaleString('en')} distinct slots (after ${WARMUP} warm-up bookings) with ${CONNECTIONS} concurrent clients, one request per slot; latencies in milliseconds. One run each: compare figures measured on the same machine only.`,
    '',
    '| run | bookings | bookings/s | p50 | p95 | p99 | other answers |',
    '|---|---:|---:|---:|---:|---:|---|',
    ...results.map(row),
    '',
  ];
  if (api && bare) {
    lines.push(
      `The API books at ${((api.perSecond / bare.perSecond) * 100).toFixed(0)} % of the bare server's rate (${(bare.perSecond / api.perSecond).toFixed(1)}× slower). The bare server runs only the booking transaction (5 statements: begin, slot counter, guarded update, booking row, commit); an API booking without email runs 2 statements (one rate-limit upsert for both of its limits, one on the row shared by every request from the same address; then one statement that takes a place in the slot counter and inserts the booking row only if it got one, atomic on its own), plus on PostgreSQL the NOTIFY that invalidates the other processes' caches; the desk, its hours and exceptions come from the per-process copy (src/features/booking/desk-cache.ts), and the submission key is looked up only when its UNIQUE refuses a repeat. Around them, the framework parses and validates the request, checks the slot against the opening hours, closures and holidays, and invalidates the desk's cached slots.`,
      '',
    );
  } else {
    lines.push(
      'The baseline (a bare node:http + pg server doing only the booking transaction) needs PostgreSQL: run `npm run bench:booking -- --pg`.',
      '',
    );
  }
  return lines.join('\n');
}

/** Replaces the "## Booking" section of docs/performance.md (or adds it), keeping the others. */
const writeSection = (section: string) => writeDocSection(section, { heading: 'Booking' });

if (process.argv[2] === '--baseline-server') {
  await serveBaseline(process.argv[3]!);
} else {
  const pgUrl = pgUrlFromArgs();
  const results = [await runEmbedded()];
  if (pgUrl) results.push(...(await runPostgres(pgUrl)));
  writeSection(report(results, pgUrl));
}
