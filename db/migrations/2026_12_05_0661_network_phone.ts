// Issue #14, "Contacts": each municipal network's phone beside its email, on the Contatti page and
// where a municipio has no desk yet. The networks written so far carry sample values (their emails
// already are: is_sample), replaced by the real ones when the Comune gives them.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE network ADD COLUMN phone text CHECK (phone IS NULL OR phone ~ '^\\+?[0-9 ]{6,20}$');
    UPDATE network SET phone = '+39 02 0000 01' || lpad(municipio_id::text, 2, '0') WHERE is_sample;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(db, `ALTER TABLE network DROP COLUMN phone;`);
}
