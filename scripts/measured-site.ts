// The built site started for a measuring script (npm run budget, npm run lighthouse): production
// mode on a fresh embedded database with the site's own data, or, with `--scale [--url postgres://…]`,
// on the city-scale data of `npm run bench:scale` (PostgreSQL, schema qubi_scale, seeded if missing:
// 90 desks, 10,000 events, 100,000 pledges). Not a test helper: it asserts nothing.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '#/server/db/database.ts';
import { THROWAWAY_APP_SECRET } from '#/server/config.ts';
import { DEFAULT_PG_URL } from './bench-lib.ts';
import { openScaleDatabase, scaleSchemaUrl } from './scale-data.ts';

export interface MeasuredSite {
  origin: string;
  /** On the scale data: its database, open in this process too (closed by stop). */
  scaleDb: Kysely<Database> | undefined;
  /** A desk to book at: at scale one of the scale desks (open all week, the longest week of slots). */
  deskSlug: string;
  stop(): Promise<void>;
}

export async function startMeasuredSite(env: Record<string, string> = {}): Promise<MeasuredSite> {
  const scale = process.argv.includes('--scale');
  const urlArg = process.argv.indexOf('--url');
  const scaleUrl = urlArg === -1 ? (process.env.DATABASE_URL ?? DEFAULT_PG_URL) : process.argv[urlArg + 1]!;
  const scaleDb = scale ? (await openScaleDatabase(scaleUrl, { reseed: false, log: console.log })).db : undefined;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'qubi-measure-'));
  const child = spawn(process.execPath, ['scripts/start.ts'], {
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: scale ? scaleSchemaUrl(scaleUrl) : '',
      WORKER: 'off',
      NODE_ENV: 'production',
      // A production build measured on the demo's desks and events (a production start seeds none).
      SEED_SAMPLES: 'yes',
      APP_SECRET: THROWAWAY_APP_SECRET,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // A run that throws still stops its server (it would keep the script's output pipe open).
  const kill = () => child.kill('SIGTERM');
  process.on('exit', kill);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(1));
  const origin = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /running at (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!.replace('localhost', '127.0.0.1'));
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  const deskSlug = scale
    ? ((await (await fetch(`${origin}/api/v1/desks`)).json()) as { slug: string }[])
        .map((d) => d.slug)
        .find((slug) => slug.startsWith('scala-'))!
    : 'gallaratese';
  return {
    origin,
    scaleDb,
    deskSlug,
    async stop() {
      process.off('exit', kill);
      const exited = new Promise((r) => child.on('exit', r));
      kill();
      await exited;
      await scaleDb?.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
