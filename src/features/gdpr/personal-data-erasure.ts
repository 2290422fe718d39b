// The right to erasure (GDPR art. 17). Erasure is the same as the retention jobs (erase-bookings.ts, erase-pledges.ts): the personal columns are
// nulled and `erased_at` set, so counts and statistics stay; outbox rows and volunteer rows are
// deleted (event sign-ups and waiting-list entries: event-personal-data.ts). An open pledge is cancelled first, so its quantities are needed again; a confirmed
// future booking is cancelled first, so its place frees. A staff account is anonymised and disabled
// (its audit trail keeps the id, nothing else). All of it in one transaction.
import { erasedBookingFields } from '#/features/booking/erase-bookings.ts';
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { cancelBooking } from '#/features/booking/manage-booking.ts';
import { cancelPledge } from '#/features/campaign/close-pledge.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { CACHE_TAGS } from '#/server/cache/live-page.ts';
import { eraseEventData } from './event-personal-data.ts';
import {
  countsOf,
  inIds,
  matchIds,
  normalizeQuery,
  type KeyProblem,
  type PersonalCounts,
  type PersonalDataQuery,
} from './personal-data-search.ts';

export interface ErasureCounts extends PersonalCounts {
  bookingsCancelled: number;
  pledgesCancelled: number;
  /** Event sign-ups to come cancelled (their seats freed) and waiting-list entries closed. */
  registrationsCancelled: number;
  waitClosed: number;
}

export type ErasureResult =
  | { ok: true; counts: ErasureCounts; cacheTags: string[] }
  | { ok: false; reason: 'invalid'; problems: KeyProblem[] }
  | { ok: false; reason: 'self' };

/**
 * Cancels each row (a booking, a pledge) and adds the tag of the public page it changes (its desk's
 * slots, its campaign) for those it did cancel. Returns how many it cancelled.
 */
async function cancelEach(
  rows: { id: number; slug: string }[],
  cancel: (id: number) => Promise<boolean>,
  tagOf: (slug: string) => string,
  cacheTags: Set<string>,
): Promise<number> {
  let cancelled = 0;
  for (const row of rows) {
    if (!(await cancel(row.id))) continue;
    cancelled++;
    cacheTags.add(tagOf(row.slug));
  }
  return cancelled;
}

/**
 * Erases everything stored about the person, in one transaction (see the top of this file).
 * Refuses to erase the account of the person asking (`self`): an admin cannot lock themselves out.
 */
export async function erasePersonalData(
  db: Db,
  query: PersonalDataQuery,
  options: { actorUserId: number | null; now?: Date },
): Promise<ErasureResult> {
  const normalized = normalizeQuery(query);
  if (!normalized.ok) return { ok: false, reason: 'invalid', problems: normalized.problems };
  const { key } = normalized;
  const now = options.now ?? new Date();
  return runInTransaction(db, async (trx) => {
    const ids = await matchIds(trx, key);
    if (options.actorUserId !== null && ids.app_user.includes(options.actorUserId))
      return { ok: false, reason: 'self' } as const;
    let bookingsCancelled = 0;
    let pledgesCancelled = 0;
    // Public pages whose numbers change: the freed slots' desks, the campaigns given quantities back.
    const cacheTags = new Set<string>();
    // Event sign-ups and waiting lists (issue #13) first: their entries closed before the
    // cancellations below free places, so none of those is offered back to the person erased.
    const events = await eraseEventData(trx, ids, now);
    for (const tag of events.cacheTags) cacheTags.add(tag);
    if (ids.booking.length) {
      // A confirmed appointment still to come is cancelled first, so its place frees (its desk's slots change).
      const future = await trx
        .selectFrom('booking')
        .innerJoin('desk', 'desk.id', 'booking.desk_id')
        .select(['booking.id', 'desk.slug'])
        .where('booking.id', 'in', ids.booking)
        .where('booking.status', '=', 'confirmed')
        .where('booking.starts_at', '>', now)
        .execute();
      bookingsCancelled = await cancelEach(future, (id) => cancelBooking(trx, id, now), CACHE_TAGS.slots, cacheTags);
      await trx.updateTable('booking').set(erasedBookingFields(now)).where('id', 'in', ids.booking).execute();
    }
    if (ids.pledge.length) {
      // An open pledge is cancelled first, so its quantities are needed again (its campaign's page changes).
      const open = await trx
        .selectFrom('pledge')
        .innerJoin('campaign', 'campaign.id', 'pledge.campaign_id')
        .select(['pledge.id', 'campaign.slug'])
        .where('pledge.id', 'in', ids.pledge)
        .where('pledge.status', '=', 'pledged')
        .execute();
      pledgesCancelled = await cancelEach(open, (id) => cancelPledge(trx, id, now), CACHE_TAGS.campaign, cacheTags);
      await trx
        .updateTable('pledge')
        .set({
          first_name: null,
          email: null,
          phone: null,
          manage_token_hash: null,
          submission_key: null,
          erased_at: now,
        })
        .where('id', 'in', ids.pledge)
        .execute();
    }
    // Messages: those found, and any written by the cancellations above (to the person).
    const outboxDeleted = await trx
      .deleteFrom('outbox')
      .where((eb) => {
        const ors: Expression<SqlBool>[] = [eb('id', 'in', inIds(ids.outbox))];
        if (ids.booking.length) ors.push(eb('booking_id', 'in', ids.booking));
        if (ids.pledge.length) ors.push(eb('pledge_id', 'in', ids.pledge));
        if (ids.volunteer.length) ors.push(eb('volunteer_id', 'in', ids.volunteer));
        if (ids.event_registration.length) ors.push(eb('registration_id', 'in', ids.event_registration));
        if (key.email) ors.push(sql<boolean>`lower(outbox.recipient) = ${key.email}`);
        if (key.phone) ors.push(eb('recipient', '=', key.phone));
        return eb.or(ors);
      })
      .returning('id')
      .execute();
    if (ids.volunteer.length) await trx.deleteFrom('volunteer').where('id', 'in', ids.volunteer).execute();
    for (const userId of ids.app_user) {
      await trx.deleteFrom('user_session').where('user_id', '=', userId).execute();
      await trx.deleteFrom('user_token').where('user_id', '=', userId).execute();
      await trx.deleteFrom('recovery_code').where('user_id', '=', userId).execute();
      await trx.deleteFrom('user_municipio').where('user_id', '=', userId).execute();
      await trx.deleteFrom('user_desk').where('user_id', '=', userId).execute();
      await trx
        .updateTable('app_user')
        .set({
          email: `erased-${userId}@erased.invalid`,
          display_name: `#${userId}`,
          password_hash: null,
          password_changed_at: null,
          totp_secret: null,
          totp_enabled_at: null,
          disabled_at: sql`coalesce(disabled_at, ${now})`,
        })
        .where('id', '=', userId)
        .execute();
    }
    const counts: ErasureCounts = {
      ...countsOf(ids),
      outbox: outboxDeleted.length,
      bookingsCancelled,
      pledgesCancelled,
      registrationsCancelled: events.registrationsCancelled,
      waitClosed: events.waitClosed,
    };
    await writeAudit(trx, {
      actorUserId: options.actorUserId,
      action: 'gdpr.erase',
      detail: { key: key.kind, counts },
    });
    return { ok: true, counts, cacheTags: [...cacheTags] } as const;
  });
}
