// Shared by the benchmark scripts (bench-booking.ts, bench.ts): autocannon, percentiles, the bench
// desks and their slots, booking bodies, the bare booking transaction, child servers and the
// sections of docs/performance.md. Not a test helper: nothing here asserts.
import path from 'node:path';
import os from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type pg from 'pg';
import type { Database } from '#/server/db/database.ts';
import { listDesks } from '#/features/desks/desks.ts';
import { listDeskSlots } from '#/features/booking/slot-availability.ts';
import { insertUnderFreshReference } from '#/features/booking/reference.ts';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString, toRomeIso } from '#/lib/time.ts';
import { migrateAndSeed } from './prepare-database.ts';

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/test';
export const POOL_SIZE = 10; // the server's default pool (src/server/db/connection.ts)
// High enough that the shared per-IP limit never refuses: all clients here come from 127.0.0.1.
export const NO_LIMITS = {
  RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '1000000000',
  RATE_LIMIT_BOOKINGS_PER_CONTACT_PER_DAY: '1000000000',
};

/** The PostgreSQL URL of this run: --pg or DATABASE_URL, else none (embedded database only). */
export const pgUrlFromArgs = (): string | undefined =>
  process.argv.includes('--pg') || process.env.DATABASE_URL ? process.env.DATABASE_URL || DEFAULT_PG_URL : undefined;

export interface SlotRef {
  deskId: number;
  deskSlug: string;
  start: Date;
  end: Date;
}

// ---------------------------------------------------------------- data

/**
 * Seed data plus `desks` desks open every day 09:00–18:00 in 30-minute slots (a desk's usual day),
 * one place each; returns their free slots from tomorrow, round robin over the desks.
 */
export async function prepareBookingData(db: Kysely<Database>, desks: number, needed: number): Promise<SlotRef[]> {
  await migrateAndSeed(db, { seedIfEmpty: true });
  for (let i = 0; i < desks; i++) {
    const desk = await db
      .insertInto('desk')
      .values({
        slug: `bench-${i}`,
        municipio_id: 8,
        name: `Bench desk ${i}`,
        area: 'Bench',
        address: 'Via Esempio 1, Milano',
        phone: '02 0000 0000',
        services: ['orientation'],
        slot_minutes: 30,
        capacity_per_slot: 1,
        is_sample_address: true,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('desk_opening_hours')
      .values([1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ desk_id: desk.id, weekday, opens: '09:00', closes: '18:00' })))
      .execute();
  }
  // From tomorrow: no slot may slip inside the minimum notice while the benchmark runs.
  const from = addDays(romeDateString(new Date()), 1);
  const benchDesks = (await listDesks(db)).filter((d) => d.slug.startsWith('bench-'));
  // One desk at a time: queued all at once on a small pool, the last ones waited past the pool's
  // connection timeout on a busy machine.
  const perDesk: SlotRef[][] = [];
  for (const d of benchDesks)
    perDesk.push(
      (await listDeskSlots(db, d, from, addDays(from, 60))).map((s) => ({
        deskId: d.id,
        deskSlug: d.slug,
        start: s.start,
        end: s.end,
      })),
    );
  // Round robin over the desks, so concurrent requests spread over desks and days as real ones do.
  const slots: SlotRef[] = [];
  for (let i = 0; perDesk.some((list) => i < list.length); i++)
    for (const list of perDesk) if (list[i]) slots.push(list[i]!);
  if (slots.length < needed) throw new Error(`only ${slots.length} slots; need ${needed}`);
  return slots;
}

export const phone = (i: number) => `+39 3${String(100_000_000 + i).slice(-9)}`;

/** A POST /api/v1/bookings body for one slot. */
export const bookingApiBody = (s: SlotRef, i: number) =>
  JSON.stringify({
    desk: s.deskSlug,
    start: toRomeIso(s.start),
    name: 'Bench',
    phone: phone(i),
    locale: 'it',
    privacyAccepted: true,
    submissionKey: `bench-${i}-${randomBytes(4).toString('hex')}`,
  });

/** The body the bare booking server takes (see bookingTransaction). */
export const bookingBaselineBody = (s: SlotRef, i: number) =>
  JSON.stringify({
    deskId: s.deskId,
    start: s.start.toISOString(),
    end: s.end.toISOString(),
    phone: phone(i).replace(/ /g, ''),
  });

// ---------------------------------------------------------------- bare transactions

export type Query = (
  text: string,
  params?: unknown[],
) => Promise<{ rowCount: number | null; rows: Record<string, unknown>[] }>;

