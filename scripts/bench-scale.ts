// `npm run bench:scale [-- --url postgres://… --reseed --requests N --only "<page>"]`: the site at the scale of the
// whole city, on PostgreSQL. Seeds (once; kept in the schema `qubi_scale` for later runs, `--reseed`
// starts over) 9 municipi × 10 desks, 1,000,000 past bookings, 100,000 pledges, 10,000 events and
// 1,000 weekly series with 100,000 sign-ups (scripts/scale-data.ts), then:
// 1. Starts the built server on that schema with the live-page cache off (LIVE_PAGE_CACHE=off), so
//    every request renders from the database, and asks each measured page N times (default 300,
//    after 30 warm-up requests), one request at a time, over different desks, weeks and days: the
//    desk page, a week of slots (the booking page), the slots API, the events list, the campaign page,
//    and a desk's staff agenda (day and week, signed in as a coordinator). The time is from sending
//    the request to the last byte on the loopback interface: server time plus a fraction of a
//    millisecond. Aim: p95 under 20 ms for each. Also the network's figures (issue #15): the
//    dashboard (by month, desk, language, one municipio) and its CSV, from the monthly aggregates the
//    hourly job counts first (its first, full count and a later one are timed). Aim: p95 under 100 ms.
// 2. Runs the same reads in-process through the repository functions the pages call, captures
//    every SQL statement with its time, and runs EXPLAIN (ANALYZE, BUFFERS) on each distinct one:
//    the slowest statements and their plans go to docs/performance.md.
// A benchmark, not a test: it prints and writes figures; it exits 1 when an aim is missed, so a run
// in a script notices.
import os from 'node:os';
import { Kysely, PostgresDialect, sql, type CompiledQuery } from 'kysely';
import pg from 'pg';
import type { Database } from '#/server/db/database.ts';
import { getDeskBySlug, listDesks } from '#/features/desks/desks.ts';
import { listDeskSlots } from '#/features/booking/slot-availability.ts';
import { loadWeek } from '#/features/booking/booking-flow.ts';
import { EVENTS_PER_PAGE, listUpcomingEvents } from '#/features/events/events.ts';
import { listEventsPage, listToReview } from '#/features/events/staff-event-list.ts';
import { getCampaign } from '#/features/campaign/campaigns.ts';
import { agendaRange, listAgenda } from '#/features/agenda/agenda-queries.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { createSession, generateSessionToken } from '#/features/staff-accounts/session.ts';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';
import { countFigures } from '#/features/figures/count-figures.ts';
import { sampleFirstFreeSlots } from '#/features/figures/wait-samples.ts';
import { dashboardView } from '#/features/figures/dashboard-view.ts';
import { getTranslator } from '#/lib/i18n.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import { startServer } from '../tests/support/server.ts';
import { DEFAULT_PG_URL, percentile, writeDocSection } from './bench-lib.ts';
import { SCALE_SCHEMA, openScaleDatabase, scaleSchemaUrl, type ScaleCounts } from './scale-data.ts';

const AIM_MS = 20;
const DASHBOARD_AIM_MS = 100;
const ALL_MUNICIPI = [1, 2, 3, 4, 5, 6, 7, 8, 9];
const WARMUP = 30;

const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
};
const baseUrl = arg('url') ?? process.env.DATABASE_URL ?? DEFAULT_PG_URL;
const requests = Number(arg('requests') ?? 300);
const reseed = process.argv.includes('--reseed');
/** `--only "<page>"`: that page's row only, printed with its size; no statements, docs/ left as they are (a before/after). */
const only = arg('only');

// ---------------------------------------------------------------- data

interface FigureCounts {
  /** The first count after deployment: every month there is. */
  firstMs: number;
  /** An hourly count: the open months only. */
  hourlyMs: number;
  rows: number;
}

async function prepare(): Promise<{
  counts: ScaleCounts;
  cookie: string;
  desks: string[];
  userId: number;
  figures: FigureCounts;
}> {
  const started = performance.now();
  const { db, counts } = await openScaleDatabase(baseUrl, { reseed, log: console.log });
  console.log(`data ready in ${((performance.now() - started) / 1000).toFixed(0)} s:`, counts);
  try {
    // A coordinator of all nine municipi sees every desk's agenda; a fresh session each run.
    const email = 'scala.coordinamento@bench.example.org';
    const existing = await db.selectFrom('app_user').select('id').where('email', '=', email).executeTakeFirst();
    const userId =
      existing?.id ??
      (await createUser(db, {
        email,
        displayName: 'Coordinamento (bench)',
        role: 'coordinator',
        municipi: [1, 2, 3, 4, 5, 6, 7, 8, 9],
      }));
    const token = generateSessionToken();
    await createSession(db, token, userId, { twoFactorVerified: true });
    const desks = (await listDesks(db)).map((d) => d.slug);
    // The dashboard's aggregates as the hourly job keeps them: a first full count, then an hourly one.
    await db.deleteFrom('figure_refresh').execute();
    let counting = performance.now();
    const rows = await countFigures(db);
    const firstMs = performance.now() - counting;
    counting = performance.now();
    await countFigures(db);
    const hourlyMs = performance.now() - counting;
    await sampleFirstFreeSlots(db);
    console.log(`figures counted: first ${firstMs.toFixed(0)} ms (${rows} rows), hourly ${hourlyMs.toFixed(0)} ms`);
    return { counts, cookie: `qubi_session=${token}`, desks, userId, figures: { firstMs, hourlyMs, rows } };
  } finally {
    await db.destroy();
  }
}

