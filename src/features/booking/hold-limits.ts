// What one connection and one contact may hold at once (issue #12, "Limits that make hoarding
// pointless"), checked inside the transaction that takes the place. Concurrent holds of the same
// client or contact are serialized by transaction-scoped advisory locks on their keys, so two
// requests at once cannot both see "2 held" and both take a third.
import { contactKey } from '#/lib/contact.ts';
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';

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

// An email as contactKey (src/lib/contact.ts) counts it: lower case, without its +tag.
export const emailKeySql = (column: string) => sql`regexp_replace(lower(${sql.ref(column)}), '\\+[^@]*@', '@')`;

/**
 * Locks the keys for the rest of the transaction, always in the same order (no deadlock). Pledge
 * holds lock the same client key (campaign/pledge-holds.ts).
 */
export async function lockHoldKeys(trx: Db, keys: string[]): Promise<void> {
  for (const key of [...new Set(keys)].sort())
    await sql`SELECT pg_advisory_xact_lock(hashtext(${`hold:${key}`}))`.execute(trx);
}

export interface HoldRequest {
  deskId: number;
  /** HMAC of the client address (limitKey), never the address itself. */
  client: string;
  phone: string | null;
  email: string | null;
  /** This submission's key: a hold with it is this very booking sent twice, never given back. */
  submissionKey: string | null;
}

/**
 * Locks the client and its contacts, gives back this contact's own earlier unconfirmed hold at the
 * same desk (the person went back and chose another time), then counts. Undefined: allowed.
 */
export async function checkHoldLimits(
  trx: Db,
  request: HoldRequest,
  now: Date,
  releaseHolds: (trx: Db, ids: number[], now: Date) => Promise<number>,
): Promise<HoldRefusal | undefined> {
  const emailKey = request.email ? contactKey(request.email) : null;
  await lockHoldKeys(trx, [
    `client:${request.client}`,
    ...(request.phone ? [`phone:${request.phone}`] : []),
    ...(emailKey ? [`email:${emailKey}`] : []),
  ]);
  const ofContact = (qb: ReturnType<typeof upcoming>) =>
    qb.where((eb) =>
      eb.or([
        ...(request.phone ? [eb('phone', '=', request.phone)] : []),
        ...(emailKey ? [eb(emailKeySql('email'), '=', emailKey)] : []),
      ]),
    );
  const upcoming = () =>
    trx
      .selectFrom('booking')
      .where('starts_at', '>', now)
      .where((eb) =>
        eb.or([
          eb('status', '=', 'confirmed'),
          eb.and([eb('status', '=', 'pending'), eb('hold_expires_at', '>', now)]),
        ]),
      );
  const ownHolds = await ofContact(upcoming())
    .select('id')
    .where('status', '=', 'pending')
    .where('desk_id', '=', request.deskId)
    .where((eb) =>
      request.submissionKey
        ? eb.or([eb('submission_key', 'is', null), eb('submission_key', '!=', request.submissionKey)])
        : eb.val(true),
    )
    .execute();
  if (ownHolds.length > 0)
    await releaseHolds(
      trx,
      ownHolds.map((h) => h.id),
      now,
    );

  const held = await trx
    .selectFrom('booking')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('status', '=', 'pending')
    .where('hold_client', '=', request.client)
    .where('hold_expires_at', '>', now)
    .executeTakeFirstOrThrow();
  if (Number(held.n) >= HOLD_LIMITS.holdsPerClient()) return 'too_many_holds';

  if (!request.phone && !emailKey) return undefined;
  const desks = await ofContact(upcoming()).select('desk_id').execute();
  if (desks.filter((d) => d.desk_id === request.deskId).length >= HOLD_LIMITS.perContactPerDesk())
    return 'contact_has_booking_here';
  if (desks.length >= HOLD_LIMITS.perContact()) return 'contact_limit';
  return undefined;
}
