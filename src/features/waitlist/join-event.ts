// A family joins an event's waiting list (issue #13) when its whole party does not fit: its party
// by age band, a name, one contact and its language, as for a sign-up (events/party.ts). The entry
// is pending until the code sent to its contact confirms it (wait-holds.ts): only then does it wait
// in line (in order of joining), get its status link (to the contact only, never shown on the page)
// and any seats already free for a party this size.
import type { Db } from '#/server/db/database.ts';
import { scopedSubmissionKey } from '#/server/security/submission-key.ts';
import { partyColumns, type Party } from '#/features/events/party.ts';
import { checkRegistrationLimits } from '#/features/events/registration-limits.ts';
import { checkWaitLimits, type WaitRefusal } from './wait-limits.ts';
import { insertWaitEntry } from './wait-token.ts';
import { JoinRefused, joinPending, type JoinOutcome as PendingJoin } from './join-pending.ts';

export type JoinRefusal = WaitRefusal | 'not_open' | 'already_registered';
export type JoinOutcome = PendingJoin<JoinRefusal>;

export async function joinEventWaitlist(
  db: Db,
  eventId: number,
  party: Party,
  options: { client: string; submissionKey?: string | null; now?: Date },
): Promise<JoinOutcome> {
  const now = options.now ?? new Date();
  const submissionKey = scopedSubmissionKey(options.submissionKey ?? null, party);
  return joinPending<JoinRefusal>(
    db,
    { column: 'event_id', id: eventId },
    { submissionKey, now, contact: party },
    async (trx, secret, expiresAt) => {
      const event = await trx
        .selectFrom('event')
        .select(['status', 'seats', 'starts_at'])
        .where('id', '=', eventId)
        .executeTakeFirst();
      if (!event || event.status !== 'published' || event.seats === null || event.starts_at <= now)
        throw new JoinRefused<JoinRefusal>('not_open');
      const refused = await checkWaitLimits(trx, { ...options, phone: party.phone, email: party.email, eventId }, now);
      if (refused) throw new JoinRefused<JoinRefusal>(refused);
      // Signed up already (a sign-up is counted under the same locks): nothing to wait for.
      const registered = await checkRegistrationLimits(
        trx,
        { eventId, client: options.client, phone: party.phone, email: party.email },
        now,
      );
      if (registered === 'already_registered') throw new JoinRefused<JoinRefusal>('already_registered');
      return insertWaitEntry(trx, secret, {
        event_id: eventId,
        ...partyColumns(party),
        client: options.client,
        submission_key: submissionKey,
        status: 'pending',
        hold_expires_at: expiresAt,
      });
    },
  );
}
