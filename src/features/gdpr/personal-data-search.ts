// The GDPR desk (admins only: `can(actor, {kind: 'gdpr'})`, checked by its actions and page):
// everything stored about an email address or a phone number, across bookings, pledges,
// volunteers, event sign-ups and waiting lists (event-personal-data.ts), the outbox and staff accounts. This file: the key searched for, the rows that
// match it, and what the desk shows of them. The export is in personal-data-export.ts, the
// erasure in personal-data-erasure.ts.
//
// The audit log records each search, export and erasure with the kind of key and the counts —
// never the email address or phone number itself.
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db, Role } from '#/server/db/database.ts';
import { normalizeEmail, normalizePhone } from '#/lib/contact.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { contactMatch, inIds } from './contact-match.ts';

export { inIds };
import { eventMatches, matchEventIds, type EventMatches } from './event-personal-data.ts';

export interface PersonalDataQuery {
  email?: string | null;
  phone?: string | null;
}

export type KeyKind = 'email' | 'phone' | 'email+phone';

export interface PersonalKey {
  email: string | null;
  phone: string | null;
  kind: KeyKind;
}

export type KeyProblem = 'empty' | 'email' | 'phone';

/** The normalised key (the way the forms store contacts), or what is wrong with it. */
export function normalizeQuery(
  query: PersonalDataQuery,
): { ok: true; key: PersonalKey } | { ok: false; problems: KeyProblem[] } {
  const rawEmail = query.email?.trim() ?? '';
  const rawPhone = query.phone?.trim() ?? '';
  if (!rawEmail && !rawPhone) return { ok: false, problems: ['empty'] };
  const problems: KeyProblem[] = [];
  const email = rawEmail ? (normalizeEmail(rawEmail) ?? null) : null;
  const phone = rawPhone ? (normalizePhone(rawPhone) ?? null) : null;
  if (rawEmail && !email) problems.push('email');
  if (rawPhone && !phone) problems.push('phone');
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, key: { email, phone, kind: email && phone ? 'email+phone' : email ? 'email' : 'phone' } };
}

export const PERSONAL_TABLES = [
  'booking',
  'pledge',
  'volunteer',
  'event_registration',
  'wait_entry',
  'outbox',
  'app_user',
] as const;
export type PersonalTable = (typeof PERSONAL_TABLES)[number];
export type PersonalCounts = Record<PersonalTable, number>;

export interface PersonalDataMatches extends EventMatches {
  key: PersonalKey;
  bookings: { id: number; reference: string; deskName: string; startsAt: Date; status: string }[];
  pledges: { id: number; reference: string; pointName: string; windowStartsAt: Date; status: string }[];
  volunteers: { id: number; name: string; status: string; municipi: number[] }[];
  outbox: { id: number; kind: string; status: string; createdAt: Date }[];
  users: { id: number; displayName: string; role: Role; disabledAt: Date | null }[];
  counts: PersonalCounts;
}

export async function matchIds(db: Db, key: PersonalKey) {
  const [bookings, pledges, volunteers, users, events] = await Promise.all([
    db.selectFrom('booking').select('id').where('erased_at', 'is', null).where(contactMatch(key, 'booking')).execute(),
    db.selectFrom('pledge').select('id').where('erased_at', 'is', null).where(contactMatch(key, 'pledge')).execute(),
    db.selectFrom('volunteer').select('id').where(contactMatch(key, 'volunteer')).execute(),
    key.email
      ? db
          .selectFrom('app_user')
          .select('id')
          .where(sql<boolean>`lower(email) = ${key.email}`)
          .execute()
      : Promise.resolve([]),
    matchEventIds(db, key),
  ]);
  const ids = {
    ...events,
    booking: bookings.map((r) => r.id),
    pledge: pledges.map((r) => r.id),
    volunteer: volunteers.map((r) => r.id),
    app_user: users.map((r) => r.id),
  };
  const outbox = await db
    .selectFrom('outbox')
    .select('id')
    .where((eb) => {
      const ors: Expression<SqlBool>[] = [];
      if (key.email) ors.push(sql<boolean>`lower(outbox.recipient) = ${key.email}`);
      // SMS are addressed to the phone in E.164, as bookings store it (a reply's help text has no booking).
      if (key.phone) ors.push(eb('recipient', '=', key.phone));
      if (ids.booking.length) ors.push(eb('booking_id', 'in', ids.booking));
      if (ids.pledge.length) ors.push(eb('pledge_id', 'in', ids.pledge));
      if (ids.volunteer.length) ors.push(eb('volunteer_id', 'in', ids.volunteer));
      if (ids.event_registration.length) ors.push(eb('registration_id', 'in', ids.event_registration));
      return ors.length ? eb.or(ors) : sql<boolean>`false`;
    })
    .execute();
  return { ...ids, outbox: outbox.map((r) => r.id) };
}

