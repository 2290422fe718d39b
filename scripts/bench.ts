// `npm run bench [-- --pg]`: requests per second and latency percentiles of the built site, each
// target beside a bare baseline measured in the same run, and the cold start.
//
// For each database (embedded PGlite; PostgreSQL with --pg or DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/test, in a fresh schema dropped afterwards):
// 1. A fresh database gets the seed, bench desks open every day (many distinct slots) and a pledge
//    item whose target is raised to 1,000,000,000; the built server (`node scripts/start.ts`, PORT=0,
//    rate limits raised, FORM_MIN_FILL_SECONDS=0) is loaded with autocannon: a prerendered page, two
//    cached live pages (desks, events), the slots API, booking POSTs (a distinct slot each) and
//    pledge POSTs (1 of the item each).
// 2. Then a bare node:http server (child process) on the same database: the pages' exact bytes, and
//    the same booking / pledge transactions (node:http + pg, or node:http + PGlite on the embedded
//    database), with the same load.
// 3. Cold start: `npm start` on the built tree to the first 200 of /it/, on empty data (migrations and
//    seed), then again after a restart with that data.
// Writes the figures to docs/performance.md, between the "bench" markers. A benchmark, not a test.
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import pg from 'pg';
import { openDatabase, type DatabaseTarget } from '#/server/db/connection.ts';
import type { Database } from '#/server/db/database.ts';
import { generateReference } from '#/features/booking/reference.ts';
import { startServer } from '../tests/support/server.ts';
import { THROWAWAY_APP_SECRET } from '#/server/config.ts';
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
  phone,
  prepareBookingData,
  startChildServer,
  writeDocSection,
  type LoadResult,
  type Query,
  type SlotRef,
} from './bench-lib.ts';

const WARMUP_SECONDS = 2;
const SECONDS = 6;
const READ_CONNECTIONS = 10;
const WRITE_CONNECTIONS = 10;
const BENCH_DESKS = 40; // × 18 slots a day × ~50 bookable days: more slots than a run books
const PLEDGE_TARGET = 1_000_000_000;
const SERVER_ENV = { ...NO_LIMITS, FORM_MIN_FILL_SECONDS: '0' };

const READS = [
  { name: 'prerendered page (/it/chi-siamo)', path: '/it/chi-siamo' },
  { name: 'cached live page: desks (/it/sportelli)', path: '/it/sportelli' },
  { name: 'cached live page: events (/it/eventi)', path: '/it/eventi' },
  { name: 'slots API (GET /api/v1/desks/bench-0/slots)', path: '/api/v1/desks/bench-0/slots' },
] as const;

interface PledgeTarget {
  campaign: string;
  campaignId: number;
  item: string;
  itemId: number;
  point: string;
  windowId: number;
}

interface Row {
  database: string;
  target: string;
  kind: 'page' | 'write';
  app: LoadResult;
  bare: LoadResult;
}

interface BaselineConfig {
  db: { kind: 'pg'; url: string } | { kind: 'pglite'; dataDir: string };
  pages: Record<string, { type: string; body: string }>;
  pledge: PledgeTarget;
}

// ---------------------------------------------------------------- the baseline server (child process)

/** Pages' bytes from memory, and the booking and pledge transactions alone. */
async function serveBaseline(configFile: string): Promise<void> {
  const config = JSON.parse(await readFile(configFile, 'utf8')) as BaselineConfig;
  const pages = new Map(
    Object.entries(config.pages).map(([p, v]) => [p, { type: v.type, body: Buffer.from(v.body, 'base64') }]),
  );
  let transaction: <T>(work: (query: Query) => Promise<T>) => Promise<T>;
  let close: () => Promise<void>;
  if (config.db.kind === 'pg') {
    const pool = new pg.Pool({ connectionString: config.db.url, max: POOL_SIZE });
    transaction = (work) => pgTransaction(pool, work);
    close = () => pool.end();
  } else {
    // PGlite runs one statement at a time in this process, as it does in the site's.
    const db = await openDatabase({ kind: 'pglite', dataDir: config.db.dataDir });
    transaction = (work) =>
      db.connection().execute(async (conn) => {
        const query: Query = async (text, params = []) => {
          const r = await conn.executeQuery<Record<string, unknown>>(CompiledQuery.raw(text, params));
          return { rows: r.rows, rowCount: r.rows.length || Number(r.numAffectedRows ?? 0) };
        };
        await query('BEGIN');
        try {
          const result = await work(query);
          await query('COMMIT');
          return result;
        } catch (error) {
          await query('ROLLBACK').catch(() => {});
          throw error;
        }
      });
    close = () => db.destroy();
  }
  const p = config.pledge;
  const server = http.createServer((req, res) => {
    const page = req.method === 'GET' ? pages.get(req.url ?? '') : undefined;
    if (page) {
      res.writeHead(200, { 'Content-Type': page.type, 'Content-Length': page.body.length }).end(page.body);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      let status = 201;
      let body = '';
      try {
        const b = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          deskId: number;
          start: string;
          end: string;
          phone: string;
        };
        if (req.url === '/bookings') body = JSON.stringify(await transaction((query) => bookingTransaction(query, b)));
        else if (req.url === '/pledges')
          body = JSON.stringify(await transaction((query) => pledgeTransaction(query, p, b.phone)));
        else status = 404;
      } catch (error) {
        status = error instanceof Conflict ? 409 : 500;
        if (status === 500) console.error(error);
      }
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(body);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    console.log(`baseline listening on ${typeof address === 'object' && address ? address.port : 0}`);
  });
  process.on('SIGTERM', () => server.close(() => void close().then(() => process.exit(0))));
}

