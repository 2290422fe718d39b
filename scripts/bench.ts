// `npm run bench [-- --pg]`: requests per second and latency percentiles of the built site, each
// target beside a bare baseline measured in the same run, and the cold start.
//
// For each database (embedded PGlite; PostgreSQL with --pg or DATABASE_URL, default
// postgres://postgres@127.0.0.1:5432/test, in a fresh schema dropped afterwards):
// 1. A fresh database gets the seed, bench desks open every day (many distinct slots) and a pledge
//    item whose target is raised to 1,000,000,000; the built server (`node scripts/start.ts`, PORT=0,
//    rate limits raised, FORM_MIN_FILL_SECONDS=0) serves a page without data (kept whole by the
//    front cache), two cached live pages (desks, events), the slots API, booking POSTs (a distinct
//    slot each), a booking and an event sign-up each with its code (its SMS through an SMPP centre
//    in this process, or with --sms-files as files), and pledge POSTs (1 of the item each).
// 2. Beside it, a bare node:http server (child process) on the same data: the pages' exact bytes,
//    and the same booking / pledge transactions (node:http + pg, or node:http + PGlite on a copy of
//    the embedded database made before the site started).
// 3. Both run at once and each target is loaded with wrk (scripts/bench-lib.ts), site and bare in
//    PAIRS interleaved pairs (site first, then bare first, …); the row gives the median pair's
//    ratio. A bare server slower than the site means the machine, not the site, set the pace: the
//    row says "not measured".
// 4. Cold start: `npm start` on the built tree to the first 200 of /it/, on empty data (migrations and
//    seed), then again after a restart with that data; COLD_STARTS times each, the median.
// `--only=<word>` measures only the targets whose name holds the word (e.g. --only=booking), leaves
// out the cold start and prints without writing docs/performance.md: for looking into one target;
// `--pg-only` skips the embedded database.
// Writes the figures to docs/performance.md, between the "bench" markers. A benchmark, not a test.
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile, readFile } from 'node:fs/promises';
import { sql, type Kysely } from 'kysely';
import pg from 'pg';
import { openDatabase, type DatabaseTarget } from '#/server/db/connection.ts';
import type { Database } from '#/server/db/database.ts';
import { insertUnderFreshReference } from '#/features/booking/reference.ts';
import { startServer } from '../tests/support/server.ts';
import { THROWAWAY_APP_SECRET } from '#/server/config.ts';
import type { Readable } from 'node:stream';
import {
  CodeInbox,
  followSmsFiles,
  startSmsCentre,
  clientAddress,
  confirmTransaction,
  holdTransaction,
  sequenceLoad,
  signUpConfirmTransaction,
  signUpHoldTransaction,
} from './bench-verified.ts';
import {
  NO_LIMITS,
  POOL_SIZE,
  Conflict,
  bookingApiBody,
  bookingBaselineBody,
  pgTransaction,
  pgUrlFromArgs,
  phone,
  prepareBookingData,
  percentile,
  postgresCpuMs,
  postgresServerPid,
  processCpuMs,
  requireWrk,
  settle,
  startChildServer,
  writeDocSection,
  wrkLoad,
  type LoadResult,
  type Query,
  type SlotRef,
} from './bench-lib.ts';

// 5 s, not 2: the site now runs with V8's default flags (startServer's v8Defaults), and PGlite's WebAssembly takes a few
// seconds to be recompiled by TurboFan; with 2 s the first pair measured that compilation (benchcpu).
const WARMUP_SECONDS = 5;
const SECONDS = 5;
const PAIRS = 3;
const COLD_STARTS = 3;
const READ_CONNECTIONS = 10;
const WRITE_CONNECTIONS = 10;
// Families booking with their code at once: each waits for its SMS between its two requests (the
// worker sends it a moment after the hold commits), so more are in flight than single writes need
// for the server, not the wait, to set the pace. Both sides get the same number.
const SEQUENCE_CONNECTIONS = 50;
// × 18 slots a day × ~59 bookable days ≈ 106,000 slots: more than every run of both servers books.
const BENCH_DESKS = 100;
const PLEDGE_TARGET = 1_000_000_000;
// Each write comes from its own client address (X-Forwarded-For, believed from 127.0.0.1 only), as
// families' requests do behind the Comune's proxy; see bench-verified.ts.
const SERVER_ENV = {
  ...NO_LIMITS,
  FORM_MIN_FILL_SECONDS: '0',
  TRUSTED_PROXIES: '127.0.0.1',
  SMS_DAILY_LIMIT: '10000000',
  HOLDS_PER_CLIENT: '1000000000',
  // The SMS centre of the bench answers at once (startSmsCentre); a provider's pace is not what is
  // measured here.
  SMS_TPS: '1000',
};
// The bare server's secret for the codes' HMAC (the site uses its own server secret).
const BARE_SECRET = randomBytes(32).toString('hex');

