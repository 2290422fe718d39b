// `node scripts/bench-page-ab.ts --page agenda-week|staff-events --baseline <dir> [--url postgres://…]
//   [--requests N] [--rounds R] [--path /it/staff/eventi]`:
// one staff page of this build against a baseline build (another checkout of the site, built, e.g.
// `git archive <commit> | tar -x -C <dir>`, node_modules linked, `npm run build` there; give it this
// checkout's migrations if this one has more, or it refuses the schema), on the bench:scale data (run
// `npm run bench:scale` first: it seeds the schema `qubi_scale`), signed in as its coordinator of all
// nine municipi. The pages: the staff agenda's week view (desks and weeks in turn) and the staff events
// list (issue #13; its first page, in Italian and English in turn). Both servers run at once with the
// live-page cache off and are asked in turn, one request at a time, so the load of a shared machine
// falls on both alike. Per round of N requests: p50 and p95, and each server's own CPU time per request
// (its process's user + system time, from /proc), which the other processes on the machine disturb far
// less than the milliseconds; then the medians of the rounds and the ratio new / baseline.
// A benchmark, not a test: it prints figures; nothing asserts.
import os from 'node:os';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { openDatabase } from '#/server/db/connection.ts';
import { createSession, generateSessionToken } from '#/features/staff-accounts/session.ts';
import { startServer, type RunningServer } from '../tests/support/server.ts';
import { DEFAULT_PG_URL, percentile } from './bench-lib.ts';
import { listDesks } from '#/features/desks/desks.ts';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';
import type { Kysely } from 'kysely';
import type { Database } from '#/server/db/database.ts';

const SCHEMA = 'qubi_scale';
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? undefined : process.argv[i + 1];
};
const baseline = arg('baseline');
if (!baseline) throw new Error('--baseline <dir of a built checkout> is required');
const baseUrl = arg('url') ?? process.env.DATABASE_URL ?? DEFAULT_PG_URL;
const requests = Number(arg('requests') ?? 200);
const rounds = Number(arg('rounds') ?? 3);
const fixedPath = arg('path');

/** Each page: a table its data must have, and the path of the i-th request. */
const PAGES: Record<string, { table: string; paths: (db: Kysely<Database>) => Promise<(i: number) => string> }> = {
  'agenda-week': {
    table: 'booking',
    paths: async (db) => {
      const desks = (await listDesks(db)).map((d) => d.slug);
      const today = romeDateString(new Date());
      return (i) =>
        `/it/staff/agenda/${desks[(i * 7) % desks.length]}?giorno=${addDays(today, 28 - ((i * 13) % 390))}&vista=settimana`;
    },
  },
  'staff-events': { table: 'event_series', paths: async () => (i) => `/${i % 2 ? 'en' : 'it'}/staff/eventi` },
};
const page = PAGES[arg('page') ?? ''];
if (!page) throw new Error(`--page ${Object.keys(PAGES).join('|')} is required`);
const WARMUP = 30;

const u = new URL(baseUrl);
u.searchParams.set('options', `-c search_path=${SCHEMA}`);
const schemaUrl = u.toString();

const check = new pg.Client({ connectionString: schemaUrl });
await check.connect();
const seeded = await check.query(`SELECT to_regclass('${SCHEMA}.${page.table}') AS t`);
await check.end();
if (!seeded.rows[0].t) throw new Error(`no ${SCHEMA} data at ${baseUrl}: run npm run bench:scale first`);

// The coordinator bench:scale made, and a fresh session.
const db = await openDatabase({ kind: 'postgres', url: baseUrl, searchPath: SCHEMA, poolSize: 1 });
const user = await db
  .selectFrom('app_user')
  .select('id')
  .where('email', '=', 'scala.coordinamento@bench.example.org')
  .executeTakeFirstOrThrow();
const token = generateSessionToken();
await createSession(db, token, user.id, { twoFactorVerified: true });
const pagePath = await page.paths(db);
await db.destroy();
const cookie = `qubi_session=${token}`;

const env = { DATABASE_URL: schemaUrl, LIVE_PAGE_CACHE: 'off', WORKER: 'off' };
const here = process.cwd();
const servers: Record<'old' | 'new', RunningServer> = { new: await startServer(env), old: undefined! };
// The baseline's own build: startServer starts `scripts/start.ts` of the working directory.
process.chdir(baseline);
try {
  servers.old = await startServer(env);
} finally {
  process.chdir(here);
}

/** The server process's CPU time so far, in milliseconds (utime + stime, in clock ticks of 10 ms). */
function cpuMs(server: RunningServer): number {
  const fields = readFileSync(`/proc/${server.process.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
const path = (i: number) => fixedPath ?? pagePath(i);
async function ask(server: RunningServer, p: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const res = await fetch(server.origin + p, { headers: { cookie, 'accept-encoding': 'gzip, br' } });
  const body = await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${p} answered ${res.status}`);
  return { ms: performance.now() - started, bytes: body.byteLength };
}

interface Round {
  p50: number;
  p95: number;
  cpuMs: number;
  bytes: number;
  load: number;
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const perRound: Record<'old' | 'new', Round[]> = { old: [], new: [] };
try {
  for (let i = 0; i < WARMUP; i++) for (const which of ['old', 'new'] as const) await ask(servers[which], path(i));
  for (let r = 0; r < rounds; r++) {
    const load = os.loadavg()[0]!;
    const times = { old: [] as number[], new: [] as number[] };
    const bytes = { old: 0, new: 0 };
    const cpuBefore = { old: cpuMs(servers.old), new: cpuMs(servers.new) };
    for (let i = 0; i < requests; i++) {
      // Alternate which goes first, so neither always meets a warmer database cache.
      for (const which of i % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const)) {
        const answer = await ask(servers[which], path(r * requests + i));
        times[which].push(answer.ms);
        bytes[which] += answer.bytes;
      }
    }
    for (const which of ['old', 'new'] as const) {
      const sorted = [...times[which]].sort((a, b) => a - b);
      perRound[which].push({
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        cpuMs: (cpuMs(servers[which]) - cpuBefore[which]) / requests,
        bytes: Math.round(bytes[which] / requests),
        load,
      });
    }
    const show = (x: Round) =>
      `p50 ${x.p50.toFixed(1)} ms, p95 ${x.p95.toFixed(1)} ms, server CPU ${x.cpuMs.toFixed(2)} ms/request, ${x.bytes} bytes`;
    console.log(`round ${r + 1} (load average ${load.toFixed(1)}): baseline ${show(perRound.old.at(-1)!)}`);
    console.log(`round ${r + 1} (load average ${load.toFixed(1)}): this build ${show(perRound.new.at(-1)!)}`);
  }
} finally {
  await servers.old.stop();
  await servers.new.stop();
}
const summary = (list: Round[]) => ({
  p50: median(list.map((x) => x.p50)),
  p95: median(list.map((x) => x.p95)),
  cpuMs: median(list.map((x) => x.cpuMs)),
  bytes: list.at(-1)!.bytes,
});
const old = summary(perRound.old);
const now = summary(perRound.new);
console.log(JSON.stringify({ requests, rounds, baseline: old, current: now }, null, 2));
console.log(
  `ratio this build / baseline (medians of ${rounds} rounds): p50 ${(now.p50 / old.p50).toFixed(2)}, p95 ${(now.p95 / old.p95).toFixed(2)}, server CPU ${(now.cpuMs / old.cpuMs).toFixed(2)}, bytes ${(now.bytes / old.bytes).toFixed(2)}; load average ${perRound.new.map((x) => x.load.toFixed(1)).join(' / ')}`,
);
