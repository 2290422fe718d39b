// What a family sees from its status link (issue #13): the list it waits on, its position (1 = next
// when seats free up), and an offer with its deadline. Read-only.
import type { Db } from '#/server/db/database.ts';
import type { WaitStatus } from '#/server/db/database.ts';
import { hashToken } from '#/features/booking/reference.ts';
import { WAIT_TOKEN } from './wait-token.ts';

/** 1 + the parties before it still waiting or holding an offer on the same list. */
export async function positionOf(db: Db, id: number): Promise<number> {
  const me = await db.selectFrom('wait_entry').select(['event_id', 'desk_id']).where('id', '=', id).executeTakeFirst();
  if (!me) return 0;
  const before = await db
    .selectFrom('wait_entry')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where(me.event_id !== null ? 'event_id' : 'desk_id', '=', me.event_id ?? me.desk_id)
    .where('status', 'in', ['waiting', 'offered'])
    .where('id', '<', id)
    .executeTakeFirstOrThrow();
  return Number(before.n) + 1;
}

export interface WaitView {
  id: number;
  reference: string;
  status: WaitStatus;
  seats: number;
  position: number;
  offerExpiresAt: Date | null;
  /**
   * An offer made to this entry ran out unanswered: lapsed by the round, or past its deadline and
   * not lapsed yet (the round runs every few minutes). The page says so instead of showing buttons.
   */
  offerExpired: boolean;
  event: { slug: string; title: unknown; startsAt: Date } | null;
  desk: { slug: string; name: string } | null;
  fromDay: string | null;
  toDay: string | null;
  offeredStartsAt: Date | null;
  locale: string;
}

/** The entry a status link names, or undefined for a link that names nothing. */
export async function findWaitByToken(db: Db, token: string, now: Date = new Date()): Promise<WaitView | undefined> {
  if (!WAIT_TOKEN.test(token)) return undefined;
  const row = await db
    .selectFrom('wait_entry as w')
    .leftJoin('event as e', 'e.id', 'w.event_id')
    .leftJoin('desk as d', 'd.id', 'w.desk_id')
    .leftJoin('booking_slot as s', 's.id', 'w.offered_slot_id')
    .select(['w.id', 'w.reference', 'w.status', 'w.seats', 'w.offered_at', 'w.offer_expires_at', 'w.from_day'])
    .select('w.to_day')
    .select(['w.locale', 'e.slug as event_slug', 'e.title', 'e.starts_at', 'd.slug as desk_slug', 'd.name'])
    .select('s.starts_at as slot_starts_at')
    .where('w.token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (!row) return undefined;
  const offerExpired =
    (row.status === 'offered' && (row.offer_expires_at?.getTime() ?? 0) <= now.getTime()) ||
    (row.status === 'lapsed' && row.offered_at !== null);
  const waiting = row.status === 'waiting' || (row.status === 'offered' && !offerExpired);
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    seats: row.seats,
    position: waiting ? await positionOf(db, row.id) : 0,
    offerExpiresAt: row.status === 'offered' ? row.offer_expires_at : null,
    offerExpired,
    event: row.event_slug && row.starts_at ? { slug: row.event_slug, title: row.title, startsAt: row.starts_at } : null,
    desk: row.desk_slug && row.name ? { slug: row.desk_slug, name: row.name } : null,
    fromDay: row.from_day,
    toDay: row.to_day,
    offeredStartsAt: row.status === 'offered' ? row.slot_starts_at : null,
    locale: row.locale,
  };
}

/**
 * Parties waiting (or holding an offer) per event, and after its start those it could not seat (the
 * round closes them): numbers only, for the staff's pages.
 */
export async function waitingCountsByEvent(db: Db, eventIds: readonly number[]) {
  if (eventIds.length === 0) return new Map<number, { parties: number; seats: number }>();
  const rows = await db
    .selectFrom('wait_entry')
    .select([
      'event_id',
      (eb) => eb.fn.countAll<string>().as('parties'),
      (eb) => eb.fn.sum<string>('seats').as('seats'),
    ])
    .where('event_id', 'in', eventIds)
    .where('status', 'in', ['waiting', 'offered', 'closed'])
    .groupBy('event_id')
    .execute();
  return new Map(rows.map((r) => [r.event_id!, { parties: Number(r.parties), seats: Number(r.seats) }]));
}

/** Families waiting for a place at the desk on a day of the range (or holding an offer): a number, for the agenda. */
export async function waitingForDesk(db: Db, deskId: number, range: { from: string; to: string }): Promise<number> {
  const row = await db
    .selectFrom('wait_entry')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('desk_id', '=', deskId)
    .where('status', 'in', ['waiting', 'offered'])
    .where('from_day', '<=', range.to)
    .where('to_day', '>=', range.from)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