// ---------------------------------------------------------------- over HTTP

interface Target {
  name: string;
  /** The i-th request's path: spread over desks, weeks, days and locales. */
  path: (i: number) => string;
  staff?: boolean;
  /** Its own aim, when not AIM_MS. */
  aimMs?: number;
}

const LOCALES = ['it', 'ar', 'en', 'es', 'zh'];

function targets(desks: string[]): Target[] {
  const today = romeDateString(new Date());
  // A coming date of one of the 1,000 scale series (their dates fall Monday to Friday).
  const seriesDate = (i: number) => {
    const n = 1 + ((i * 37) % 1000);
    const day = new Date(`${today}T12:00:00Z`);
    const weekday = day.getUTCDay() || 7;
    const wanted = 1 + (n % 5);
    day.setUTCDate(day.getUTCDate() + ((wanted - weekday + 7) % 7) + 7);
    return `scala-serie-${n}-${day.toISOString().slice(0, 10)}`;
  };
  const desk = (i: number) => desks[(i * 7) % desks.length]!;
  const locale = (i: number) => LOCALES[i % LOCALES.length]!;
  return [
    { name: 'desk page', path: (i) => `/${locale(i)}/sportelli/${desk(i)}` },
    {
      name: 'a week of slots (booking page)',
      path: (i) => `/${locale(i)}/sportelli/${desk(i)}/prenota?settimana=${addDays(today, 7 * (i % 8))}`,
    },
    { name: 'slots API (7 days)', path: (i) => `/api/v1/desks/${desk(i)}/slots?from=${addDays(today, 7 * (i % 8))}` },
    { name: 'events list', path: (i) => `/${locale(i)}/eventi` },
    // One date of a recurring activity (issue #13): its seats, its coming dates, its sign-up link.
    { name: 'event page (a weekly activity)', path: (i) => `/${locale(i)}/eventi/${seriesDate(i)}` },
    // The staff list: each series once, at its next date (coordinator of all nine municipi).
    { name: 'staff events list', path: (i) => `/${i % 2 ? 'en' : 'it'}/staff/eventi`, staff: true },
    { name: 'campaign page', path: (i) => `/${locale(i)}/zaino-sospeso` },
    // Days from a year ago to four weeks ahead: past days are full, coming ones ~40 % booked.
    {
      name: 'staff agenda, day',
      path: (i) => `/it/staff/agenda/${desk(i)}?giorno=${addDays(today, 28 - ((i * 13) % 390))}&vista=giorno`,
      staff: true,
    },
    {
      name: 'staff agenda, week',
      path: (i) => `/it/staff/agenda/${desk(i)}?giorno=${addDays(today, 28 - ((i * 13) % 390))}&vista=settimana`,
      staff: true,
    },
    // The network's figures: nine municipi (as the city), by month over 13 months, then by desk,
    // by language for one municipio, and the CSV by service over two years.
    { name: 'dashboard, by month', path: () => '/it/staff/cruscotto', staff: true, aimMs: DASHBOARD_AIM_MS },
    { name: 'dashboard, by desk', path: () => '/it/staff/cruscotto?per=desk', staff: true, aimMs: DASHBOARD_AIM_MS },
    {
      name: 'dashboard, one municipio by language',
      path: (i) => `/en/staff/cruscotto?municipio=${1 + (i % 9)}&per=locale`,
      staff: true,
      aimMs: DASHBOARD_AIM_MS,
    },
    {
      name: 'dashboard CSV, 2 years by service',
      path: () => `/it/staff/cruscotto.csv?da=${addDays(today, -730).slice(0, 7)}&a=${today.slice(0, 7)}&per=service`,
      staff: true,
      aimMs: DASHBOARD_AIM_MS,
    },
  ];
}

interface Timing {
  name: string;
  aimMs: number;
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  bytes: number;
}

