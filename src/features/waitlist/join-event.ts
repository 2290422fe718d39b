// A family joins an event's waiting list (issue #13) when its whole party does not fit: its party
// by age band, a name, one contact and its language, as for a sign-up (events/party.ts). The entry
// is pending until the code sent to its contact confirms it (wait-holds.ts): only then does it wait
// in line (in order of joining), get its status link (to the contact only, never shown on the page)
// and any seats already free for a party this size.
import type { Db } from '#/server/db/database.ts';
import { runInTransaction, isUniqueViolation } from '#/server/db/transaction.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { scopedSubmissionKey } from '#/server/security/submission-key.ts';
import { BAND_COLUMN, partySeats, type Party } from '#/features/events/party.ts';
import { checkRegistrationLimits } from '#/features/events/registration-limits.ts';
import { checkWaitLimits, type WaitRefusal } from './wait-limits.ts';
import { insertWaitEntry } from './wait-token.ts';
import { WAIT_HOLD_MINUTES, sendJoinCode } from './wait-holds.ts';

export type JoinRefusal = WaitRefusal | 'not_open' | 'already_registered';
/** A pending entry: its id (for the code step), until when its code lasts, and whether the form came twice. */
export type JoinOutcome =
  { ok: true; id: number; reference: string; expiresAt: Date; duplicate: boolean } | { ok: false; reason: JoinRefusal };

class Refused extends Error {
  readonly reason: JoinRefusal;
  constructor(reason: JoinRefusal) {
    super(reason);
    this.reason = reason;
  }
}

export async function joinEventWaitlist(
  db: Db,
  eventId: number,
  party: Party,
  options: { client: string; submissionKey?: string | null; now?: Date },
): Promise<JoinOutcome> {
  const now = options.now ?? new Date();
  const submissionKey = scopedSubmissionKey(options.submissionKey ?? null, party);
  const earlier = async (): Promise<JoinOutcome | undefined> => {
    if (!submissionKey) return undefined;
    const row = await db
      .selectFrom('wait_entry')
      .select(['id', 'reference', 'event_id', 'hold_expires_at'])
      .where('submission_key', '=', submissionKey)
      .executeTakeFirst();
    return row && row.event_id === eventId
      ? { ok: true, id: row.id, reference: row.reference, expiresAt: row.hold_expires_at ?? now, duplicate: true }
      : undefined;
  };
  const found = await earlier();
  if (found) return found;
  const secret = await getServerSecret(db);
  const seats = partySeats(party);
  const expiresAt = new Date(now.getTime() + WAIT_HOLD_MINUTES * 60_000);
  try {
    const id = await runInTransaction(db, async (trx) => {
      const event = await trx
        .selectFrom('event')
        .select(['status', 'seats', 'starts_at'])
        .where('id', '=', eventId)
        .executeTakeFirst();
      if (!event || event.status !== 'published' || event.seats === null || event.starts_at <= now)
        throw new Refused('not_open');
      const refused = await checkWaitLimits(trx, { ...options, phone: party.phone, email: party.email, eventId }, now);
      if (refused) throw new Refused(refused);
      // Signed up already (a sign-up is counted under the same locks): nothing to wait for.
      const registered = await checkRegistrationLimits(
        trx,
        { eventId, client: options.client, phone: party.phone, email: party.email },
        now,
      );
      if (registered === 'already_registered') throw new Refused('already_registered');
      const row = await insertWaitEntry(trx, secret, {
        event_id: eventId,
        adults: party.adults,
        [BAND_COLUMN['0-3']]: party.children['0-3'],
        [BAND_COLUMN['3-6']]: party.children['3-6'],
        [BAND_COLUMN['6-11']]: party.children['6-11'],
        [BAND_COLUMN['11-14']]: party.children['11-14'],
        seats,
        name: party.name,
        phone: party.phone,
        email: party.email,
        locale: party.locale,
        client: options.client,
        submission_key: submissionKey,
        status: 'pending',
        hold_expires_at: expiresAt,
      });
      await sendJoinCode(trx, secret, { ...row, ...party }, expiresAt, now);
      return row;
    });
    return { ok: true, id: id.id, reference: id.reference, expiresAt, duplicate: false };
  } catch (error) {
    if (isUniqueViolation(error, 'wait_entry_submission_key_key')) {
      const again = await earlier();
      if (again) return again;
    }
    if (error instanceof Refused) return { ok: false, reason: error.reason };
    throw error;
  }
}
