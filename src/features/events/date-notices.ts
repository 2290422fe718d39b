// Families told when a date they signed up for is cancelled or moved: the one write path of every
// way a date changes under them — an event cancelled (event-workflow.ts cancelEvent), one date of a
// series cancelled or moved (series.ts), the dates a desk's closure covers (series-closures.ts), an
// approved change of a published event's start (event-workflow.ts approveChange). Each calls these
// inside its own transaction, after its UPDATE of the event, so the messages are queued if and only
// if the change commits. Messages go through the outbox on the channel the sign-up's confirmation
// went (registration-holds.ts queueRegistrationConfirmation: SMS to a mobile, else the email) and are
// rendered at send time (date-notice-messages.ts, outbox-renderers.ts).
//
// A cancelled date: each confirmed sign-up is told once and its unsent reminder withdrawn; pending
// holds are released (seats back, personal data, code and code message dropped: holds/lapse.ts); the
// date's waiting list is closed (no offer can go out, an offer held gives its seats back) and the
// families waiting or offered seats are told with the same message. Confirmed sign-ups stay
// 'confirmed', so their references stay on the door list.
//
// A moved date: each confirmed sign-up is told the new day and time, and its reminder follows the new
// start (its send_after moved; queued again if it had already gone, withdrawn if the new start leaves
// no evening before). The date's waiting list stays open, in the same order; each family waiting or
// holding an offer is told once, with a text of its own (event_date_moved_waiting: never "your seats
// are kept") saying the new day and time and that it is still on the list. An offer held keeps its
// seats and its deadline while that still ends an hour before the new start; else its deadline is
// brought forward to that hour, and when that leaves less than a quarter of an hour to answer the
// offer ends: the family goes back to waiting in its place and its seats back to the counter
// (offer-rules.ts offerExpiryAfterMove; the notice says so). Joins whose code is not confirmed yet
// are not told: their "you are on the list" message, rendered at send time, names the new start.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { ERASED } from '#/features/waitlist/wait-erase.ts';
import { enqueueMessage, reminderTime, smsRecipientOf, type MessageKind } from '#/server/mail/outbox.ts';
import { giveSeatsBack, offerEventSeats } from '#/features/waitlist/event-offers.ts';
import { offerExpiryAfterMove } from '#/features/waitlist/offer-rules.ts';
import { releaseRegistrationHolds } from './lapsed-registrations.ts';
import type { DateNoticeKind, DateNoticePayload } from './date-notice-messages.ts';

interface Contact {
  reference: string;
  phone: string | null;
  email: string | null;
  locale: string;
}

/** The date's slug and its series' slug (whose page lists the other dates). */
async function datesOf(trx: Db, eventIds: number[]) {
  const rows = await trx
    .selectFrom('event as e')
    .leftJoin('event_series as s', 's.id', 'e.series_id')
    .select(['e.id', 'e.slug', 'e.status', 'e.starts_at', 's.slug as series_slug'])
    .where('e.id', 'in', eventIds)
    .execute();
  return new Map(rows.map((r) => [r.id, r]));
}

/** One notice to one family, on their confirmation's channel; false when they left no contact. */
async function tell(
  trx: Db,
  kind: DateNoticeKind,
  who: Contact,
  date: { slug: string; series_slug: string | null },
  owner: { registrationId?: number; waitEntryId?: number; list?: boolean; offerEnded?: boolean },
): Promise<boolean> {
  const sms = smsRecipientOf(who.phone);
  const recipient = sms ?? who.email;
  if (!recipient) return false;
  const payload: DateNoticePayload = {
    reference: who.reference,
    eventSlug: date.slug,
    seriesSlug: date.series_slug,
    list: owner.list === true,
    ...(owner.offerEnded ? { offerEnded: true } : {}),
  };
  await enqueueMessage(trx, {
    kind,
    channel: sms ? 'sms' : 'email',
    recipient,
    locale: who.locale as Locale,
    payload: payload as unknown as Record<string, unknown>,
    ...(owner.registrationId === undefined ? {} : { registrationId: owner.registrationId }),
    ...(owner.waitEntryId === undefined ? {} : { waitEntryId: owner.waitEntryId }),
  });
  return true;
}

/** Withdraws the unsent messages of the given kinds of these sign-ups (or waiting-list entries). */
async function withdraw(
  trx: Db,
  ids: number[],
  kinds: MessageKind[],
  owner: 'registration_id' | 'wait_entry_id' = 'registration_id',
): Promise<void> {
  if (ids.length === 0) return;
  await trx
    .updateTable('outbox')
    .set({ status: 'cancelled' })
    .where(owner, 'in', ids)
    .where('kind', 'in', kinds)
    .where('status', '=', 'pending')
    .execute();
}

