// `node scripts/bench-agenda-ab.ts --baseline <dir> [--url postgres://…] [--requests N] [--rounds R]`:
// the staff agenda's week view of this build against a baseline build (another checkout of the
// site, built, e.g. `git archive <commit> | tar -x -C <dir>` then `npm run build` there), on the
// bench:scale data (run `npm run bench:scale` first: it seeds the schema `qubi_scale`). Both servers
// run at once with the live-page cache off and are asked in turn, the same path one after the other,
// one request at a time: on a shared, busy machine the load falls on both alike, so their ratio says
// what changed even when the milliseconds do not. R rounds of N requests: p50 and p95 per round, then
// the median of the rounds, the ratio new / baseline, and the compressed page size.
// A benchmark, not a test: it prints and returns figures; nothing asserts.
import os from 'node:os';
import pg from 'pg';
import { openDatabase } from '#/server/db/connection.ts';
import { createSession, generateSessionToken } from '#/features/staff-accounts/session.ts';
import { listDesks } from '#/features/desks/desks.ts';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';
import { startServer, type RunningServer } from '../tests/support/server.ts';
import { DEFAULT_PG_URL, percentile } from './bench-lib.ts';

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
const WARMUP = 30;

const u = new URL(baseUrl);
u.searchParams.set('options', `-c search_path=${SCHEMA}`);
const schemaUrl = u.toString();

const check = new pg.Client({ connectionString: schemaUrl });
await check.connect();
const seeded = await check.query(`SELECT to_regclass('${SCHEMA}.booking') AS t`);
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
const desks = (await listDesks(db)).map((d) => d.slug);
await db.destroy();
const cookie = `qubi_session=${token}`;

const env = { DATABASE_URL: schemaUrl, LIVE_PAGE_CACHE: 'off', WORKER: 'off' };
const here = process.cwd();
const current = await startServer(env);
// The baseline's own build: startServer starts `scripts/start.ts` of the working directory.
process.chdir(baseline);
let old: RunningServer;
try {
  old = await startServer(env);
} finally {
  process.chdir(here);
}

const today = romeDateString(new Date());
const path = (i: number) =>
  `/it/staff/agenda/${desks[(i * 7) % desks.length]}?giorno=${addDays(today, 28 - ((i * 13) % 390))}&vista=settimana`;
async function ask(server: RunningServer, p: string): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const res = await fetch(server.origin + p, { headers: { cookie, 'accept-encoding': 'gzip, br' } });
  const body = await res.arrayBuffer();
  if (res.status !== 200) throw new Error(`${p} answered ${res.status}`);
  return { ms: performance.now() - started, bytes: body.byteLength };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const load = os.loadavg()[0]!;
const perRound: { old: { p50: number; p95: number }; new: { p50: number; p95: number } }[] = [];
let bytes = { old: 0, new: 0 };
try {
  for (let i = 0; i < WARMUP; i++) {
    await ask(old, path(i));
    await ask(current, path(i));
  }
  for (let r = 0; r < rounds; r++) {
    const times = { old: [] as number[], new: [] as number[] };
    bytes = { old: 0, new: 0 };
    for (let i = 0; i < requests; i++) {
      // Alternate which goes first, so neither always meets a warmer database cache.
      const order = i % 2 === 0 ? (['old', 'new'] as const) : (['new', 'old'] as const);
      for (const which of order) {
        const answer = await ask(which === 'old' ? old : current, path(r * requests + i));
        times[which].push(answer.ms);
        bytes[which] += answer.bytes;
      }
    }
    const stats = (list: number[]) => {
      const sorted = [...list].sort((a, b) => a - b);
      return { p50: percentile(sorted, 50), p95: percentile(sorted, 95) };
    };
    perRound.push({ old: stats(times.old), new: stats(times.new) });
    console.log(`round ${r + 1}: baseline`, perRound.at(-1)!.old, 'this build', perRound.at(-1)!.new);
  }
} finally {
  await old.stop();
  await current.stop();
}
const summary = {
  load,
  requests,
  rounds,
  baseline: {
    p50: median(perRound.map((r) => r.old.p50)),
    p95: median(perRound.map((r) => r.old.p95)),
    bytes: Math.round(bytes.old / requests),
  },
  current: {
    p50: median(perRound.map((r) => r.new.p50)),
    p95: median(perRound.map((r) => r.new.p95)),
    bytes: Math.round(bytes.new / requests),
  },
};
console.log(JSON.stringify(summary, null, 2));
console.log(
  `ratio this build / baseline: p50 ${(summary.current.p50 / summary.baseline.p50).toFixed(2)}, p95 ${(summary.current.p95 / summary.baseline.p95).toFixed(2)}, bytes ${(summary.current.bytes / summary.baseline.bytes).toFixed(2)}; load average at start ${load.toFixed(1)}`,
);
