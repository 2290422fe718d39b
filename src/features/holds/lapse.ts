// The release of holds, for every kind: one statement whose first step flips them from 'pending'
// (to the kind's lapsed state, its personal data and keys dropped), so a hold is released — and
// what it held given back — only once, whoever releases it; a confirmation locks the row first, so
// the two never both happen. Each feature's statement adds what "release" gives back (a slot's
// place, an event's seats, a campaign's quantities) after these CTEs.
import { sql, type RawBuilder } from 'kysely';
import { codeColumnOf, type HoldKind } from './hold-kind.ts';

/**
 * The CTEs `to_lapse` (the holds chosen, locked in id order), `lapsed` (the flipped holds, RETURNING `returning`: `id` first), `codes` and `messages`
 * (their code and their messages deleted; `unsentOnly`: only the messages not sent yet).
 */
export function lapsedCtes(
  kind: HoldKind,
  which: RawBuilder<unknown>,
  now: Date,
  returning: readonly string[],
  options: { unsentOnly?: boolean } = {},
): RawBuilder<unknown> {
  const column = sql.ref(codeColumnOf(kind));
  // The rows are locked in id order before they are flipped: an UPDATE locks them in whatever order
  // its plan meets them, and two releases at once (the worker's housekeeping and a write that needs
  // the room, at different times, so over sets that overlap) then deadlocked on PostgreSQL, each
  // holding a row the other wanted. In one order, the second waits for the first and then skips
  // what it flipped (no longer 'pending' when read again after the wait).
  return sql`
    to_lapse AS (
      SELECT id FROM ${sql.table(kind.table)} WHERE status = 'pending' AND ${which} ORDER BY id FOR UPDATE
    ),
    lapsed AS (
      UPDATE ${sql.table(kind.table)}
         SET status = ${sql.lit(kind.states.lapsed)}, ${kind.erase(now)}
       WHERE id IN (SELECT id FROM to_lapse) AND status = 'pending'
      RETURNING ${sql.join(returning.map((c) => sql.ref(c)))}
    ),
    codes AS (DELETE FROM verification_code WHERE ${column} IN (SELECT id FROM lapsed)),
    messages AS (DELETE FROM outbox WHERE ${column} IN (SELECT id FROM lapsed)${options.unsentOnly ? sql` AND status = 'pending'` : sql``})`;
}

/** The holds whose time is over (the worker's housekeeping, and a write that needs their room). */
export const pastTime = (now: Date) => sql`hold_expires_at <= ${now}::timestamptz`;

/** Named holds, lapsed or not (the hold a browser took before, given back when it holds again). */
export const named = (ids: number[]) => sql`id IN (${sql.join(ids.map((id) => sql`${id}::int`))})`;