export interface DatesCancelledNotice {
  /** Confirmed sign-ups told. */
  signUps: number;
  /** Pending holds released. */
  holds: number;
  /** Waiting-list entries closed, and of those the families told (waiting or offered seats). */
  listClosed: number;
  listTold: number;
}

/**
 * Inside the transaction that cancelled these dates (their rows already 'cancelled'): tells their
 * confirmed sign-ups, withdraws their reminders, releases pending holds and closes the waiting lists.
 */
export async function noticeDatesCancelled(trx: Db, eventIds: number[], now: Date): Promise<DatesCancelledNotice> {
  const done: DatesCancelledNotice = { signUps: 0, holds: 0, listClosed: 0, listTold: 0 };
  if (eventIds.length === 0) return done;
  const dates = await datesOf(trx, eventIds);
  const signUps = await trx
    .selectFrom('event_registration')
    .select(['id', 'event_id', 'reference', 'phone', 'email', 'locale'])
    .where('event_id', 'in', eventIds)
    .where('status', '=', 'confirmed')
    .orderBy('id')
    .execute();
  // The reminder (and a confirmation or an earlier "moved" not yet out) would name a date that is gone.
  await withdraw(
    trx,
    signUps.map((r) => r.id),
    ['event_registration_confirmation', 'event_registration_reminder', 'event_date_moved'],
  );
  for (const r of signUps)
    if (await tell(trx, 'event_date_cancelled', r, dates.get(r.event_id)!, { registrationId: r.id })) done.signUps++;

  // Pending holds: released now, so their code can no longer confirm a seat on a cancelled date.
  const ids = sql.join(eventIds.map((id) => sql`${id}::int`));
  done.holds = await releaseRegistrationHolds(trx, sql`event_id IN (${ids})`, now);

  // The waiting list: read (with the contacts the closing erases), then closed. Offered seats go
  // back to the counter; joins still waiting for their code close untold (never confirmed).
  const entries = await trx
    .selectFrom('wait_entry')
    .select(['id', 'event_id', 'status', 'seats', 'reference', 'phone', 'email', 'locale'])
    .where('event_id', 'in', eventIds)
    .where('status', 'in', ['pending', 'waiting', 'offered'])
    .orderBy('id')
    .forUpdate()
    .execute();
  if (entries.length > 0) {
    await trx
      .updateTable('wait_entry')
      .set({ ...ERASED, status: 'closed', closed_at: now })
      .where(
        'id',
        'in',
        entries.map((e) => e.id),
      )
      .execute();
    for (const e of entries.filter((x) => x.status === 'offered')) await giveSeatsBack(trx, e.event_id!, e.seats);
    // An earlier "moved" to a waiting family, not yet out, would name a date that is gone.
    await withdraw(
      trx,
      entries.map((e) => e.id),
      ['event_date_moved_waiting'],
      'wait_entry_id',
    );
    done.listClosed = entries.length;
    for (const e of entries.filter((x) => x.status !== 'pending'))
      if (e.event_id !== null && (await tell(trx, 'event_date_cancelled', e, dates.get(e.event_id)!, { list: true })))
        done.listTold++;
  }
  return done;
}

export interface DateMovedNotice {
  /** Confirmed sign-ups told. */
  signUps: number;
  /** Families on the date's waiting list told (waiting or holding an offer). */
  listTold: number;
  /** Offers whose deadline came forward to an hour before the new start; offers that ended (back to waiting). */
  offersShortened: number;
  offersEnded: number;
  /** Parties offered seats at once: a date moved later may take offers it was too near to take. */
  offersMade: number;
}

interface ListFamily extends Contact {
  id: number;
  offerEnded: boolean;
}

/**
 * The moved date's waiting list, its rows locked: offers held are fitted to the new start
 * (offerExpiryAfterMove), an offer that cannot be held any more goes back to waiting with its
 * seats given back. Answers the families to tell: those waiting and those holding an offer still
 * within its time (one past it, not lapsed yet, is the round's to lapse).
 *
 * An entry another transaction has locked is skipped, not waited for: it is on its way off the list
 * (accepted, declined, lapsed, left — an offer, the one writer that keeps it on, takes the event's
 * row first, which this transaction holds), and a decline or a lapse locks the entry and then the
 * event's row, so waiting would deadlock. An acceptance's confirmation, rendered at send time,
 * names the new start.
 */