type Ids = Awaited<ReturnType<typeof matchIds>>;
export const countsOf = (ids: Ids): PersonalCounts => ({
  booking: ids.booking.length,
  pledge: ids.pledge.length,
  volunteer: ids.volunteer.length,
  event_registration: ids.event_registration.length,
  wait_entry: ids.wait_entry.length,
  outbox: ids.outbox.length,
  app_user: ids.app_user.length,
});

/**
 * What is stored about the person: a short view of each matching row (for the page) and the counts.
 * With `actorUserId`, the search is recorded in the audit log (kind of key and counts only).
 */
export async function findPersonalData(
  db: Db,
  query: PersonalDataQuery,
  options: { actorUserId?: number } = {},
): Promise<PersonalDataMatches | { problems: KeyProblem[] }> {
  const normalized = normalizeQuery(query);
  if (!normalized.ok) return { problems: normalized.problems };
  const { key } = normalized;
  const ids = await matchIds(db, key);
  const [bookings, pledges, volunteers, outbox, users, events] = await Promise.all([
    db
      .selectFrom('booking')
      .innerJoin('desk', 'desk.id', 'booking.desk_id')
      .select(['booking.id', 'booking.reference', 'desk.name', 'booking.starts_at', 'booking.status'])
      .where('booking.id', 'in', inIds(ids.booking))
      .orderBy('booking.starts_at', 'desc')
      .execute(),
    db
      .selectFrom('pledge')
      .innerJoin('collection_window', 'collection_window.id', 'pledge.collection_window_id')
      .innerJoin('drop_off_point', 'drop_off_point.id', 'collection_window.drop_off_point_id')
      .select(['pledge.id', 'pledge.reference', 'drop_off_point.name', 'collection_window.starts_at', 'pledge.status'])
      .where('pledge.id', 'in', inIds(ids.pledge))
      .orderBy('collection_window.starts_at', 'desc')
      .execute(),
    db
      .selectFrom('volunteer')
      .select(['id', 'name', 'status', 'municipi'])
      .where('id', 'in', inIds(ids.volunteer))
      .orderBy('id')
      .execute(),
    db
      .selectFrom('outbox')
      .select(['id', 'kind', 'status', 'created_at'])
      .where('id', 'in', inIds(ids.outbox))
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .execute(),
    db
      .selectFrom('app_user')
      .select(['id', 'display_name', 'role', 'disabled_at'])
      .where('id', 'in', inIds(ids.app_user))
      .orderBy('id')
      .execute(),
    eventMatches(db, ids),
  ]);
  const counts = countsOf(ids);
  if (options.actorUserId !== undefined)
    await writeAudit(db, {
      actorUserId: options.actorUserId,
      action: 'gdpr.search',
      detail: { key: key.kind, counts },
    });
  return {
    key,
    bookings: bookings.map((b) => ({
      id: b.id,
      reference: b.reference,
      deskName: b.name,
      startsAt: b.starts_at,
      status: b.status,
    })),
    pledges: pledges.map((p) => ({
      id: p.id,
      reference: p.reference,
      pointName: p.name,
      windowStartsAt: p.starts_at,
      status: p.status,
    })),
    volunteers: volunteers.map((v) => ({ id: v.id, name: v.name, status: v.status, municipi: v.municipi.map(Number) })),
    outbox: outbox.map((o) => ({ id: o.id, kind: o.kind, status: o.status, createdAt: o.created_at })),
    users: users.map((u) => ({ id: u.id, displayName: u.display_name, role: u.role, disabledAt: u.disabled_at })),
    ...events,
    counts,
  };
}

export const isKeyProblem = (r: PersonalDataMatches | { problems: KeyProblem[] }): r is { problems: KeyProblem[] } =>
  'problems' in r;
