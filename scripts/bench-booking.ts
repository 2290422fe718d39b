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
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { openDatabase, type DatabaseTarget } from '../src/lib/server/db/connection.ts';
import type { Database } from '../src/lib/server/db/database.ts';
import { listDesks } from '../src/lib/server/desks.ts';
import { listDeskSlots } from '../src/lib/server/bookings.ts';
import { generateReference } from '../src/lib/booking/reference.ts';
import { addDays } from '../src/lib/booking/slots.ts';
import { romeDateString, toRomeIso } from '../src/lib/time.ts';
import { migrateAndSeed } from './prepare-database.ts';
import { startServer } from '../tests/support/server.ts';

const MEASURED = 10_000;
const WARMUP = 300;
const CONNECTIONS = 50;
const BENCH_DESKS = 14; // × 18 slots a day × ~50 bookable days ≈ 12,600 slots
const POOL_SIZE = 10; // the server's default pool (src/lib/server/db/connection.ts)
const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
// High enough that the shared per-IP limit never refuses: all clients here come from 127.0.0.1.
const NO_LIMITS = { RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '1000000000', RATE_LIMIT_BOOKINGS_PER_CONTACT_PER_DAY: '1000000000' };

interface SlotRef {
  deskId: number;
  deskSlug: string;
  start: Date;
  end: Date;
}

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
      const b = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { deskId: number; start: string; end: string; phone: string };
      const client = await pool.connect();
      let status = 201;
      let body = '';
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO booking_slot (desk_id, starts_at, ends_at, capacity) VALUES ($1, $2, $3, 1) ON CONFLICT (desk_id, starts_at) DO NOTHING', [b.deskId, b.start, b.end]);
        const slot = await client.query<{ id: number }>('UPDATE booking_slot SET booked = booked + 1 WHERE desk_id = $1 AND starts_at = $2 AND booked < capacity RETURNING id', [b.deskId, b.start]);
        if (slot.rowCount === 0) {
          await client.query('ROLLBACK');
          status = 409;
        } else {
          const reference = generateReference();
          await client.query(
            `INSERT INTO booking (reference, desk_id, slot_id, starts_at, ends_at, first_name, phone, locale, source) VALUES ($1, $2, $3, $4, $5, 'Bench', $6, 'it', 'api')`,
            [reference, b.deskId, slot.rows[0]!.id, b.start, b.end, b.phone],
          );
          await client.query('COMMIT');
          body = JSON.stringify({ reference });
        }
      } catch {
        await client.query('ROLLBACK').catch(() => {});
        status = 500;
      } finally {
        client.release();
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

async function startBaseline(url: string): Promise<{ origin: string; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [import.meta.filename, '--baseline-server', url], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const port = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /baseline listening on (\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`baseline server exited:\n${out}`)));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// ---------------------------------------------------------------- data

/** Seed data plus desks open every day 09:00–18:00 in 30-minute slots (a desk's usual day), one place each. */
async function prepareData(db: Kysely<Database>): Promise<SlotRef[]> {
  await migrateAndSeed(db, { seedIfEmpty: true });
  for (let i = 0; i < BENCH_DESKS; i++) {
    const desk = await db
      .insertInto('desk')
      .values({ slug: `bench-${i}`, municipio_id: 8, name: `Bench desk ${i}`, area: 'Bench', address: 'Via Esempio 1, Milano', phone: '02 0000 0000', services: ['orientation'], slot_minutes: 30, capacity_per_slot: 1, is_sample_address: true })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('desk_opening_hours')
      .values([1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ desk_id: desk.id, weekday, opens: '09:00', closes: '18:00' })))
      .execute();
  }
  // From tomorrow: no slot may slip inside the minimum notice while the benchmark runs.
  const from = addDays(romeDateString(new Date()), 1);
  const desks = (await listDesks(db)).filter((d) => d.slug.startsWith('bench-'));
  const perDesk = await Promise.all(desks.map(async (d) => (await listDeskSlots(db, d, from, addDays(from, 60))).map((s) => ({ deskId: d.id, deskSlug: d.slug, start: s.start, end: s.end }))));
  // Round robin over the desks, so concurrent requests spread over desks and days as real ones do.
  const slots: SlotRef[] = [];
  for (let i = 0; perDesk.some((list) => i < list.length); i++) for (const list of perDesk) if (list[i]) slots.push(list[i]!);
  if (slots.length < WARMUP + MEASURED) throw new Error(`only ${slots.length} slots; need ${WARMUP + MEASURED}`);
  return slots;
}

const phone = (i: number) => `+39 3${String(100_000_000 + i).slice(-9)}`;