async function fitListToMove(
  trx: Db,
  date: { id: number; starts_at: Date },
  now: Date,
  done: DateMovedNotice,
): Promise<ListFamily[]> {
  const entries = await trx
    .selectFrom('wait_entry')
    .select(['id', 'status', 'seats', 'reference', 'phone', 'email', 'locale', 'offer_expires_at'])
    .where('event_id', '=', date.id)
    .where((eb) =>
      eb.or([eb('status', '=', 'waiting'), eb.and([eb('status', '=', 'offered'), eb('offer_expires_at', '>', now)])]),
    )
    .orderBy('id')
    .forUpdate()
    .skipLocked()
    .execute();
  let seatsBack = 0;
  const families: ListFamily[] = [];
  for (const e of entries) {
    const held = e.status === 'offered' ? e.offer_expires_at! : undefined;
    const until = held && offerExpiryAfterMove(now, held, date.starts_at);
    if (held && until && until.getTime() !== held.getTime()) {
      await trx.updateTable('wait_entry').set({ offer_expires_at: until }).where('id', '=', e.id).execute();
      done.offersShortened++;
    } else if (held && !until) {
      // Its place in line (its id) is kept. No other offer can be made this close to the start
      // either (offerExpiry), so the seats stay free for a sign-up or the door.
      await trx
        .updateTable('wait_entry')
        .set({ status: 'waiting', offered_at: null, offer_expires_at: null })
        .where('id', '=', e.id)
        .execute();
      seatsBack += e.seats;
      done.offersEnded++;
    }
    families.push({ ...e, offerEnded: held !== undefined && !until });
  }
  if (seatsBack > 0) await giveSeatsBack(trx, date.id, seatsBack);
  return families;
}

/**
 * Inside the transaction that moved a published date (its row already at the new start): fits the
 * offers of its waiting list to the new start, then tells its confirmed sign-ups the new day and
 * time (their reminders moved with it) and the families on its list that they still are.
 */
export async function noticeDateMoved(
  trx: Db,
  eventId: number,
  now: Date,
  reminderAt?: string,
): Promise<DateMovedNotice> {
  const done: DateMovedNotice = { signUps: 0, listTold: 0, offersShortened: 0, offersEnded: 0, offersMade: 0 };
  const date = (await datesOf(trx, [eventId])).get(eventId);
  if (!date || date.status !== 'published') return done;
  const families = await fitListToMove(trx, date, now, done);
  if (date.starts_at <= now) return done;
  done.signUps = await tellSignUps(trx, date, now, reminderAt);
  // A "moved" not yet out names the same date: the new one replaces it.
  await withdraw(
    trx,
    families.map((f) => f.id),
    ['event_date_moved_waiting'],
    'wait_entry_id',
  );
  for (const f of families)
    if (
      await tell(trx, 'event_date_moved_waiting', f, date, { waitEntryId: f.id, list: true, offerEnded: f.offerEnded })
    )
      done.listTold++;
  // Free seats the old start was too near to offer (offerExpiry) are offered now, not at the next
  // hourly round; the "moved" message, rendered at send time, then says the offer is held.
  done.offersMade = await offerEventSeats(trx, eventId, now);
  return done;
}

/** The moved date's confirmed sign-ups told, their reminders moved with the new start; answers how many were told. */
async function tellSignUps(
  trx: Db,
  date: { id: number; slug: string; series_slug: string | null; starts_at: Date },
  now: Date,
  reminderAt?: string,
): Promise<number> {
  const eventId = date.id;
  const signUps = await trx
    .selectFrom('event_registration')
    .select(['id', 'reference', 'phone', 'email', 'locale', 'seats'])
    .where('event_id', '=', eventId)
    .where('status', '=', 'confirmed')
    .orderBy('id')
    .execute();
  if (signUps.length === 0) return 0;
  const ids = signUps.map((r) => r.id);
  // A "moved" not yet out names the same date: the new one replaces it (both render the start as it is then).
  await withdraw(trx, ids, ['event_date_moved']);
  const remindAt = reminderTime(date.starts_at, reminderAt);
  const pending = await trx
    .updateTable('outbox')
    .set(remindAt > now ? { send_after: remindAt } : { status: 'cancelled' })
    .where('registration_id', 'in', ids)
    .where('kind', '=', 'event_registration_reminder')
    .where('status', '=', 'pending')
    .returning('registration_id')
    .execute();
  const reminded = new Set(pending.map((r) => r.registration_id));
  let told = 0;
  for (const r of signUps) {
    if (await tell(trx, 'event_date_moved', r, date, { registrationId: r.id })) told++;
    // Its reminder already went (the old date was near): one more for the new date. Its "we can't
    // come" link is in the confirmation already; the token itself is not kept (only its hash).
    const recipient = smsRecipientOf(r.phone) ?? r.email;
    if (!reminded.has(r.id) && remindAt > now && recipient)
      await enqueueMessage(trx, {
        kind: 'event_registration_reminder',
        channel: smsRecipientOf(r.phone) ? 'sms' : 'email',
        recipient,
        locale: r.locale as Locale,
        payload: { reference: r.reference, eventSlug: date.slug, seats: r.seats, cancelToken: null },
        registrationId: r.id,
        sendAfter: remindAt,
      });
  }
  return told;
}