async function measureHttp(origin: string, cookie: string, list: Target[]): Promise<Timing[]> {
  const out: Timing[] = [];
  for (const target of list) {
    const headers: Record<string, string> = { 'accept-encoding': 'gzip, br' };
    if (target.staff) headers.cookie = cookie;
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < WARMUP + requests; i++) {
      const path = target.path(i);
      const started = performance.now();
      const res = await fetch(origin + path, { headers, redirect: 'manual' });
      const body = await res.arrayBuffer();
      const ms = performance.now() - started;
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}`);
      if (i >= WARMUP) {
        times.push(ms);
        bytes += body.byteLength;
      }
    }
    times.sort((a, b) => a - b);
    const row = {
      name: target.name,
      aimMs: target.aimMs ?? AIM_MS,
      count: times.length,
      p50: percentile(times, 50),
      p95: percentile(times, 95),
      p99: percentile(times, 99),
      max: times.at(-1)!,
      bytes: Math.round(bytes / times.length),
    };
    console.log(
      `${row.name.padEnd(34)} p50 ${row.p50.toFixed(1)} ms  p95 ${row.p95.toFixed(1)} ms  p99 ${row.p99.toFixed(1)} ms`,
    );
    out.push(row);
  }
  return out;
}

// ---------------------------------------------------------------- the statements behind the pages

interface Statement {
  page: string;
  sql: string;
  parameters: readonly unknown[];
  ms: number;
}

async function captureStatements(desks: string[], userId: number): Promise<Statement[]> {
  const captured: Statement[] = [];
  let page = '';
  const pool = new pg.Pool({ connectionString: scaleSchemaUrl(baseUrl), max: 4 });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool }),
    log: (event) => {
      if (event.level === 'query')
        captured.push({
          page,
          sql: event.query.sql,
          parameters: event.query.parameters,
          ms: event.queryDurationMillis,
        });
    },
  });
  const today = romeDateString(new Date());
  try {
    for (let i = 0; i < 20; i++) {
      const slug = desks[(i * 7) % desks.length]!;
      page = 'desk page';
      const desk = (await getDeskBySlug(db, slug))!;
      page = 'a week of slots (booking page)';
      await loadWeek(db, desk, addDays(today, 7 * (i % 8)));
      page = 'slots API (7 days)';
      await listDeskSlots(db, desk, addDays(today, 7 * (i % 8)), addDays(today, 7 * (i % 8) + 6));
      page = 'events list';
      await listUpcomingEvents(db, { from: new Date(), limit: EVENTS_PER_PAGE + 1 });
      page = 'staff events list';
      const coordinator: Actor = {
        id: userId,
        role: 'coordinator',
        organisationId: null,
        municipi: ALL_MUNICIPI,
        desks: [],
      };
      // Its first page and what waits for review, as the page reads them.
      await Promise.all([listEventsPage(db, coordinator), listToReview(db, coordinator)]);
      page = 'campaign page';
      await getCampaign(db, 'zaino-sospeso');
      page = 'staff agenda, week';
      const range = agendaRange(addDays(today, 28 - ((i * 13) % 390)), 'settimana');
      await listAgenda(db, desk.id, range.from, range.to);
      page = 'dashboard';
      const actor: Actor = { id: userId, role: 'coordinator', organisationId: null, municipi: ALL_MUNICIPI, desks: [] };
      const by = ['month', 'desk', 'locale', 'service'][i % 4]!;
      await dashboardView(db, actor, new URLSearchParams({ per: by }), 'it', getTranslator('it'));
    }
    // One EXPLAIN ANALYZE per distinct statement (by page and text), its slowest parameters.
    const slowest = new Map<string, Statement>();
    for (const s of captured) {
      const key = `${s.page}\n${s.sql}`;
      if ((slowest.get(key)?.ms ?? -1) < s.ms) slowest.set(key, s);
    }
    const explained: Statement[] = [];
    for (const s of slowest.values()) {
      const { rows } = await sql<{ 'QUERY PLAN': string }>`EXPLAIN (ANALYZE, BUFFERS) ${sql.raw(inline(s))}`.execute(
        db,
      );
      const plan = rows.map((r) => r['QUERY PLAN']);
      const execution = Number(/Execution Time: ([\d.]+)/.exec(plan.join('\n'))?.[1] ?? NaN);
      explained.push({ ...s, ms: execution, sql: `${s.sql}\n\n${plan.join('\n')}` });
    }
    return explained.sort((a, b) => b.ms - a.ms);
  } finally {
    await db.destroy();
  }
}

/** The statement with its parameters written in as literals, for EXPLAIN (which takes no bind parameters here). */
function inline(s: Pick<CompiledQuery, 'sql' | 'parameters'>): string {
  return s.sql.replace(/\$(\d+)/g, (_, n: string) => literal(s.parameters[Number(n) - 1]));
}
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof Date) return `'${value.toISOString()}'::timestamptz`;
  if (Array.isArray(value)) return `ARRAY[${value.map(literal).join(', ')}]`;
  return `'${String(value).replace(/'/g, "''")}'`;
}

