// What one client holds (issue #12's "limits that make hoarding pointless"), for every kind that
// counts against HOLDS_PER_CLIENT, and the one hold a browser may give back: the one its own sealed
// cookie names (`replaces`), never one whose contact merely matches (anyone can type another
// person's number). Read inside the hold's transaction, after lockClientAndContact, and held against
// HOLD_LIMITS.holdsPerClient (booking/hold-limits.ts).
import { expressionBuilder, sql, type QueryCreator, type RawBuilder } from 'kysely';
import type { Database } from '#/server/db/database.ts';

/** The tables whose holds count against the client's cap (a waiting-list join has its own). */
export type CappedTable = 'booking' | 'pledge' | 'event_registration';

/**
 * Where a count is built: the transaction (a statement of its own) or an expression builder (a
 * subquery of the caller's statement, built without the transaction's executor and its plugins).
 */
type QueryFrom = Pick<QueryCreator<Database>, 'selectFrom'>;

/**
 * How many live holds (pending and within their time) the client has in `table`: column `n`.
 * 'pending' is a literal, as the partial indexes on (hold_client, hold_expires_at) say it, so that
 * every plan can use them.
 */
export function liveHoldsOfClient(from: QueryFrom, table: CappedTable, client: string, now: Date) {
  return from
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', sql.lit('pending'))
    .where('hold_client', '=', client)
    .where('hold_expires_at', '>', now);
}

/**
 * The unconfirmed places a client holds across the site, as one number: its live desk bookings and
 * its live event sign-ups together, held against HOLDS_PER_CLIENT by both the booking's hold
 * (booking/hold-limits.ts) and the sign-up's (events/registration-limits.ts), so the cap is the
 * same whichever a client takes first. Pledges and waiting-list joins have caps of their own.
 */
export function livePlacesOfClient(client: string, now: Date): RawBuilder<string> {
  const eb = expressionBuilder<Database>();
  return sql<string>`((${liveHoldsOfClient(eb, 'booking', client, now)}) + (${liveHoldsOfClient(eb, 'event_registration', client, now)}))`;
}

/**
 * The give-back's guard: the same submission sent twice is this very hold, kept (its insert finds
 * the key taken), not given back.
 */
export const notThisSubmission = (submissionKey: string | null): RawBuilder<boolean> =>
  submissionKey ? sql<boolean>`submission_key IS DISTINCT FROM ${submissionKey}::text` : sql<boolean>`true`;
