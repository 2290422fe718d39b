// The GDPR desk's part for events (issue #13): a family's sign-ups (event_registration) and its
// waiting-list entries (wait_entry, for event seats and desk places), found by the same email or
// phone key as bookings and pledges; shown, exported and erased with the rest (personal-data-*.ts).
// Erasing first cancels what still holds seats or a place (a sign-up to come, pending or confirmed;
// an entry waiting or offered), so they go on to the waiting families in turn, then drops the
// personal columns and keeps the rows (references and party sizes) for the counts staff see.
import type { Db } from '#/server/db/database.ts';
import { cancelRegistrationById } from '#/features/events/registration-holds.ts';
import { closeWaitEntry } from '#/features/waitlist/respond.ts';
import { ERASED } from '#/features/waitlist/wait-erase.ts';
import type { LocalizedText } from '#/lib/locales.ts';
import { contactMatch, inIds } from './contact-match.ts';
import { isoDates } from './iso-dates.ts';

type Key = { email: string | null; phone: string | null };

export async function matchEventIds(db: Db, key: Key) {
  const [registrations, entries] = await Promise.all([
    db.selectFrom('event_registration').select('id').where(contactMatch(key, 'event_registration')).execute(),
    db.selectFrom('wait_entry').select('id').where(contactMatch(key, 'wait_entry')).execute(),
  ]);
  return { event_registration: registrations.map((r) => r.id), wait_entry: entries.map((r) => r.id) };
}
export type EventIds = Awaited<ReturnType<typeof matchEventIds>>;

export interface EventMatches {
  registrations: { id: number; reference: string; eventTitle: LocalizedText; startsAt: Date; status: string }[];
  waitEntries: {
    id: number;
    reference: string;
    eventTitle: LocalizedText | null;
    deskName: string | null;
    status: string;
  }[];
}

/** What the desk lists of them: reference, what it is for, and its status. */
export async function eventMatches(db: Db, ids: EventIds): Promise<EventMatches> {
  const [registrations, entries] = await Promise.all([
    db
      .selectFrom('event_registration as r')
      .innerJoin('event as e', 'e.id', 'r.event_id')
      .select(['r.id', 'r.reference', 'e.title', 'e.starts_at', 'r.status'])
      .where('r.id', 'in', inIds(ids.event_registration))
      .orderBy('e.starts_at', 'desc')
      .execute(),
    db
      .selectFrom('wait_entry as w')
      .leftJoin('event as e', 'e.id', 'w.event_id')
      .leftJoin('desk as d', 'd.id', 'w.desk_id')
      .select(['w.id', 'w.reference', 'e.title', 'd.name', 'w.status'])
      .where('w.id', 'in', inIds(ids.wait_entry))
      .orderBy('w.id', 'desc')
      .execute(),
  ]);
  return {
    registrations: registrations.map((r) => ({
      id: r.id,
      reference: r.reference,
      eventTitle: r.title,
      startsAt: r.starts_at,
      status: r.status,
    })),
    waitEntries: entries.map((w) => ({
      id: w.id,
      reference: w.reference,
      eventTitle: w.title,
      deskName: w.name,
      status: w.status,
    })),
  };
}

/** Their rows for the export: the columns that describe the person, no token hashes or keys. */
export async function exportEventRows(db: Db, ids: EventIds) {
  const [registrations, entries] = await Promise.all([
    db
      .selectFrom('event_registration as r')
      .innerJoin('event as e', 'e.id', 'r.event_id')
      .select([
        'r.id',
        'r.reference',
        'e.slug as event',
        'e.starts_at',
        'r.adults',
        'r.children_0_3',
        'r.children_3_6',
        'r.children_6_11',
        'r.children_11_14',
        'r.seats',
        'r.name',
        'r.phone',
        'r.email',
        'r.locale',
        'r.status',
        'r.arrived_at',
        'r.created_at',
      ])
      .where('r.id', 'in', inIds(ids.event_registration))
      .orderBy('r.id')
      .execute(),
    db
      .selectFrom('wait_entry as w')
      .leftJoin('event as e', 'e.id', 'w.event_id')
      .leftJoin('desk as d', 'd.id', 'w.desk_id')
      .select([
        'w.id',
        'w.reference',
        'e.slug as event',
        'd.slug as desk',
        'w.from_day',
        'w.to_day',
        'w.seats',
        'w.name',
        'w.phone',
        'w.email',
        'w.locale',
        'w.status',
        'w.offered_at',
        'w.offer_expires_at',
        'w.created_at',
      ])
      .where('w.id', 'in', inIds(ids.wait_entry))
      .orderBy('w.id')
      .execute(),
  ]);
  return { event_registration: registrations.map(isoDates), wait_entry: entries.map(isoDates) };
}

/**
 * Erases them in the caller's transaction (see the top of this file). Returns how many sign-ups were
 * cancelled and entries closed, and the public pages whose seats changed.
 */
export async function eraseEventData(trx: Db, ids: EventIds, now: Date) {
  const cacheTags = new Set<string>();
  let registrationsCancelled = 0;
  let waitClosed = 0;
  // Entries first: the seats the sign-ups below give back are not offered to the person erased.
  if (ids.wait_entry.length) {
    for (const id of ids.wait_entry) if (await closeWaitEntry(trx, id, now)) waitClosed++;
    await trx
      .updateTable('wait_entry')
      .set({ ...ERASED, token_hash: null })
      .where('id', 'in', ids.wait_entry)
      .execute();
  }
  if (ids.event_registration.length) {
    const coming = await trx
      .selectFrom('event_registration as r')
      .innerJoin('event as e', 'e.id', 'r.event_id')
      .select('r.id')
      .where('r.id', 'in', ids.event_registration)
      .where('r.status', 'in', ['pending', 'confirmed'])
      .where('e.starts_at', '>', now)
      .execute();
    for (const r of coming) {
      const done = await cancelRegistrationById(trx, r.id, ['pending', 'confirmed'], now);
      if (!done) continue;
      registrationsCancelled++;
      cacheTags.add('events').add(`event:${done.eventSlug}`);
    }
    await trx.deleteFrom('verification_code').where('registration_id', 'in', ids.event_registration).execute();
    await trx
      .updateTable('event_registration')
      .set({
        name: null,
        phone: null,
        email: null,
        cancel_token_hash: null,
        submission_key: null,
        hold_client: null,
      })
      .where('id', 'in', ids.event_registration)
      .execute();
  }
  return { registrationsCancelled, waitClosed, cacheTags: [...cacheTags] };
}
