// npm run db:types — regenerates src/server/db/schema.generated.ts with kysely-codegen from the
// schema the migrations build. It creates a scratch database on the PostgreSQL server of
// DB_TYPES_URL (default: the test server, postgres://postgres@127.0.0.1:5432/test), migrates it,
// reads it, formats the output with Prettier and drops the scratch database, even on failure.
// The generated types are not the ones the code uses: src/server/db/database.ts keeps more precise
// ones (see docs/architecture.md, Decisions); database.test.ts fails when the two disagree.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '#/server/db/connection.ts';
import { migrateToLatest } from '#/server/db/migrate.ts';

const root = path.resolve(import.meta.dirname, '..');
const outFile = path.join(root, 'src/server/db/schema.generated.ts');
const serverUrl = process.env.DB_TYPES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const scratch = `qubi_types_${randomBytes(4).toString('hex')}`;
const scratchUrl = Object.assign(new URL(serverUrl), { pathname: `/${scratch}` }).href;

const admin = await openDatabase({ kind: 'postgres', url: serverUrl, poolSize: 1 });
try {
  await sql`CREATE DATABASE ${sql.id(scratch)}`.execute(admin);
  try {
    const db = await openDatabase({ kind: 'postgres', url: scratchUrl, poolSize: 1 });
    try {
      const { error } = await migrateToLatest(db);
      if (error) throw error;
    } finally {
      await db.destroy();
    }
    execFileSync(
      process.execPath,
      [
        path.join(root, 'node_modules/kysely-codegen/dist/cli/bin.js'),
        '--dialect=postgres',
        `--url=${scratchUrl}`,
        `--out-file=${outFile}`,
        // Kysely's own bookkeeping tables are not part of the application's schema.
        '--exclude-pattern=kysely_*',
        '--log-level=error',
      ],
      { stdio: 'inherit' },
    );
  } finally {
    await sql`DROP DATABASE ${sql.id(scratch)} WITH (FORCE)`.execute(admin);
  }
} finally {
  await admin.destroy();
}
execFileSync(process.execPath, [path.join(root, 'node_modules/prettier/bin/prettier.cjs'), '--write', outFile], {
  stdio: 'inherit',
});
console.log(`Wrote ${path.relative(root, outFile)}.`);
