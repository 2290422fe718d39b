// A desk's waiting list (issue #13, "tell me if a place opens"): a place freed by a cancelled or
// moved-away appointment is offered, in the same transaction, to the first family waiting for a day
// in whose range it falls (one place per family: no party sizes here). The offer holds the place
// like a booking does, raising the slot's counter while `booked < capacity` (booking_slot, the
// counter every booking uses), so the place is never given twice; accepting books it.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { romeDateString } from '#/lib/time.ts';
import { hashToken, insertUnderFreshReference } from '#/features/booking/reference.ts';
import { manageTokenFor, queueBookingSms } from '#/features/booking/booking-sms.ts';
import { enqueueConfirmation } from '#/features/booking/booking-messages.ts';
import type { Locale } from '#/lib/locales.ts';
import type { WaitEntryTable } from '#/server/db/database.ts';
import type { Selectable } from 'kysely';
import { offerExpiry } from './offer-rules.ts';
import { queueWaitMessage } from './wait-messages.ts';
import { ERASED } from './wait-erase.ts';

/** Offers the slot's free places to the desk's waiting families in turn; returns how many were offered. */
export async function offerDeskPlace(trx: Db, slotId: number, now: Date): Promise<number> {
  const slot = await trx
    .selectFrom('booking_slot as s')
    .innerJoin('desk as d', 'd.id', 's.desk_id')
    .select(['s.id', 's.desk_id', 's.starts_at', 's.booked', 's.capacity', 'd.slug'])
    .where('s.id', '=', slotId)
    // NO KEY UPDATE, the lock the counter's update takes anyway: a booking inserted meanwhile (its
    // foreign key takes KEY SHARE) is not blocked by it.
    .forNoKeyUpdate('s')
    .executeTakeFirst();
  if (!slot) return 0;
  const expiresAt = offerExpiry(now, slot.starts_at);
  if (!expiresAt) return 0;
  const day = romeDateString(slot.starts_at);
  let offered = 0;
  for (let free = slot.capacity - slot.booked; free > 0; free--) {
    const entry = await trx
      .selectFrom('wait_entry')
      .select(['id', 'reference', 'phone', 'email', 'locale'])
      .where('desk_id', '=', slot.desk_id)
      .where('status', '=', 'waiting')
      .where('from_day', '<=', day)
      .where('to_day', '>=', day)
      .orderBy('id')
      .limit(1)
      // Another place being offered at once (another slot, another transaction) has locked its
      // family: this one goes to the next, and no family is offered two places.
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!entry) break;
    const { rows } = await sql`
      UPDATE booking_slot SET booked = booked + 1 WHERE id = ${slot.id}::int AND booked < capacity RETURNING id`.execute(
      trx,
    );
    if (rows.length === 0) break;
    await trx
      .updateTable('wait_entry')
      .set({ status: 'offered', offered_at: now, offer_expires_at: expiresAt, offered_slot_id: slot.id })
      .where('id', '=', entry.id)
      .where('status', '=', 'waiting')
      .executeTakeFirstOrThrow();
    offered += 1;
    await queueWaitMessage(trx, 'waitlist_offer', entry, {
      deskSlug: slot.slug,
      seats: 1,
      expiresAt,
      startsAt: slot.starts_at,
    });
  }
  return offered;
}

/** The place an offer held, given back (declined or lapsed) and offered to the next family. */
export async function giveDeskPlaceBack(trx: Db, slotId: number, now: Date): Promise<void> {
  await sql`UPDATE booking_slot SET booked = booked - 1 WHERE id = ${slotId}::int`.execute(trx);
  await offerDeskPlace(trx, slotId, now);
}

/** Accepting a desk offer (the entry locked by the caller): the held place becomes a confirmed booking. */
export async function acceptDeskOffer(
  trx: Db,
  entry: Selectable<WaitEntryTable>,
  now: Date,
  reminderAt?: string,
): Promise<{ ok: true; kind: 'desk'; deskSlug: string; reference: string }> {
  const slot = await trx
    .selectFrom('booking_slot as s')
    .innerJoin('desk as d', 'd.id', 's.desk_id')
    .select(['s.id', 's.desk_id', 's.starts_at', 's.ends_at', 'd.slug'])
    .where('s.id', '=', entry.offered_slot_id!)
    .executeTakeFirstOrThrow();
  const manageToken = manageTokenFor(entry);
  const booking = await insertUnderFreshReference('QB', (reference) =>
    trx
      .insertInto('booking')
      .values({
        reference,
        desk_id: slot.desk_id,
        slot_id: slot.id,
        starts_at: slot.starts_at,
        ends_at: slot.ends_at,
        first_name: entry.name,
        email: entry.email,
        phone: entry.phone,
        locale: entry.locale,
        manage_token_hash: manageToken ? hashToken(manageToken) : null,
        source: 'public',
      })
      .onConflict((oc) => oc.column('reference').doNothing())
      .returning(['id', 'reference'])
      .executeTakeFirst(),
  );
  await trx
    .updateTable('wait_entry')
    .set({ ...ERASED, status: 'accepted', booking_id: booking.id, closed_at: now })
    .where('id', '=', entry.id)
    .execute();
  const locale = entry.locale as Locale;
  const common = { reference: booking.reference, start: slot.starts_at, end: slot.ends_at, manageToken };
  if (entry.email)
    await enqueueConfirmation(
      trx,
      { ...common, bookingId: booking.id, deskSlug: slot.slug, email: entry.email, locale },
      now,
      reminderAt,
    );
  await queueBookingSms(
    trx,
    'booking_confirmation',
    { ...common, id: booking.id, phone: entry.phone, locale, desk: { id: slot.desk_id } },
    now,
    reminderAt,
  );
  return { ok: true, kind: 'desk', deskSlug: slot.slug, reference: booking.reference };
}