/** The pledge transaction alone: guarded counter, pledge row, its one line (as createPledge, by phone). */
async function pledgeTransaction(query: Query, p: PledgeTarget, phoneNumber: string): Promise<{ reference: string }> {
  const item = await query(
    'UPDATE campaign_item SET pledged = pledged + 1 WHERE id = $1 AND pledged + 1 <= target RETURNING id',
    [p.itemId],
  );
  if (item.rowCount === 0) throw new Conflict();
  const row = await query(
    `INSERT INTO pledge (reference, campaign_id, collection_window_id, first_name, phone, locale) VALUES ($1, $2, $3, 'Bench', $4, 'it') RETURNING id, reference`,
    [generateReference('ZS'), p.campaignId, p.windowId, phoneNumber],
  );
  await query('INSERT INTO pledge_item (pledge_id, campaign_item_id, quantity) VALUES ($1, $2, 1)', [
    row.rows[0]!.id,
    p.itemId,
  ]);
  return { reference: String(row.rows[0]!.reference) };
}

// ---------------------------------------------------------------- data

async function preparePledge(db: Kysely<Database>): Promise<PledgeTarget> {
  const { rows } = await sql<{
    campaign: string;
    campaign_id: number;
    item: string;
    item_id: number;
    point: string;
    window_id: number;
  }>`
    SELECT c.slug AS campaign, c.id AS campaign_id, i.slug AS item, i.id AS item_id, p.slug AS point, w.id AS window_id
    FROM campaign c JOIN campaign_item i ON i.campaign_id = c.id JOIN drop_off_point p ON p.campaign_id = c.id JOIN collection_window w ON w.drop_off_point_id = p.id
    WHERE c.active AND w.ends_at > now() + interval '1 day' ORDER BY c.id, i.position, w.ends_at LIMIT 1`.execute(db);
  const r = rows[0];
  if (!r) throw new Error('no active campaign with a future collection window in the seed');
  await db.updateTable('campaign_item').set({ target: PLEDGE_TARGET }).where('id', '=', r.item_id).execute();
  return {
    campaign: r.campaign,
    campaignId: r.campaign_id,
    item: r.item,
    itemId: r.item_id,
    point: r.point,
    windowId: r.window_id,
  };
}

async function prepare(db: Kysely<Database>): Promise<{ slots: SlotRef[]; pledge: PledgeTarget }> {
  const slots = await prepareBookingData(db, BENCH_DESKS, 20_000);
  return { slots, pledge: await preparePledge(db) };
}

const pledgeApiBody = (p: PledgeTarget, i: number) =>
  JSON.stringify({
    campaign: p.campaign,
    items: [{ item: p.item, quantity: 1 }],
    dropOffPoint: p.point,
    collectionWindow: p.windowId,
    name: 'Bench',
    phone: phone(i),
    locale: 'it',
    privacyAccepted: true,
    submissionKey: `bench-${i}-${randomBytes(4).toString('hex')}`,
  });

const resetWrites = (db: Kysely<Database>) =>
  sql`TRUNCATE outbox, pledge_item, pledge, booking, booking_slot, rate_limit`.execute(db);

// ---------------------------------------------------------------- load

