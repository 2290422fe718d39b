// What one client holds (issue #12's "limits that make hoarding pointless"), for every kind that
// counts against HOLDS_PER_CLIENT, and the one hold a browser may give back: the one its own sealed
// cookie names (`replaces`), never one whose contact merely matches (anyone can type another
// person's number). Read inside the hold's transaction, after lockClientAndContact, and held against
// HOLD_LIMITS.holdsPerClient (booking/hold-limits.ts).
import { sql, type QueryCreator, type RawBuilder } from 'kysely';
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
 * The give-back's guard: the same submission sent twice is this very hold, kept (its insert finds
 * the key taken), not given back.
 */
export const notThisSubmission = (submissionKey: string | null): RawBuilder<boolean> =>
  submissionKey ? sql<boolean>`submission_key IS DISTINCT FROM ${submissionKey}::text` : sql<boolean>`true`;
