// What one connection and one contact may hold of an event's seats (issue #13, "like bookings",
// issue #12's limits): checked inside the transaction that takes the seats, after the client's and
// the contact's keys are locked (the same locks as bookings, hold-limits.ts), so two sign-ups at
// once cannot both see room under a limit.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { EMAIL_KEY_SQL, HOLD_LIMITS, lockClientAndContactKeys } from '#/features/booking/hold-limits.ts';
import { livePlacesOfClient } from '#/features/holds/client-holds.ts';

function fromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** Upcoming events one contact is signed up for at once (pending or confirmed). */
export const registrationsPerContact = () => fromEnv('REGISTRATIONS_PER_CONTACT', 3);

export type RegistrationRefusal = 'too_many_holds' | 'already_registered' | 'contact_limit';

export interface RegistrationHoldRequest {
  eventId: number;
  /** HMAC of the client address (limitKey), never the address itself. */
  client: string;
  phone: string | null;
  email: string | null;
}

/**
 * Undefined: allowed. A client holds at most HOLDS_PER_CLIENT unconfirmed things at once, bookings
 * and sign-ups together; a contact is signed up once per event and for at most
 * REGISTRATIONS_PER_CONTACT upcoming events.
 */
export async function checkRegistrationLimits(
  trx: Db,
  request: RegistrationHoldRequest,
  now: Date,
): Promise<RegistrationRefusal | undefined> {
  return (await countRegistrationLimits(trx, request, now)).refused;
}

/**
 * checkRegistrationLimits for a new sign-up, with the id of its row drawn by the statement that
 * takes the locks: its code, bound to that id, is then written with it (registrations.ts).
 */
export async function checkSignUpLimits(
  trx: Db,
  request: RegistrationHoldRequest,
  now: Date,
): Promise<{ refused: RegistrationRefusal | undefined; registrationId: number }> {
  const { refused, id } = await countRegistrationLimits(trx, request, now, 'event_registration');
  if (id === undefined) throw new Error('no registration id drawn');
  return { refused, registrationId: id };
}

async function countRegistrationLimits(
  trx: Db,
  request: RegistrationHoldRequest,
  now: Date,
  drawIdOf?: 'event_registration',
): Promise<{ refused: RegistrationRefusal | undefined; id: number | undefined }> {
  const { emailKey, id } = await lockClientAndContactKeys(trx, request, drawIdOf);
  // The contact's upcoming sign-ups, read in the same statement as the client's holds (after the
  // locks). The statuses are literals, as the partial indexes on phone and email name them, so that
  // a generic plan can use those (booking/hold-limits.ts).
  const upcoming = trx
    .selectFrom('event_registration as r')
    .innerJoin('event as e', 'e.id', 'r.event_id')
    .select('r.event_id')
    .where('e.starts_at', '>', now)
    .where((eb) =>
      eb.or([
        eb('r.status', '=', sql.lit('confirmed')),
        eb.and([eb('r.status', '=', sql.lit('pending')), eb('r.hold_expires_at', '>', now)]),
      ]),
    )
    .where((eb) =>
      eb.or([
        ...(request.phone ? [eb('r.phone', '=', request.phone)] : []),
        ...(emailKey ? [eb(EMAIL_KEY_SQL('r.email'), '=', emailKey)] : []),
      ]),
    );
  // The client's places: its desk bookings and sign-ups held together (client-holds.ts).
  const { rows } = await sql<{ n: number; mine: number[] }>`
    SELECT ${livePlacesOfClient(request.client, now)} AS n,
           array(${upcoming}) AS mine`.execute(trx);
  const mine = rows[0]?.mine ?? [];
  const refused =
    Number(rows[0]?.n ?? 0) >= HOLD_LIMITS.holdsPerClient()
      ? 'too_many_holds'
      : mine.some((eventId) => Number(eventId) === request.eventId)
        ? 'already_registered'
        : mine.length >= registrationsPerContact()
          ? 'contact_limit'
          : undefined;
  return { refused, id };
}