const READS = [
  // Since 68ff512 not prerendered: a live page with no data (its dates come from the configuration).
  { name: 'page without data (/it/chi-siamo)', path: '/it/chi-siamo' },
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
  /** One per pair, in the order measured. */
  site: LoadResult[];
  bare: LoadResult[];
}

/** The event families sign up for (issue #13): published, 100,000 seats, a month ahead. */
interface EventTarget {
  id: number;
  slug: string;
}

interface BaselineConfig {
  db: { kind: 'pg'; url: string } | { kind: 'pglite'; dataDir: string };
  pages: Record<string, { type: string; body: string }>;
  pledge: PledgeTarget;
  event: EventTarget;
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
    // PGlite runs one statement at a time in this process, as it does in the site's. The bare server
    // uses the driver as it comes (PGlite's own query, as pg's on PostgreSQL above): the site's named
    // prepared statements (src/server/db/pglite-prepared.ts) are the site's own work, so the bare
    // baseline stays what it was before them.
    const { PGlite } = await import('@electric-sql/pglite');
    const DATE_OID = 1082;
    const pglite = await PGlite.create(config.db.dataDir, { parsers: { [DATE_OID]: (value: string) => value } });
    transaction = (work) =>
      pglite.transaction(async (tx) => {
        const query: Query = async (text, params = []) => {
          const r = await tx.query<Record<string, unknown>>(text, params);
          return { rows: r.rows, rowCount: r.rows.length || Number(r.affectedRows ?? 0) };
        };
        return work(query);
      });
    close = () => pglite.close();
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
        // A booking is a pending hold with its code's hash since issue #12 (the site's first write).
        if (req.url === '/bookings')
          body = JSON.stringify(await transaction((query) => holdTransaction(query, b, BARE_SECRET)));
        else if (req.url === '/holds')
          body = JSON.stringify(await transaction((query) => holdTransaction(query, b, BARE_SECRET)));
        else if (req.url === '/confirm')
          body = JSON.stringify(
            await transaction((query) =>
              confirmTransaction(query, b as unknown as { bookingId: number; code: string }, BARE_SECRET),
            ),
          );
        else if (req.url === '/signups')
          body = JSON.stringify(
            await transaction((query) =>
              signUpHoldTransaction(query, { eventId: config.event.id, phone: b.phone }, BARE_SECRET),
            ),
          );
        else if (req.url === '/signup-confirm')
          body = JSON.stringify(
            await transaction((query) =>
              signUpConfirmTransaction(query, b as unknown as { registrationId: number; code: string }, BARE_SECRET),
            ),
          );
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
  // A reference already taken is drawn again, as the site does (a unique violation was a 500 here).
  const row = await insertUnderFreshReference(
    'ZS',
    async (reference) =>
      (
        await query(
          `INSERT INTO pledge (reference, campaign_id, collection_window_id, first_name, phone, locale) VALUES ($1, $2, $3, 'Bench', $4, 'it') ON CONFLICT (reference) DO NOTHING RETURNING id, reference`,
          [reference, p.campaignId, p.windowId, phoneNumber],
        )
      ).rows[0],
  );
  await query('INSERT INTO pledge_item (pledge_id, campaign_item_id, quantity) VALUES ($1, $2, 1)', [row.id, p.itemId]);
  return { reference: String(row.reference) };
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

async function prepareEvent(db: Kysely<Database>): Promise<EventTarget> {
  const title = JSON.stringify({ it: 'Festa (bench)' });
  const row = await db
    .insertInto('event')
    .values({
      slug: 'bench-festa',
      municipio_id: 8,
      title,
      summary: title,
      description: title,
      venue: 'Spazio QuBì',
      address: 'Via Esempio 1, Milano',
      starts_at: new Date(Date.now() + 30 * 86_400_000),
      status: 'published',
      seats: 100_000,
    })
    .returning(['id', 'slug'])
    .executeTakeFirstOrThrow();
  return row;
}

async function prepare(db: Kysely<Database>): Promise<{ slots: SlotRef[]; pledge: PledgeTarget; event: EventTarget }> {
  const slots = await prepareBookingData(db, BENCH_DESKS, 20_000);
  return { slots, pledge: await preparePledge(db), event: await prepareEvent(db) };
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

// ---------------------------------------------------------------- load

/** Which bodies the next write run may use: distinct slots and phones across every run of both servers. */
interface Cursor {
  slot: number;
  pledge: number;
  signUp: number;
}

// More bodies than the fastest server sends in a run (the unused ones are not counted as used).
const MAX_WRITES_PER_SECOND = 5000;

interface Target {
  name: string;
  kind: Row['kind'];
  run(origin: string, bare: boolean, seconds: number): Promise<LoadResult>;
}

/** POST with JSON from client address `client`: the status and the parsed answer. */
async function postJson(
  url: string,
  body: string,
  client: string,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', 'X-Forwarded-For': client },
    body,
  });
  const text = await res.text();
  return { status: res.status, json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** A family's booking with its code: POST the booking, read the code it was sent, POST the code. */
function verifiedBooking(slots: SlotRef[], cursor: Cursor, inbox: CodeInbox): Target {
  return {
    name: 'booking with its code (POST /api/v1/bookings, then POST …/confirm)',
    kind: 'write',
    async run(origin, bare, seconds) {
      // Where a sequence's time goes: the hold's answer, the wait for its code, the confirmation's answer.
      const phases = { hold: [] as number[], code: [] as number[], confirm: [] as number[] };
      const timed = async <T>(list: number[], work: Promise<T>): Promise<T> => {
        const t = performance.now();
        const result = await work;
        list.push(performance.now() - t);
        return result;
      };
      const r = await sequenceLoad({
        connections: SEQUENCE_CONNECTIONS,
        seconds,
        from: cursor.slot,
        available: slots.length,
        expect: 200,
        async sequence(i) {
          const client = clientAddress(i);
          if (bare) {
            const hold = await timed(
              phases.hold,
              postJson(`${origin}/holds`, bookingBaselineBody(slots[i]!, i), client),
            );
            if (hold.status !== 201) return hold.status;
            const body = JSON.stringify({ bookingId: hold.json.bookingId, code: hold.json.code });
            const confirmed = await timed(phases.confirm, postJson(`${origin}/confirm`, body, client));
            return confirmed.status === 201 ? 200 : confirmed.status;
          }
          const hold = await timed(
            phases.hold,
            postJson(`${origin}/api/v1/bookings`, bookingApiBody(slots[i]!, i), client),
          );
          if (hold.status !== 201) return hold.status;
          const code = await timed(phases.code, inbox.codeFor(phone(i).replace(/ /g, '')));
          if (!code) return 'no code' as unknown as number;
          const url = `${origin}/api/v1/bookings/${String(hold.json.reference)}/confirm`;
          return (await timed(phases.confirm, postJson(url, JSON.stringify({ code }), client))).status;
        },
      });
      const p50 = (list: number[]) =>
        percentile(
          [...list].sort((a, b) => a - b),
          50,
        ).toFixed(0);
      if (seconds === SECONDS)
        console.log(
          `    ${bare ? 'bare' : 'site'} phases, p50 in ms: hold ${p50(phases.hold)}${bare ? '' : `, wait for the code ${p50(phases.code)}`}, confirm ${p50(phases.confirm)}`,
        );
      cursor.slot += r.used;
      return r;
    },
  };
}

/**
 * A family's event sign-up with its code (issue #13): POST the party, read the code it was sent,
 * POST the code; against the bare server's two transactions (seats and code hash; code and confirmation).
 */
function verifiedSignUp(event: EventTarget, cursor: Cursor, inbox: CodeInbox): Target {
  return {
    name: 'event sign-up with its code (POST …/registrations, then POST …/confirm)',
    kind: 'write',
    async run(origin, bare, seconds) {
      const r = await sequenceLoad({
        connections: SEQUENCE_CONNECTIONS,
        seconds,
        from: cursor.signUp,
        available: 30_000,
        expect: 200,
        async sequence(i) {
          const client = clientAddress(700_000 + i);
          const number = phone(700_000 + i).replace(/ /g, '');
          if (bare) {
            const hold = await postJson(`${origin}/signups`, JSON.stringify({ phone: number }), client);
            if (hold.status !== 201) return hold.status;
            const body = JSON.stringify({ registrationId: hold.json.registrationId, code: hold.json.code });
            const confirmed = await postJson(`${origin}/signup-confirm`, body, client);
            return confirmed.status === 201 ? 200 : confirmed.status;
          }
          const party = JSON.stringify({ adults: 2, children: ['3-6'], name: 'Bench', phone: number, locale: 'it' });
          const hold = await postJson(`${origin}/api/v1/events/${event.slug}/registrations`, party, client);
          if (hold.status !== 201) return hold.status;
          const code = await inbox.codeFor(number);
          if (!code) return 'no code' as unknown as number;
          const url = `${origin}/api/v1/events/${event.slug}/registrations/${String(hold.json.reference)}/confirm`;
          return (await postJson(url, JSON.stringify({ code }), client)).status;
        },
      });
      cursor.signUp += r.used;
      return r;
    },
  };
}

function targets(
  slots: SlotRef[],
  pledge: PledgeTarget,
  event: EventTarget,
  cursor: Cursor,
  inbox: CodeInbox,
): Target[] {
  const reads: Target[] = READS.map((r) => ({
    name: r.name,
    kind: 'page',
    run: (origin, _bare, seconds) =>
      wrkLoad({ origin, path: r.path, connections: READ_CONNECTIONS, seconds, expect: 200 }),
  }));
  const writes = (
    name: string,
    paths: [string, string],
    field: keyof Cursor,
    body: (i: number, bare: boolean) => string,
    available: number,
  ): Target => ({
    name,
    kind: 'write',
    async run(origin, bare, seconds) {
      const count = Math.min(MAX_WRITES_PER_SECOND * seconds, available - cursor[field]);
      const from = cursor[field];
      const bodies = Array.from({ length: count }, (_, k) => body(from + k, bare));
      const r = await wrkLoad({
        origin,
        path: bare ? paths[1] : paths[0],
        connections: WRITE_CONNECTIONS,
        seconds,
        bodies,
        expect: 201,
      });
      cursor[field] += r.used;
      return r;
    },
  });
  return [
    ...reads,
    writes(
      'booking POST (/api/v1/bookings, a distinct slot each)',
      ['/api/v1/bookings', '/bookings'],
      'slot',
      (i, bare) => (bare ? bookingBaselineBody : bookingApiBody)(slots[i]!, i),
      slots.length,
    ),
    verifiedBooking(slots, cursor, inbox),
    verifiedSignUp(event, cursor, inbox),
    writes(
      'pledge POST (/api/v1/pledges, 1 of one item)',
      ['/api/v1/pledges', '/pledges'],
      'pledge',
      (i, bare) =>
        bare ? JSON.stringify({ phone: phone(500_000 + i).replace(/ /g, '') }) : pledgeApiBody(pledge, 500_000 + i),
      1_000_000,
    ),
  ];
}

const show = (r: LoadResult) =>
  `${r.perSecond.toFixed(0)}/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms, CPU ${r.cpuMsPerOk?.toFixed(2)} ms each${r.databaseCpuMsPerOk === undefined ? '' : ` + PostgreSQL ${r.databaseCpuMsPerOk.toFixed(2)} ms`} + bench ${r.benchCpuMsPerOk?.toFixed(2)} ms, settled in ${((r.settledMs ?? 0) / 1000).toFixed(1)} s${r.other ? ` (also ${r.other})` : ''}`;

/** A server under test: where to send requests, and its process (for its CPU time). */
interface Server {
  origin: string;
  pid: number;
}

/**
 * Each target: a warm-up of both servers, then PAIRS pairs of runs, site first in even pairs and
 * bare first in odd ones, so a change in the machine's load meets both sides alike.
 */
async function measurePairs(
  database: string,
  site: Server,
  bare: Server,
  list: Target[],
  postmaster?: number,
): Promise<Row[]> {
  const rows: Row[] = [];
  // One run, with the CPU time spent meanwhile per expected answer by its server process, by
  // PostgreSQL (only the side being loaded is busy) and by this process, the load generator: the
  // three share the two cores, so each one's share is what the other two cannot use.
  const measure = async (t: Target, server: Server, isBare: boolean, seconds: number): Promise<LoadResult> => {
    const before = processCpuMs(server.pid);
    const databaseBefore = postmaster ? postgresCpuMs(postmaster) : 0;
    const benchBefore = process.cpuUsage();
    const result = await t.run(server.origin, isBare, seconds);
    // What the run left behind (SMS, receipts) is counted with it, and kept out of the next run.
    const settled = await settle(server.pid, postmaster);
    const bench = process.cpuUsage(benchBefore);
    return {
      ...result,
      cpuMsPerOk: (processCpuMs(server.pid) - before) / result.ok,
      benchCpuMsPerOk: (bench.user + bench.system) / 1000 / result.ok,
      ...(postmaster ? { databaseCpuMsPerOk: (postgresCpuMs(postmaster) - databaseBefore) / result.ok } : {}),
      settledMs: settled,
    };
  };
  for (const t of list) {
    await measure(t, site, false, WARMUP_SECONDS);
    await measure(t, bare, true, WARMUP_SECONDS);
    const row: Row = { database, target: t.name, kind: t.kind, site: [], bare: [] };
    for (let pair = 0; pair < PAIRS; pair++) {
      for (const side of pair % 2 === 0 ? (['site', 'bare'] as const) : (['bare', 'site'] as const))
        row[side].push(await measure(t, side === 'site' ? site : bare, side === 'bare', SECONDS));
      const ratio = row.site[pair]!.perSecond / row.bare[pair]!.perSecond;
      console.log(
        `  ${database}, ${t.name}, pair ${pair + 1}: site ${show(row.site[pair]!)}; bare ${show(row.bare[pair]!)}; ${(ratio * 100).toFixed(0)} %`,
      );
    }
    rows.push(row);
  }
  return rows;
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
      SEED_SAMPLES: 'yes',
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

const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;

interface ColdStarts {
  first: number[];
  restart: number[];
}

/** COLD_STARTS times: a start on empty data, then a restart on that data; each in a folder (or schema) of its own. */
async function coldStarts(env: () => Promise<{ env: Record<string, string>; done: () => Promise<void> }>) {
  const figures: ColdStarts = { first: [], restart: [] };
  for (let i = 0; i < COLD_STARTS; i++) {
    const target = await env();
    try {
      figures.first.push(await coldStart(target.env));
      figures.restart.push(await coldStart(target.env));
    } finally {
      await target.done();
    }
    console.log(
      `  cold start: ${figures.first.at(-1)!.toFixed(0)} ms on empty data, ${figures.restart.at(-1)!.toFixed(0)} ms after a restart with data`,
    );
  }
  return figures;
}

// ---------------------------------------------------------------- runs

interface Run {
  rows: Row[];
  cold?: ColdStarts;
}

const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
// How the site's SMS leave it: to an SMS centre over SMPP (SMS_URL), as in production, or, with
// --sms-files, written as files by the transport of development (no SMS_URL), which production
// never uses: creating a file costs 0.35–0.64 ms of CPU on this machine's ext4 (docs/performance.md).
const smsFiles = process.argv.includes('--sms-files');

/** Where the codes the site sends reach the families of the bench (CodeInbox). */
async function startCodeDelivery(): Promise<{
  inbox: CodeInbox;
  env: Record<string, string>;
  follow: (output: Readable) => void;
  stop: () => Promise<void>;
}> {
  const inbox = new CodeInbox();
  if (smsFiles) {
    let unfollow = () => {};
    return {
      inbox,
      env: {},
      follow: (output) => (unfollow = followSmsFiles(output, inbox)),
      stop: async () => unfollow(),
    };
  }
  const centre = await startSmsCentre(inbox);
  return { inbox, env: { SMS_URL: centre.url }, follow: () => {}, stop: centre.stop };
}
const chosen = (list: Target[]) => (only ? list.filter((t) => t.name.includes(only)) : list);

async function runEmbedded(): Promise<Run> {
  console.log('embedded PGlite');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qubi-bench-'));
  try {
    const dataDir = path.join(dir, 'data');
    const target: DatabaseTarget = { kind: 'pglite', dataDir: path.join(dataDir, 'pgdata') };
    const db = await openDatabase(target);
    const { slots, pledge, event } = await prepare(db);
    await db.destroy(); // one process at a time may open an embedded database: the bare server gets a copy
    const bareData = path.join(dir, 'bare-pgdata');
    await cp(target.dataDir, bareData, { recursive: true });
    const codes = await startCodeDelivery();
    const server = await startServer({ DATA_DIR: dataDir, ...SERVER_ENV, ...codes.env }, { v8Defaults: true });
    let rows: Row[];
    try {
      const pages = await fetchPages(server.origin);
      const baseline = await startBaseline({ db: { kind: 'pglite', dataDir: bareData }, pages, pledge, event }, dir);
      try {
        const inbox = codes.inbox;
        codes.follow(server.process.stdout!);
        const list = chosen(targets(slots, pledge, event, { slot: 0, pledge: 0, signUp: 0 }, inbox));
        rows = await measurePairs(
          'embedded PGlite',
          { origin: server.origin, pid: server.process.pid! },
          baseline,
          list,
        );
      } finally {
        await baseline.stop();
      }
    } finally {
      // The SMS centre last: the site's worker may still be sending to it.
      await server.stop();
      await codes.stop();
    }
    if (only) return { rows };
    let n = 0;
    const cold = await coldStarts(async () => {
      const folder = path.join(dir, `cold-${n++}`);
      return { env: { DATA_DIR: folder }, done: () => rm(folder, { recursive: true, force: true }) };
    });
    return { rows, cold };
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
    const rows = await withSchema(baseUrl, async (url, schema) => {
      const db = await openDatabase({ kind: 'postgres', url: baseUrl, searchPath: schema, poolSize: 2 });
      try {
        const { slots, pledge, event } = await prepare(db);
        const codes = await startCodeDelivery();
        const server = await startServer({ DATABASE_URL: url, ...SERVER_ENV, ...codes.env }, { v8Defaults: true });
        try {
          const pages = await fetchPages(server.origin);
          const baseline = await startBaseline({ db: { kind: 'pg', url }, pages, pledge, event }, dir);
          try {
            const inbox = codes.inbox;
            codes.follow(server.process.stdout!);
            const list = chosen(targets(slots, pledge, event, { slot: 0, pledge: 0, signUp: 0 }, inbox));
            return await measurePairs(
              'PostgreSQL',
              { origin: server.origin, pid: server.process.pid! },
              baseline,
              list,
              await postgresServerPid(baseUrl),
            );
          } finally {
            await baseline.stop();
          }
        } finally {
          await server.stop();
          await codes.stop();
        }
      } finally {
        await db.destroy();
      }
    });
    if (only) return { rows };
    let n = 0;
    const cold = await coldStarts(async () => {
      // A schema of its own for each start on empty data, dropped once its restart is measured.
      let release!: () => void;
      let ready!: (value: { env: Record<string, string>; done: () => Promise<void> }) => void;
      const given = new Promise<{ env: Record<string, string>; done: () => Promise<void> }>((r) => (ready = r));
      const finished = withSchema(
        baseUrl,
        (url) =>
          new Promise<void>((r) => {
            release = r;
            ready({ env: { DATA_DIR: path.join(dir, `cold-${n++}`), DATABASE_URL: url }, done: async () => {} });
          }),
      );
      const target = await given;
      return { env: target.env, done: async () => (release(), await finished) };
    });
    return { rows, cold };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- report

const ms = (v: number) => v.toFixed(1);
const pct = (v: number) => `${(v * 100).toFixed(0)} %`;
const ratios = (r: Row) => r.site.map((s, i) => s.perSecond / r.bare[i]!.perSecond);
/** The pair whose ratio is the median one: its figures stand for the row. */
function medianPair(r: Row): number {
  const list = ratios(r);
  const m = median(list);
  return list.indexOf(m);
}
/** A bare server slower than the site measured the machine, not the site. */
const measured = (r: Row) => median(ratios(r)) <= 1;

/** The ratios of the section this run replaces, by target and database, with its first line (date, method). */
function previousRatios(): { said: string; byRow: Map<string, string> } {
  const byRow = new Map<string, string>();
  const doc = existsSync(DOC) ? readFileSync(DOC, 'utf8') : '';
  const a = doc.indexOf('<!-- begin bench -->');
  const b = doc.indexOf('<!-- end bench -->');
  const section = a === -1 || b === -1 ? '' : doc.slice(a, b);
  const said = /Measured by (`[^`]+`) on (\d{4}-\d{2}-\d{2})/.exec(section);
  const table = section.split('\n').filter((l) => l.startsWith('|'));
  const header = table[0]?.split('|').map((c) => c.trim()) ?? [];
  const column = header.findIndex((c) => c === 'site / bare' || c === 'median site / bare');
  for (const line of table.slice(2)) {
    const cells = line.split('|').map((c) => c.trim());
    if (column > 0 && cells[column]) byRow.set(`${cells[1]}|${cells[2]}`, cells[column]!);
  }
  const method = section.includes('autocannon') ? 'autocannon, one run each' : 'wrk, median of pairs';
  return { said: said ? `${said[2]}, ${method}` : 'the previous run', byRow };
}

const DOC = 'docs/performance.md';

function report(runs: Run[], pgUrl: string | undefined): string {
  const cpu = os.cpus();
  const all = runs.flatMap((r) => r.rows);
  const before = previousRatios();
  const row = (r: Row) => {
    const i = medianPair(r);
    const site = r.site[i]!;
    const bare = r.bare[i]!;
    const spread = ratios(r)
      .map((v) => pct(v).replace(' %', ''))
      .join(', ');
    const other = [
      ...r.site.map((x) => x.other && `site ${x.other}`),
      ...r.bare.map((x) => x.other && `bare ${x.other}`),
    ]
      .filter(Boolean)
      .join('; ');
    return `| ${r.target} | ${r.database} | ${site.perSecond.toFixed(0)} | ${ms(site.p50)} | ${ms(site.p99)} | ${bare.perSecond.toFixed(0)} | ${ms(bare.p50)} | ${ms(bare.p99)} | ${measured(r) ? `**${pct(median(ratios(r)))}**` : 'not measured'} | ${spread} % | ${before.byRow.get(`${r.target}|${r.database}`)?.replace(/\*/g, '') ?? '–'} | ${other || '–'} |`;
  };
  const aim = (kind: Row['kind'], label: string) => {
    const rs = all.filter((r) => r.kind === kind && !(kind === 'page' && r.target.startsWith('prerendered')));
    const missed = rs.filter((r) => measured(r) && median(ratios(r)) < 0.5);
    const unmeasured = rs.filter((r) => !measured(r));
    return `${label}: ${missed.length === 0 ? 'met' : `**not met** for ${missed.map((r) => `${r.target.replace(/ \(.*\)$/, '')} on ${r.database} (${pct(median(ratios(r)))})`).join(', ')}`}${unmeasured.length ? ` (not measured: ${unmeasured.map((r) => `${r.target.replace(/ \(.*\)$/, '')} on ${r.database}`).join(', ')})` : ''}.`;
  };
  const cold = (values: number[]) =>
    `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
  return [
    '## Pages, API and writes',
    '',
    `Measured by \`npm run bench${pgUrl ? ' -- --pg' : ''}\` on ${new Date().toISOString().slice(0, 10)}: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, Node ${process.version}; the built server (\`node scripts/start.ts\`, NODE_ENV=production, rate limits raised), the database and the load generator, wrk (one thread), share the same ${cpu.length} cores; the machine's load average was ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(', ')} at the end (other work ran beside it).`,
    `The site and its baseline run side by side on the same data: a bare node:http server returning the same bytes (pages), or doing the same SQL transaction (writes: node:http + pg on PostgreSQL, node:http + PGlite in one process on a copy of the embedded database). Each target: ${WARMUP_SECONDS} s of warm-up on each, then ${PAIRS} pairs of ${SECONDS} s runs, site and bare interleaved (site first, then bare first, …), each run followed by a wait until its server and PostgreSQL are quiet (under a tenth of a core over 250 ms, at most 10 s: the SMS still going out, their receipts a second later), whose CPU is counted with the run, ${READ_CONNECTIONS} connections for reads and ${WRITE_CONNECTIONS} for writes; the booking with its code is a sequence (POST the booking, wait for the code's SMS, POST the code; ${smsFiles ? 'the SMS written as files by the development transport' : 'the SMS submitted over SMPP to an SMS centre in the load generator, which sends a delivery receipt a second later, as in production'}) driven from Node by ${SEQUENCE_CONNECTIONS} families at once, counted by sequences that ended confirmed, against the bare server's two transactions (the hold with its code's hash; the code checked and the hold confirmed), which answers the code in its first response; the event sign-up with its code is the same sequence for a party of three (two adults, a child of 3–6) on one event of 100,000 seats (POST …/registrations, the code, POST …/confirm), against the bare server's two transactions (the guarded seat counter, the pending sign-up and its code's hash; the code checked and the sign-up confirmed). Each write comes from its own client address (X-Forwarded-For through TRUSTED_PROXIES=127.0.0.1). requests/s counts answers with the expected status (200, or 201 for writes); latencies in milliseconds; the figures shown are the pair with the median ratio, and "pairs" gives all ${PAIRS} ratios (their spread is the noise of this run). A row whose bare server was slower than the site says "not measured". Bookings go to distinct slots of ${BENCH_DESKS} bench desks; pledges are 1 of one item whose target is raised to ${PLEDGE_TARGET.toLocaleString('en')}. "Before" is the ratio of the run this one replaced: ${before.said}.`,
    '',
    '| target | database | req/s | p50 | p99 | bare req/s | bare p50 | bare p99 | median site / bare | pairs | before | other answers |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---|',
    ...all.map(row),
    '',
    `Aims (site ≥ 50 % of the bare rate). ${aim('page', 'Cached pages and the slots API')} ${aim('write', 'Writes')}`,
    pgUrl ? '' : '\nPostgreSQL figures need `npm run bench -- --pg`.',
    '',
    "Where the time goes (a `--cpu-prof` look at the server, embedded database): cached pages, the slots API and prerendered files are answered by the front cache (src/server/cache/front-cache.ts) in the node:http layer, from memory with their brotli and gzip variants computed once, before the adapter runs: what is left against the bare server is the lookup, the security headers and the Accept-Encoding choice. (Before it, a fifth of the samples went to the adapter's `fs.stat` of a static file for every request, and the rest to Astro's route cache rebuilding a web-stream `Response`: 10–13 % of the bare rate.) On writes, a booking without email runs 2 statements against the bare server's 5 (one upsert for its rate limits; one statement taking the place and inserting the booking; desk, hours and exceptions from the per-process copy in src/features/booking/desk-cache.ts) and a pledge of one item without email 2 (one rate-limit upsert; one statement that raises the item counter if the window is open and inserts the pledge and its line), plus on PostgreSQL the NOTIFY of the cache invalidation (one at a time per process, carrying the tags of every write that finished meanwhile: src/server/cache/cache-bus.ts); on the embedded database about half of the samples are PGlite itself (its WebAssembly), in the server's process and on its thread, so every extra statement costs the server directly.",
    '',
    '## Cold start',
    '',
    `From spawning \`npm start\` (its build check included) on a built tree to the first 200 of \`/it/\`, NODE_ENV=production: first on empty data (migrations and seed run), then after stopping it and starting again on that data. ${COLD_STARTS} times each, on fresh data each time: the median (lowest–highest), in milliseconds.`,
    '',
    '| database | first start, empty data (ms) | restart with data (ms) |',
    '|---|---:|---:|',
    ...runs.map((r, i) =>
      r.cold
        ? `| ${i === 0 ? 'embedded PGlite' : 'PostgreSQL'} | ${cold(r.cold.first)} | ${cold(r.cold.restart)} |`
        : '',
    ),
    '',
  ].join('\n');
}

if (process.argv[2] === '--baseline-server') {
  await serveBaseline(process.argv[3]!);
} else {
  requireWrk();
  const pgUrl = pgUrlFromArgs();
  const started = performance.now();
  const runs = process.argv.includes('--pg-only') ? [] : [await runEmbedded()];
  if (pgUrl) runs.push(await runPostgres(pgUrl));
  if (only) console.log('--only: docs/performance.md left as it is');
  else writeDocSection(report(runs, pgUrl), { markers: 'bench' });
  console.log(`done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
  // fetch's keep-alive sockets to the stopped servers would otherwise keep the process alive.
  process.exit(0);
}
