// What one connection and one contact may hold at once (issue #12, "Limits that make hoarding
// pointless"), checked inside the transaction that takes the place. Concurrent holds of the same
// client or contact are serialized by transaction-scoped advisory locks on their keys, so two
// requests at once cannot both see "2 held" and both take a third.
import { contactKey } from '#/lib/contact.ts';
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { livePlacesOfClient, notThisSubmission } from '#/features/holds/client-holds.ts';

function fromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

export const HOLD_LIMITS = {
  /** Unconfirmed places one client address (IPv6 by its /64) holds at once, site-wide. */
  holdsPerClient: () => fromEnv('HOLDS_PER_CLIENT', 3),
  /** Upcoming bookings (confirmed or held) of one contact at one desk. */
  perContactPerDesk: () => fromEnv('BOOKINGS_PER_CONTACT_PER_DESK', 1),
  /** Upcoming bookings of one contact in all. */
  perContact: () => fromEnv('BOOKINGS_PER_CONTACT', 3),
};

export type HoldRefusal = 'too_many_holds' | 'contact_has_booking_here' | 'contact_limit';

// An email as contactKey (src/lib/contact.ts) counts it: lower case, without its +tag. Shared with
// the event registrations' and the pledges' limits.
export const EMAIL_KEY_SQL = (column: string) => sql`regexp_replace(lower(${sql.ref(column)}), '\\+[^@]*@', '@')`;

/**
 * Locks the keys for the rest of the transaction, always in the same order (no deadlock), in one
 * statement: unnest gives the sorted array's elements in order, and each row takes its lock as it
 * is produced (one round trip instead of one per key, on the write path of every hold).
 */
async function lockKeys(trx: Db, keys: string[], drawIdOf?: DrawnIdOf): Promise<number | undefined> {
  const sorted = [...new Set(keys)].sort().map((key) => `hold:${key}`);
  // The new row's id drawn by the same statement (lockClientAndContact's `drawIdOf`).
  const drawn = drawIdOf ? sql`(SELECT nextval(pg_get_serial_sequence(${drawIdOf}::text, 'id'))::int)` : sql`NULL::int`;
  const { rows } = await sql<{ id: number | null }>`
    SELECT count(pg_advisory_xact_lock(hashtext(k))), ${drawn} AS id FROM unnest(${sorted}::text[]) AS k`.execute(trx);
  return rows[0]?.id ?? undefined;
}

/** A table whose new row's id a hold draws with its locks (to bind its code to it before writing it). */
export type DrawnIdOf = 'booking' | 'event_registration';

/**
 * Locks a hold's client and contact keys (the same keys for bookings, event registrations and
 * pledges, so one person's holds of every kind are counted one at a time); returns the email's counting key.
 */
export async function lockClientAndContact(
  trx: Db,
  request: { client: string; phone: string | null; email: string | null },
): Promise<string | null> {
  return (await lockClientAndContactKeys(trx, request)).emailKey;
}

/**
 * The same locks, and the id of the row the hold will write (a booking, a sign-up), drawn from its
 * sequence by the same statement: the caller writes that row with its code's in one statement
 * (create-booking.ts, events/registrations.ts).
 */
export async function lockClientAndContactKeys(
  trx: Db,
  request: { client: string; phone: string | null; email: string | null },
  drawIdOf?: DrawnIdOf,
): Promise<{ emailKey: string | null; id: number | undefined }> {
  const emailKey = request.email ? contactKey(request.email) : null;
  const keys = [
    `client:${request.client}`,
    ...(request.phone ? [`phone:${request.phone}`] : []),
    ...(emailKey ? [`email:${emailKey}`] : []),
  ];
  return { emailKey, id: await lockKeys(trx, keys, drawIdOf) };
}

export interface HoldRequest {
  deskId: number;
  /** HMAC of the client address (limitKey), never the address itself. */
  client: string;
  phone: string | null;
  email: string | null;
  /** This submission's key: a hold with it is this very booking sent twice, never given back. */
  submissionKey: string | null;
  /**
   * The hold this person took before (its id from their sealed draft cookie, which only their own
   * browser has): the one hold that may be given back. A phone number or an email proves nothing
   * (anyone can type another person's), so a hold is never given back for a matching contact alone.
   */
  replaces: number | null;
}

