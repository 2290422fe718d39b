// Frozen: never edit a migration that has shipped; add a new one.
// Issue #12, "Limits that make hoarding pointless":
// - one contact holds at most one open pledge per collection window. Two partial UNIQUE indexes
//   enforce it inside the pledge's own statement or transaction (concurrent donors with one contact:
//   the second waits for the first and is refused), one on the phone (stored in E.164 by the forms,
//   src/lib/contact.ts) and one on the address without its "+tag" (the same pattern as EMAIL_TAG in
//   src/lib/contact.ts: change both together). Pledges already open twice for one contact in one
//   window keep working: all but the first are marked `before_contact_limit` and left out.
// - a confirmed volunteer's details are only replaced once the new sign-up is confirmed from the
//   address: until then they wait in `pending_details` (with the row's confirm token and expiry).
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE pledge ADD COLUMN before_contact_limit boolean NOT NULL DEFAULT false;
    UPDATE pledge p SET before_contact_limit = true
     WHERE p.status = 'pledged' AND EXISTS (
       SELECT 1 FROM pledge q
        WHERE q.status = 'pledged' AND q.collection_window_id = p.collection_window_id AND q.id < p.id
          AND (q.phone = p.phone
               OR regexp_replace(q.email, '^([^+@]+)\\+[^@]*@', '\\1@') = regexp_replace(p.email, '^([^+@]+)\\+[^@]*@', '\\1@')));
    CREATE UNIQUE INDEX pledge_open_phone_per_window ON pledge (collection_window_id, phone)
      WHERE status = 'pledged' AND phone IS NOT NULL AND NOT before_contact_limit;
    CREATE UNIQUE INDEX pledge_open_email_per_window ON pledge (collection_window_id, (regexp_replace(email, '^([^+@]+)\\+[^@]*@', '\\1@')))
      WHERE status = 'pledged' AND email IS NOT NULL AND NOT before_contact_limit;
    ALTER TABLE volunteer ADD COLUMN pending_details jsonb;
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE volunteer DROP COLUMN pending_details;
    DROP INDEX pledge_open_email_per_window;
    DROP INDEX pledge_open_phone_per_window;
    ALTER TABLE pledge DROP COLUMN before_contact_limit;
  `,
  );
}