/** Runs `work` in a transaction on one pooled connection of a pg.Pool: BEGIN … COMMIT, ROLLBACK on a throw. */
export async function pgTransaction<T>(pool: pg.Pool, work: (query: Query) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work((text, params) => client.query(text, params));
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

export class Conflict extends Error {}

/** The booking transaction alone (slot counter, guarded update, booking row), without framework, validation, rate limits or domain checks. */
export async function bookingTransaction(
  query: Query,
  b: { deskId: number; start: string; end: string; phone: string },
): Promise<{ reference: string }> {
  await query(
    'INSERT INTO booking_slot (desk_id, starts_at, ends_at, capacity) VALUES ($1, $2, $3, 1) ON CONFLICT (desk_id, starts_at) DO NOTHING',
    [b.deskId, b.start, b.end],
  );
  const slot = await query(
    'UPDATE booking_slot SET booked = booked + 1 WHERE desk_id = $1 AND starts_at = $2 AND booked < capacity RETURNING id',
    [b.deskId, b.start],
  );
  if (slot.rowCount === 0) throw new Conflict();
  // A reference already taken is drawn again, as the site does (insertUnderFreshReference).
  const row = await insertUnderFreshReference(
    'QB',
    async (reference) =>
      (
        await query(
          `INSERT INTO booking (reference, desk_id, slot_id, starts_at, ends_at, first_name, phone, locale, source) VALUES ($1, $2, $3, $4, $5, 'Bench', $6, 'it', 'api') ON CONFLICT (reference) DO NOTHING RETURNING reference`,
          [reference, b.deskId, slot.rows[0]!.id, b.start, b.end, b.phone],
        )
      ).rows[0],
  );
  return { reference: String(row.reference) };
}

// ---------------------------------------------------------------- child servers

/**
 * Runs `script` with `args` in a child process (same Node) that prints "baseline listening on PORT",
 * and returns its origin; stop() sends SIGTERM and waits for the exit.
 */
export async function startChildServer(
  script: string,
  args: string[],
): Promise<{ origin: string; pid: number; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
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
    pid: child.pid!,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

// ---------------------------------------------------------------- load

export interface AutocannonRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  setupRequest?: (request: AutocannonRequest) => AutocannonRequest;
}
export interface AutocannonInstance {
  on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
export type Autocannon = (
  options: { url: string; connections: number; amount?: number; duration?: number; requests: AutocannonRequest[] },
  done: (error: Error | null) => void,
) => AutocannonInstance;
// autocannon ships CommonJS without types; this is the part of its API used here.
export const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

export const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

export interface LoadResult {
  /** Answers with the expected status. */
  ok: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  /** Other answers, as "n×status". */
  other: string;
  /** The server process's CPU time (user + system) per answer with the expected status, in ms (set by the caller). */
  cpuMsPerOk?: number;
  /** The load generator's own CPU time per expected answer, in ms: it shares the cores with the server. */
  benchCpuMsPerOk?: number;
  /** PostgreSQL's CPU time per expected answer, in ms (the whole server: postgresCpuMs). */
  databaseCpuMsPerOk?: number;
  /** How long the server took to finish what the run left behind (settle), in ms. */
  settledMs?: number;
}

// Clock ticks of /proc/<pid>/stat's utime and stime.
let ticksPerSecond: number | undefined;
/**
 * CPU time (user + system) a process has used so far, in milliseconds, from /proc (Linux); NaN
 * elsewhere. Less sensitive to the machine's load than a rate: a busy neighbour slows the server
 * down, but does not make it spend more CPU per answer.
 */
export function processCpuMs(pid: number): number {
  try {
    ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), counted from field 3: utime is 14, stime 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return NaN;
  }
}

/**
 * The PostgreSQL server (postmaster) behind `url`: the parent of a backend of ours. Its CPU, with
 * its children's, is what postgresCpuMs counts.
 */
export async function postgresServerPid(url: string): Promise<number | undefined> {
  const { default: pgModule } = await import('pg');
  const client = new pgModule.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
    const stat = readFileSync(`/proc/${rows[0]!.pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  } finally {
    await client.end();
  }
}

/**
 * CPU time (user + system) of a PostgreSQL server so far, in ms: the postmaster's own, that of its
 * children that have exited (a pool closes idle connections: their backends' time stays counted
 * here) and that of its live children (backends, WAL writer, checkpointer…); NaN off Linux. The
 * whole server: on a machine where others use it too, their statements count as well.
 */
export function postgresCpuMs(postmaster: number): number {
  try {
    ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
    const fields = (pid: number | string) => {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    };
    const own = fields(postmaster);
    // utime, stime, cutime, cstime: fields 14–17, counted from field 3 here.
    let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const f = fields(pid);
        if (Number(f[1]) === postmaster) ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // Gone meanwhile: its time is in the postmaster's cutime/cstime now.
      }
    }
    return (ticks * 1000) / ticksPerSecond;
  } catch {
    return NaN;
  }
}

/**
 * Waits until a server has finished what its last run left behind, at most `maxMs`: until, over
 * 250 ms, it and PostgreSQL (with `postmaster`) spent less than 10 % of a core together. The site's
 * sequences leave work after the load stops (SMS still going out, each one's receipt a second later,
 * autovacuum of what they changed); without a wait it fell in the next run's window, on the other
 * side's rate (seen: the bare server's third run, which comes after two site runs in a row, 25–40 %
 * slower than its first two). Answers how long it waited, in ms.
 */
export async function settle(pid: number, postmaster: number | undefined, maxMs = 10_000): Promise<number> {
  const busy = () => processCpuMs(pid) + (postmaster ? postgresCpuMs(postmaster) : 0);
  const started = performance.now();
  for (;;) {
    const before = busy();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const spent = busy() - before;
    const waited = performance.now() - started;
    if (!(spent >= 25) || waited >= maxMs) return waited;
  }
}

/**
 * One autocannon run: `amount` requests or, without it, `duration` seconds. A request's body is
 * `body(i)` for the i-th request sent (none without `body`). Latencies of every answer; the rate
 * counts answers with status `expect` only.
 */
export async function load(options: {
  origin: string;
  path: string;
  method?: string;
  connections: number;
  amount?: number;
  duration?: number;
  body?: (i: number) => string;
  expect: number;
}): Promise<LoadResult> {
  let next = 0;
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const { body } = options;
  const request: AutocannonRequest = body
    ? {
        method: options.method ?? 'POST',
        path: options.path,
        headers: { 'content-type': 'application/json' },
        setupRequest: (r) => ({ ...r, body: body(next++) }),
      }
    : { method: options.method ?? 'GET', path: options.path, headers: {} };
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.origin,
        connections: options.connections,
        ...(options.amount ? { amount: options.amount } : { duration: options.duration }),
        requests: [request],
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
  const ok = statuses.get(options.expect) ?? 0;
  const other = [...statuses]
    .filter(([s]) => s !== options.expect)
    .map(([s, n]) => `${n}×${s}`)
    .join(', ');
  return {
    ok,
    perSecond: ok / seconds,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    other,
  };
}

// ---------------------------------------------------------------- load with wrk

// wrk (Debian package `wrk`): a C load generator that sends ~10× more requests per core than
// autocannon, so on this 2-core machine it leaves the server its core (autocannon, on the same
// cores, was the bottleneck: the site beat its own bare baseline in 3 of 12 rows). One wrk thread:
// it needs a fraction of a core for these rates.
//
// Writes need a distinct body per request: wrk reads them from a file, one JSON body a line, and
// sends them in order; the Lua script counts the answers by status and says how many bodies it used.
// Reads count no statuses in Lua (that would slow wrk down at tens of thousands of answers a second):
// their "other answers" are wrk's non-2xx/3xx count.
// done() runs in wrk's main Lua state: it reads each thread's counters through the thread objects.
const WRK_DONE = String.raw`
local threads = {}
function setup(thread) table.insert(threads, thread) end
function done(summary, latency)
  local counts, used = {}, 0
  for _, t in ipairs(threads) do
    used = used + (t:get("sent") or 0)
    for s, n in pairs(t:get("statuses") or {}) do counts[#counts + 1] = string.format('"%d":%d', s, n) end
  end
  io.write(string.format('WRK-RESULT {"requests":%d,"seconds":%f,"non2xx3xx":%d,"socketErrors":%d,"used":%d,"p50":%f,"p95":%f,"p99":%f,"statuses":{%s}}\n',
    summary.requests, summary.duration / 1e6, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    used, latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    table.concat(counts, ",")))
end
`;
// wrk decides from the script as loaded, before init(), whether requests are dynamic: the writes'
// request() and response() are defined only in their own script, so reads stay static.
const WRK_WRITES = String.raw`
local bodies = {}
sent, statuses = 0, {}
function init(args) for line in io.lines(args[1]) do bodies[#bodies + 1] = line end end
function request()
  sent = sent + 1
  -- Each write from its own client address, as families' requests come through the proxy.
  local client = string.format("10.%d.%d.%d", math.floor(sent / 65536) % 256, math.floor(sent / 256) % 256, sent % 256)
  return wrk.format("POST", nil, { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = client }, bodies[(sent - 1) % #bodies + 1])
end
function response(status) statuses[status] = (statuses[status] or 0) + 1 end
`;

/** Throws with the way to install wrk when it is missing. */
export function requireWrk(): void {
  const found = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  if (found.error)
    throw new Error('The benchmark drives its load with wrk: install it (Debian: `apt-get install wrk`).');
}

/**
 * One wrk run of `seconds` against origin + path with `connections` connections: GETs, or with
 * `bodies`, one POST of each body in order (they must outnumber the requests: a body sent twice
 * is a repeat, counted under "other"). Returns the figures and how many bodies it used.
 */
export async function wrkLoad(options: {
  origin: string;
  path: string;
  connections: number;
  seconds: number;
  bodies?: string[];
  expect: number;
}): Promise<LoadResult & { used: number }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'qubi-wrk-'));
  try {
    const script = path.join(dir, 'load.lua');
    writeFileSync(script, options.bodies ? WRK_WRITES + WRK_DONE : WRK_DONE);
    const args = [
      '-t1',
      `-c${options.connections}`,
      `-d${options.seconds}s`,
      '--timeout',
      '10s',
      '-s',
      script,
      options.origin + options.path,
    ];
    if (options.bodies) {
      const file = path.join(dir, 'bodies');
      writeFileSync(file, `${options.bodies.join('\n')}\n`);
      args.push('--', file);
    }
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}:\n${text}`))));
    });
    const line = /WRK-RESULT (\{.*\})/.exec(out);
    if (!line) throw new Error(`wrk gave no result:\n${out}`);
    const r = JSON.parse(line[1]!) as {
      requests: number;
      seconds: number;
      non2xx3xx: number;
      socketErrors: number;
      used: number;
      p50: number;
      p95: number;
      p99: number;
      statuses: Record<string, number>;
    };
    const statuses = new Map(Object.entries(r.statuses).map(([s, n]) => [Number(s), n]));
    if (!options.bodies) {
      // 2xx/3xx answers count as the expected one (reads expect 200 and get no redirect here).
      statuses.set(options.expect, r.requests - r.non2xx3xx);
      if (r.non2xx3xx) statuses.set(0, r.non2xx3xx);
    }
    const ok = statuses.get(options.expect) ?? 0;
    const other = [
      ...[...statuses].filter(([s]) => s !== options.expect).map(([s, n]) => (s === 0 ? `${n}×non-2xx` : `${n}×${s}`)),
      ...(r.socketErrors ? [`${r.socketErrors} socket errors`] : []),
    ].join(', ');
    return { ok, perSecond: ok / r.seconds, p50: r.p50, p95: r.p95, p99: r.p99, other, used: r.used };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- docs/performance.md

const DOC = 'docs/performance.md';
const DOC_HEAD =
  '# Performance\n\nFigures measured by the benchmark scripts; each section is rewritten by its script.\n';

/**
 * Replaces the part of docs/performance.md that `section` owns, keeping the others: with `markers`,
 * everything between `<!-- begin NAME -->` and `<!-- end NAME -->`; otherwise from the `## heading`
 * line to the next heading or marker. Adds the part at the end when it is missing.
 */
export function writeDocSection(section: string, owner: { heading: string } | { markers: string }): void {
  const current = existsSync(DOC) ? readFileSync(DOC, 'utf8') : DOC_HEAD;
  let updated: string;
  if ('markers' in owner) {
    const begin = `<!-- begin ${owner.markers} -->`;
    const end = `<!-- end ${owner.markers} -->`;
    const block = `${begin}\n\n${section.trim()}\n\n${end}\n`;
    const a = current.indexOf(begin);
    const b = a === -1 ? -1 : current.indexOf(end, a);
    updated =
      a === -1 || b === -1
        ? `${current.trimEnd()}\n\n${block}`
        : `${current.slice(0, a)}${block}${current.slice(b + end.length).replace(/^\n/, '')}`;
  } else {
    const escaped = owner.heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const start = current.search(new RegExp(`^## ${escaped}\\s*$`, 'm'));
    let next = start === -1 ? -1 : current.slice(start + 1).search(/^(## |<!-- begin )/m);
    if (next !== -1) next += start + 1;
    updated =
      start === -1
        ? `${current.trimEnd()}\n\n${section}`
        : `${current.slice(0, start)}${section}${next === -1 ? '' : `\n${current.slice(next)}`}`;
  }
  const tmp = `${DOC}.${process.pid}.tmp`;
  writeFileSync(tmp, `${updated.replace(/\n{3,}/g, '\n\n').trimEnd()}\n`);
  renameSync(tmp, DOC);
  console.log(`wrote ${'markers' in owner ? owner.markers : owner.heading} in ${path.normalize(DOC)}`);
}