const apiBody = (s: SlotRef, i: number) =>
  JSON.stringify({ desk: s.deskSlug, start: toRomeIso(s.start), name: 'Bench', phone: phone(i), locale: 'it', privacyAccepted: true, submissionKey: `bench-${i}-${randomBytes(4).toString('hex')}` });

const baselineBody = (s: SlotRef, i: number) => JSON.stringify({ deskId: s.deskId, start: s.start.toISOString(), end: s.end.toISOString(), phone: phone(i).replace(/ /g, '') });

// ---------------------------------------------------------------- load

interface AutocannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
}
interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
type Autocannon = (options: { url: string; connections: number; amount: number; requests: AutocannonRequest[] }, done: (error: Error | null) => void) => AutocannonInstance;
// autocannon ships CommonJS without types; this is the part of its API used here.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

/** Sends each body once, `CONNECTIONS` at a time; exactly one request per body. */
async function load(label: string, origin: string, urlPath: string, bodies: string[]): Promise<Figures> {
  let next = 0;
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url: origin,
        connections: CONNECTIONS,
        amount: bodies.length,
        requests: [{ method: 'POST', path: urlPath, headers: { 'content-type': 'application/json' }, setupRequest: (request) => ({ ...request, body: bodies[next++] ?? bodies.at(-1)! }) }],
      },
      (error) => (error ? reject(error) : resolve()),
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      latencies.push(ms);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
  });
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const created = statuses.get(201) ?? 0;
  const other = [...statuses].filter(([s]) => s !== 201).map(([s, n]) => `${n}×${s}`).join(', ');
  return { label, bookings: created, perSecond: created / seconds, p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), other };
}

/** A warm-up (JIT, pools, caches) on its own slots, then the measured run. */
async function measure(label: string, origin: string, urlPath: string, slots: SlotRef[], body: (s: SlotRef, i: number) => string): Promise<Figures> {
  const bodies = slots.slice(0, WARMUP + MEASURED).map(body);
  await load(`${label} (warm-up)`, origin, urlPath, bodies.slice(0, WARMUP));
  const figures = await load(label, origin, urlPath, bodies.slice(WARMUP));
  console.log(`${label}: ${figures.perSecond.toFixed(0)} bookings/s, p50 ${figures.p50.toFixed(1)} ms, p95 ${figures.p95.toFixed(1)} ms, p99 ${figures.p99.toFixed(1)} ms${figures.other ? ` (also ${figures.other})` : ''}`);
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
  const row = (f: Figures) => `| ${f.label} | ${f.bookings} | ${f.perSecond.toFixed(0)} | ${f.p50.toFixed(1)} | ${f.p95.toFixed(1)} | ${f.p99.toFixed(1)} | ${f.other || '–'} |`;
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
      `The API books at ${((api.perSecond / bare.perSecond) * 100).toFixed(0)} % of the bare server's rate (${(bare.perSecond / api.perSecond).toFixed(1)}× slower). The bare server runs only the booking transaction (5 statements: begin, slot counter, guarded update, booking row, commit); an API booking runs about 14 statements, as it also loads the desk and its hours, counts two rate limits (an upsert each, one on the row shared by every request from the same address), looks up its submission key, checks the slot against the opening hours, closures and holidays and draws a free reference; around them, the framework parses and validates the request and invalidates the desk's cached slots.`,
      '',
    );
  } else {
    lines.push('The baseline (a bare node:http + pg server doing only the booking transaction) needs PostgreSQL: run `npm run bench:booking -- --pg`.', '');
  }
  return lines.join('\n');
}

/** Replaces the "## Booking" section of docs/performance.md (or adds it), keeping the others. */
function writeSection(section: string): void {
  const file = 'docs/performance.md';
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Performance\n\nFigures measured by the benchmark scripts; each section is rewritten by its script.\n';
  const start = current.search(/^## Booking\s*$/m);
  let next = start === -1 ? -1 : current.slice(start + 1).search(/^## /m);
  if (next !== -1) next += start + 1;
  const updated = start === -1 ? `${current.trimEnd()}\n\n${section}` : `${current.slice(0, start)}${section}${next === -1 ? '' : `\n${current.slice(next)}`}`;
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, updated.replace(/\n{3,}/g, '\n\n'));
  renameSync(tmp, file);
  console.log(`wrote the Booking section of ${file}`);
}

if (process.argv[2] === '--baseline-server') {
  await serveBaseline(process.argv[3]!);
} else {
  const pgUrl = process.argv.includes('--pg') || process.env.DATABASE_URL ? process.env.DATABASE_URL || DEFAULT_PG_URL : undefined;
  const results = [await runEmbedded()];
  if (pgUrl) results.push(...(await runPostgres(pgUrl)));
  writeSection(report(results, pgUrl));
}
