// Frozen: never edit a migration that has shipped; add a new one.
// Issue #13, "no seat given twice" held by the database itself: every statement that raises
// event.seats_taken already does so only while the party fits (registrations.ts, event-offers.ts),
// but nothing stopped a later write from lowering `seats` under the seats already taken (a staff
// edit approved after families signed up). Now a row whose seats_taken exceeds its seats is refused
// whatever writes it; the staff forms check first and say so (event-workflow.ts), so this is the
// last guard, not the message. An event that already has more seats taken than seats (only such an
// approved edit could make one) gets its seats raised to what is taken: every family signed up
// keeps its place.
// A waiting entry accepted for an event becomes exactly one registration (waitlist/respond.ts), so
// wait_entry.registration_id is unique; its index also serves the ON DELETE SET NULL of a
// registration being erased.
import type { Kysely } from 'kysely';
import { runScript } from '../../src/server/db/sql-script.ts';

export async function up(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    UPDATE event SET seats = seats_taken WHERE seats IS NOT NULL AND seats_taken > seats;
    ALTER TABLE event ADD CONSTRAINT event_seats_taken_within_seats
      CHECK (seats IS NULL OR seats_taken <= seats);
    ALTER TABLE wait_entry ADD CONSTRAINT wait_entry_registration_key UNIQUE (registration_id);
  `,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await runScript(
    db,
    `
    ALTER TABLE wait_entry DROP CONSTRAINT wait_entry_registration_key;
    ALTER TABLE event DROP CONSTRAINT event_seats_taken_within_seats;
  `,
  );
}