/** A warm-up of WARMUP_SECONDS, then SECONDS measured, on the same target. */
async function timed(
  label: string,
  origin: string,
  urlPath: string,
  options: { connections: number; body?: (i: number) => string; expect: number },
): Promise<LoadResult> {
  await load({ origin, path: urlPath, duration: WARMUP_SECONDS, ...options });
  const r = await load({ origin, path: urlPath, duration: SECONDS, ...options });
  console.log(
    `  ${label}: ${r.perSecond.toFixed(0)}/s, p50 ${r.p50.toFixed(1)} ms, p95 ${r.p95.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms${r.other ? ` (also ${r.other})` : ''}`,
  );
  return r;
}

interface Side {
  reads: LoadResult[];
  bookings: LoadResult;
  pledges: LoadResult;
}

/** Every target against one origin; `paths` maps the site's paths to the origin's. */
async function measureAll(
  label: string,
  origin: string,
  slots: SlotRef[],
  pledge: PledgeTarget,
  bare: boolean,
): Promise<Side> {
  const reads: LoadResult[] = [];
  for (const r of READS)
    reads.push(await timed(`${label}, ${r.name}`, origin, r.path, { connections: READ_CONNECTIONS, expect: 200 }));
  let n = 0;
  const slotBody = bare ? bookingBaselineBody : bookingApiBody;
  const bookings = await timed(`${label}, booking POST`, origin, bare ? '/bookings' : '/api/v1/bookings', {
    connections: WRITE_CONNECTIONS,
    expect: 201,
    body: () => {
      const i = n++;
      return slotBody(slots[i % slots.length]!, i);
    },
  });
  let m = 0;
  const pledges = await timed(`${label}, pledge POST`, origin, bare ? '/pledges' : '/api/v1/pledges', {
    connections: WRITE_CONNECTIONS,
    expect: 201,
    body: () => {
      const i = 500_000 + m++;
      return bare ? JSON.stringify({ phone: phone(i).replace(/ /g, '') }) : pledgeApiBody(pledge, i);
    },
  });
  console.log(`  ${label}: ${n} booking bodies over ${slots.length} slots`);
  return { reads, bookings, pledges };
}

function rows(database: string, app: Side, bare: Side): Row[] {
  return [
    ...READS.map((r, i) => ({
      database,
      target: r.name,
      kind: 'page' as const,
      app: app.reads[i]!,
      bare: bare.reads[i]!,
    })),
    {
      database,
      target: 'booking POST (/api/v1/bookings, a distinct slot each)',
      kind: 'write',
      app: app.bookings,
      bare: bare.bookings,
    },
    {
      database,
      target: 'pledge POST (/api/v1/pledges, 1 of one item)',
      kind: 'write',
      app: app.pledges,
      bare: bare.pledges,
    },
  ];
}

async function fetchPages(origin: string): Promise<BaselineConfig['pages']> {
  const pages: BaselineConfig['pages'] = {};
  for (const r of READS) {
    const res = await fetch(origin + r.path);
    pages[r.path] = {
      type: res.headers.get('content-type') ?? 'text/html',
      body: Buffer.from(await res.arrayBuffer()).toString('base64'),
    };
  }
  return pages;
}

async function startBaseline(config: BaselineConfig, dir: string) {
  const file = path.join(dir, 'baseline.json');
  await writeFile(file, JSON.stringify(config));
  return startChildServer(import.meta.filename, ['--baseline-server', file]);
}

// ---------------------------------------------------------------- cold start

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `npm start` until GET /it/ answers 200, in milliseconds; then SIGTERM and wait for the exit. */
async function coldStart(env: Record<string, string>): Promise<number> {
  const started = performance.now();
  const child = spawn('npm', ['start', '--silent'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      APP_SECRET: THROWAWAY_APP_SECRET,
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: '',
      ...SERVER_ENV,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: npm does not pass SIGTERM on to the server it started, so the whole
    // group is signalled below (a server left running would hold the data for the restart).
    detached: true,
  });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  let done = false;
  void exited.then(() => (done = true));
  try {
    for (;;) {
      if (done) throw new Error(`npm start exited:\n${log}`);
      if (performance.now() - started > 120_000) throw new Error(`no 200 in 120 s:\n${log}`);
      const m = /running at (http:\/\/[^\s]+)/.exec(log);
      if (m) {
        const res = await fetch(`${m[1]!.replace('localhost', '127.0.0.1')}/it/`).catch(() => undefined);
        if (res) await res.arrayBuffer();
        if (res?.status === 200) return performance.now() - started;
      }
      await sleep(10);
    }
  } finally {
    // SIGTERM to npm and the server alike; the server drains and exits. Wait until the group is gone.
    const group = -child.pid!;
    const alive = () => {
      try {
        process.kill(group, 0);
        return true;
      } catch {
        return false;
      }
    };
    if (alive()) process.kill(group, 'SIGTERM');
    for (let waited = 0; alive() && waited < 15_000; waited += 50) await sleep(50);
    if (alive()) process.kill(group, 'SIGKILL');
    await Promise.race([exited, sleep(1000)]);
  }
}