/**
 * Locks the client and its contacts, gives back the person's own earlier unconfirmed hold at the
 * same desk (they went back and chose another time: `replaces`, with the same contact), then
 * counts. Someone else's hold on the same contact is never given back: it counts, so a second
 * hold for that contact at this desk is refused until the first is confirmed or lapses.
 * `refused` undefined: allowed. `bookingId`: the id drawn for the booking (lockClientAndContactKeys).
 */
export async function checkHoldLimits(
  trx: Db,
  request: HoldRequest,
  now: Date,
  releaseHolds: (trx: Db, ids: number[], now: Date) => Promise<number>,
  // Whether the slot still has a place (slot-availability.ts placeLeftSql), read by the same
  // statement as the counts: 'slot_full' before any limit when it has none.
  placeLeft: RawBuilder<boolean> = sql<boolean>`true`,
): Promise<{ refused: HoldRefusal | 'slot_full' | undefined; bookingId: number }> {
  // The new booking's id is drawn with the locks (one round trip less on every hold).
  const { emailKey, id } = await lockClientAndContactKeys(trx, request, 'booking');
  if (id === undefined) throw new Error('no booking id drawn');
  const bookingId = id;
  const ofContact = (qb: ReturnType<typeof upcoming>) =>
    qb.where((eb) =>
      eb.or([
        ...(request.phone ? [eb('phone', '=', request.phone)] : []),
        ...(emailKey ? [eb(EMAIL_KEY_SQL('email'), '=', emailKey)] : []),
      ]),
    );
  // The statuses are literals, as the partial index on (phone, starts_at) names them: with them as
  // parameters no generic plan could use it, so PostgreSQL planned this statement afresh at every
  // hold (0.4 ms of its CPU each; docs/performance.md, seqcpu).
  const upcoming = () =>
    trx
      .selectFrom('booking')
      .where('starts_at', '>', now)
      .where((eb) =>
        eb.or([
          eb('status', '=', sql.lit('confirmed')),
          eb.and([eb('status', '=', sql.lit('pending')), eb('hold_expires_at', '>', now)]),
        ]),
      );
  const ownHolds =
    request.replaces === null
      ? []
      : await ofContact(upcoming())
          .select('id')
          .where('id', '=', request.replaces)
          .where('status', '=', 'pending')
          .where('desk_id', '=', request.deskId)
          .where(notThisSubmission(request.submissionKey))
          .execute();
  if (ownHolds.length > 0)
    await releaseHolds(
      trx,
      ownHolds.map((h) => h.id),
      now,
    );

  // The slot's place, the client's live holds (its desk bookings and event sign-ups together: one
  // cap of places across the site) and the contact's upcoming bookings (here and in all), in one
  // statement.
  const hasContact = Boolean(request.phone || emailKey);
  const ofThisContact = () => (hasContact ? ofContact(upcoming()) : upcoming().where(sql<boolean>`false`));
  const counts = await trx
    .selectNoFrom((eb) => [
      livePlacesOfClient(request.client, now).as('held'),
      ofThisContact().select(eb.fn.countAll<string>().as('n')).where('desk_id', '=', request.deskId).as('here'),
      ofThisContact().select(eb.fn.countAll<string>().as('n')).as('total'),
      placeLeft.as('place_left'),
    ])
    .executeTakeFirstOrThrow();
  const refused = !counts.place_left
    ? 'slot_full'
    : Number(counts.held) >= HOLD_LIMITS.holdsPerClient()
      ? 'too_many_holds'
      : Number(counts.here) >= HOLD_LIMITS.perContactPerDesk()
        ? 'contact_has_booking_here'
        : Number(counts.total) >= HOLD_LIMITS.perContact()
          ? 'contact_limit'
          : undefined;
  return { refused, bookingId };
}