// ---------------------------------------------------------------- report

function report(counts: ScaleCounts, timings: Timing[], statements: Statement[], figures: FigureCounts): boolean {
  const cpu = os.cpus();
  const missed = timings.filter((t) => t.p95 >= t.aimMs);
  const fmt = (n: number) => n.toFixed(1);
  const lines = [
    '## Scale',
    '',
    `Measured by \`npm run bench:scale\` on ${new Date().toISOString().slice(0, 10)}: ${cpu.length} × ${cpu[0]?.model.trim() ?? 'CPU'}, Node ${process.version}, PostgreSQL on the same machine. Data (schema \`${SCALE_SCHEMA}\`, seeded by scripts/scale-data.ts): ${counts.desks} desks in 9 municipi, ${counts.pastBookings.toLocaleString('en')} past bookings and ${counts.comingBookings.toLocaleString('en')} in the coming four weeks, ${counts.pledges.toLocaleString('en')} pledges, ${counts.events.toLocaleString('en')} one-off events, ${counts.series.toLocaleString('en')} weekly series (a year of dates each) with ${counts.signUps.toLocaleString('en')} sign-ups.`,
    '',
    `The built server with the live-page cache off (every request reads the database and renders), one request at a time, ${requests} requests per row after ${WARMUP} warm-up ones, spread over desks, weeks, days and the five locales; time from sending the request to the last byte on loopback, in milliseconds; bytes as received after decompression (fetch decompresses: the compressed weights are \`npm run budget -- --scale\`, docs/budget.md). Aim: p95 under ${AIM_MS} ms (the dashboard's rows: under ${DASHBOARD_AIM_MS} ms). Load average when it started: ${os.loadavg()[0]!.toFixed(1)}.`,
    '',
    '| page | p50 | p95 | p99 | max | bytes (uncompressed) |',
    '|---|---:|---:|---:|---:|---:|',
    ...timings.map((t) => `| ${t.name} | ${fmt(t.p50)} | ${fmt(t.p95)} | ${fmt(t.p99)} | ${fmt(t.max)} | ${t.bytes} |`),
    '',
    missed.length
      ? `Aim **not met** for: ${missed.map((t) => `${t.name} (p95 ${fmt(t.p95)} ms)`).join(', ')}.`
      : `Aim met: every page's p95 is under its aim.`,
    '',
    `The dashboard reads figure_month (${figures.rows.toLocaleString('en')} rows), which the hourly job counted first in ${(figures.firstMs / 1000).toFixed(1)} s (every month of the 1 M bookings, once after deployment) and then in ${(figures.hourlyMs / 1000).toFixed(1)} s (the open months only, as every hour).`,
    '',
    '### The statements behind these pages',
    '',
    "Each page's repository functions run in-process 20 times with varied desks and days; every statement is captured and each distinct one is run again under `EXPLAIN (ANALYZE, BUFFERS)` with the parameters that were slowest. Execution times in milliseconds, slowest first:",
    '',
    '| page | statement | execution (ms) |',
    '|---|---|---:|',
    ...statements.map(
      (s) =>
        `| ${s.page} | \`${s.sql.split('\n')[0]!.replace(/\s+/g, ' ').replace(/\|/g, '\\|').slice(0, 110)}…\` | ${s.ms.toFixed(2)} |`,
    ),
    '',
    'Plans of the three slowest:',
    '',
    ...statements.slice(0, 3).flatMap((s) => ['```', s.sql.replace(/\s+\n/g, '\n'), '```', '']),
  ];
  writeDocSection(lines.join('\n'), { markers: 'scale' });
  return missed.length === 0;
}

// ---------------------------------------------------------------- main

const { counts, cookie, desks, userId, figures } = await prepare();
const server = await startServer({ DATABASE_URL: scaleSchemaUrl(baseUrl), LIVE_PAGE_CACHE: 'off', WORKER: 'off' });
let timings: Timing[];
try {
  const list = targets(desks).filter((t) => only === undefined || t.name === only);
  if (list.length === 0) throw new Error(`no page named ${only}`);
  timings = await measureHttp(server.origin, cookie, list);
} finally {
  await server.stop();
}
if (only !== undefined) {
  for (const t of timings) console.log(`${t.name}: ${t.bytes} bytes; load average ${os.loadavg()[0]!.toFixed(1)}`);
  process.exit(0);
}
const statements = await captureStatements(desks, userId);
for (const s of statements.slice(0, 8))
  console.log(`${s.ms.toFixed(2).padStart(8)} ms  ${s.page}: ${s.sql.split('\n')[0]!.slice(0, 100)}`);
const met = report(counts, timings, statements, figures);
process.exit(met ? 0 : 1);