async function coldStarts(env: Record<string, string>): Promise<{ first: number; restart: number }> {
  const first = await coldStart(env);
  const restart = await coldStart(env);
  console.log(`  cold start: ${first.toFixed(0)} ms on empty data, ${restart.toFixed(0)} ms after a restart with data`);
  return { first, restart };
}

// ---------------------------------------------------------------- runs

interface Run {
  rows: Row[];
  cold: { first: number; restart: number };
}

async function runEmbedded(): Promise<Run> {
  console.log('embedded PGlite');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qubi-bench-'));
  try {
    const dataDir = path.join(dir, 'data');
    const target: DatabaseTarget = { kind: 'pglite', dataDir: path.join(dataDir, 'pgdata') };
    let db = await openDatabase(target);
    const { slots, pledge } = await prepare(db);
    await db.destroy(); // one process at a time may open the embedded database
    const server = await startServer({ DATA_DIR: dataDir, ...SERVER_ENV });
    let app: Side;
    let pages: BaselineConfig['pages'];
    try {
      pages = await fetchPages(server.origin);
      app = await measureAll('site', server.origin, slots, pledge, false);
    } finally {
      await server.stop();
    }
    db = await openDatabase(target);
    await resetWrites(db); // the same slots, free again, for the baseline
    await db.destroy();
    const baseline = await startBaseline({ db: { kind: 'pglite', dataDir: target.dataDir }, pages, pledge }, dir);
    let bare: Side;
    try {
      bare = await measureAll('bare', baseline.origin, slots, pledge, true);
    } finally {
      await baseline.stop();
    }
    const cold = await coldStarts({ DATA_DIR: path.join(dir, 'cold') });
    return { rows: rows('embedded PGlite', app, bare), cold };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function withSchema<T>(baseUrl: string, work: (url: string, schema: string) => Promise<T>): Promise<T> {
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  try {
    return await work(url.toString(), schema);
  } finally {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  }
}

async function runPostgres(baseUrl: string): Promise<Run> {
  console.log('PostgreSQL');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qubi-bench-'));
  try {
    const measured = await withSchema(baseUrl, async (url, schema) => {
      const db = await openDatabase({ kind: 'postgres', url: baseUrl, searchPath: schema, poolSize: 2 });
      try {
        const { slots, pledge } = await prepare(db);
        const server = await startServer({ DATABASE_URL: url, ...SERVER_ENV });
        let app: Side;
        let pages: BaselineConfig['pages'];
        try {
          pages = await fetchPages(server.origin);
          app = await measureAll('site', server.origin, slots, pledge, false);
        } finally {
          await server.stop();
        }
        await resetWrites(db);
        const baseline = await startBaseline({ db: { kind: 'pg', url }, pages, pledge }, dir);
        try {
          return rows('PostgreSQL', app, await measureAll('bare', baseline.origin, slots, pledge, true));
        } finally {
          await baseline.stop();
        }
      } finally {
        await db.destroy();
      }
    });
    const cold = await withSchema(baseUrl, (url) =>
      coldStarts({ DATA_DIR: path.join(dir, 'cold'), DATABASE_URL: url }),
    );
    return { rows: measured, cold };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- report

const ms = (v: number) => v.toFixed(1);

function report(runs: Run[], pgUrl: string | undefined): string {
  const cpu = os.cpus();
  const all = runs.flatMap((r) => r.rows);
  const ratio = (r: Row) => r.app.perSecond / r.bare.perSecond;
  const row = (r: Row) =>
    `| ${r.target} | ${r.database} | ${r.app.perSecond.toFixed(0)} | ${ms(r.app.p50)} | ${ms(r.app.p95)} | ${ms(r.app.p99)} | ${r.bare.perSecond.toFixed(0)} | ${ms(r.bare.p50)} | ${ms(r.bare.p95)} | ${ms(r.bare.p99)} | ${(ratio(r) * 100).toFixed(0)} % | ${[r.app.other && `site ${r.app.other}`, r.bare.other && `bare ${r.bare.other}`].filter(Boolean).join('; ') || '–'} |`;
  const aim = (kind: Row['kind'], label: string) => {
    const rs = all.filter((r) => r.kind === kind && !(kind === 'page' && r.target.startsWith('prerendered')));
    const missed = rs.filter((r) => ratio(r) < 0.5);
    return `${label}: ${missed.length === 0 ? 'met' : `**not met** for ${missed.map((r) => `${r.target.replace(/ \(.*\)$/, '')} on ${r.database} (${(ratio(r) * 100).toFixed(0)} %)`).join(', ')}`}.`;
  };
  return [
    '## Pages, API and writes',
    '',
    `Measured by \`npm run bench${pgUrl ? ' -- --pg' : ''}\` on ${new Date().toISOString().slice(0, 10)}: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, Node ${process.version}; the built server (\`node scripts/start.ts\`, NODE_ENV=production, rate limits raised), the database and autocannon share the same ${cpu.length} cores.`,
    `Each target: ${WARMUP_SECONDS} s of warm-up, then ${SECONDS} s measured, with ${READ_CONNECTIONS} connections for reads and ${WRITE_CONNECTIONS} for writes; requests/s counts answers with the expected status (200, or 201 for writes); latencies in milliseconds. Beside each, its baseline measured in the same run on the same data: a bare node:http server returning the same bytes (pages), or doing the same SQL transaction (writes: node:http + pg on PostgreSQL, node:http + PGlite in one process on the embedded database). Bookings go to distinct slots of ${BENCH_DESKS} bench desks; pledges are 1 of one item whose target is raised to ${PLEDGE_TARGET.toLocaleString('en')}. One short run each: compare figures measured on the same machine only; on 2 shared cores the write ratios move by up to 15 points between runs.`,
    '',
    '| target | database | req/s | p50 | p95 | p99 | bare req/s | bare p50 | bare p95 | bare p99 | site / bare | other answers |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...all.map(row),
    '',
    `Aims (site ≥ 50 % of the bare rate). ${aim('page', 'Cached pages and the slots API')} ${aim('write', 'Writes')}`,
    pgUrl ? '' : '\nPostgreSQL figures need `npm run bench -- --pg`.',
    '',
    "Where the time goes (a `--cpu-prof` look at the server, embedded database): cached pages, the slots API and prerendered files are answered by the front cache (src/server/cache/front-cache.ts) in the node:http layer, from memory with their brotli and gzip variants computed once, before the adapter runs: what is left against the bare server is the lookup, the security headers and the Accept-Encoding choice. (Before it, a fifth of the samples went to the adapter's `fs.stat` of a static file for every request, and the rest to Astro's route cache rebuilding a web-stream `Response`: 10–13 % of the bare rate.) On writes, a booking without email runs 2 statements against the bare server's 5 (one upsert for its rate limits; one statement taking the place and inserting the booking; desk, hours and exceptions from the per-process copy in src/server/cache/write-cache.ts) and a pledge of one item without email 2 (one rate-limit upsert; one statement that raises the item counter if the window is open and inserts the pledge and its line), plus on PostgreSQL the NOTIFY of the cache invalidation (one at a time per process, carrying the tags of every write that finished meanwhile: src/server/cache/cache-bus.ts); on the embedded database about half of the samples are PGlite itself (its WebAssembly), in the server's process and on its thread, so every extra statement costs the server directly.",
    '',
    '## Cold start',
    '',
    'From spawning `npm start` (its build check included) on a built tree to the first 200 of `/it/`, NODE_ENV=production: first on empty data (migrations and seed run), then after stopping it and starting again on that data.',
    '',
    '| database | first start, empty data (ms) | restart with data (ms) |',
    '|---|---:|---:|',
    ...runs.map(
      (r, i) =>
        `| ${i === 0 ? 'embedded PGlite' : 'PostgreSQL'} | ${r.cold.first.toFixed(0)} | ${r.cold.restart.toFixed(0)} |`,
    ),
    '',
  ].join('\n');
}

if (process.argv[2] === '--baseline-server') {
  await serveBaseline(process.argv[3]!);
} else {
  const pgUrl = pgUrlFromArgs();
  const started = performance.now();
  const runs = [await runEmbedded()];
  if (pgUrl) runs.push(await runPostgres(pgUrl));
  writeDocSection(report(runs, pgUrl), { markers: 'bench' });
  console.log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  // fetch's keep-alive sockets to the stopped servers would otherwise keep the process alive.
  process.exit(0);
}
