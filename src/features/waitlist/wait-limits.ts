// What one connection and one contact may have on waiting lists at once (issue #13), checked after
// the same client and contact locks as holds (booking/hold-limits.ts), inside the joining
// transaction, so two joins at once cannot both see room under a limit.
import type { Db } from '#/server/db/database.ts';
import { EMAIL_KEY_SQL, lockClientAndContact } from '#/features/booking/hold-limits.ts';

function fromEnv(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** Lists one contact waits on at once; lists one client address joins for others at once. */
export const WAIT_LIMITS = {
  perContact: () => fromEnv('WAITLIST_PER_CONTACT', 3),
  perClient: () => fromEnv('WAITLIST_PER_CLIENT', 5),
};

/**
 * The lookup limit (RATE_LIMIT_LOOKUPS_PER_IP_PER_HOUR) codes typed for a join count against, on
 * the list's page and at the API's confirm alike: a count of its own, so a family confirming a
 * sign-up and a waiting list from one address (a desk's wifi) is not stopped by the other's tries.
 */
export const WAIT_CONFIRM_SCOPE = 'waitlist-confirm';

export type WaitRefusal = 'already_waiting' | 'contact_limit' | 'too_many';

export async function checkWaitLimits(
  trx: Db,
  request: { client: string; phone: string | null; email: string | null; eventId?: number; deskId?: number },
  now: Date = new Date(),
): Promise<WaitRefusal | undefined> {
  const emailKey = await lockClientAndContact(trx, request);
  // A join still waiting for its code counts too, until its quarter hour is over (wait-holds.ts).
  const active = trx
    .selectFrom('wait_entry')
    .where((eb) =>
      eb.or([
        eb('status', 'in', ['waiting', 'offered']),
        eb.and([eb('status', '=', 'pending'), eb('hold_expires_at', '>', now)]),
      ]),
    );
  const byClient = await active
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('client', '=', request.client)
    .executeTakeFirstOrThrow();
  if (Number(byClient.n) >= WAIT_LIMITS.perClient()) return 'too_many';
  const mine = await active
    .select(['event_id', 'desk_id'])
    .where((eb) =>
      eb.or([
        ...(request.phone ? [eb('phone', '=', request.phone)] : []),
        ...(emailKey ? [eb(EMAIL_KEY_SQL('email'), '=', emailKey)] : []),
      ]),
    )
    .execute();
  const here = mine.some((m) =>
    request.eventId !== undefined ? m.event_id === request.eventId : m.desk_id === request.deskId,
  );
  if (here) return 'already_waiting';
  if (mine.length >= WAIT_LIMITS.perContact()) return 'contact_limit';
  return undefined;
}
