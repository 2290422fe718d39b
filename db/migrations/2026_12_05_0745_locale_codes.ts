// Eight languages (issue #14), and a ninth with one file and one line of configuration: the locale
// columns that listed the five first languages now accept any language code (two or three lower-case
// letters). Which codes the site speaks is src/lib/locales.ts; every form checks against it (zod).
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

const TABLES = ['booking', 'outbox', 'pledge', 'volunteer', 'wait_entry'] as const;

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    TABLES.map(
      (table) => `
    ALTER TABLE ${table} DROP CONSTRAINT ${table}_locale_check;
    ALTER TABLE ${table} ADD CONSTRAINT ${table}_locale_check CHECK (locale ~ '^[a-z]{2,3}$');`,
    ).join(''),
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    TABLES.map(
      (table) => `
    ALTER TABLE ${table} DROP CONSTRAINT ${table}_locale_check;
    ALTER TABLE ${table} ADD CONSTRAINT ${table}_locale_check CHECK (locale IN ('it', 'en', 'ar', 'es', 'zh')) NOT VALID;`,
    ).join(''),
  );
}
