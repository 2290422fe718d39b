// The GDPR desk (admins only: `can(actor, {kind: 'gdpr'})`, checked by the page): everything stored
// about an email address or a phone number, across bookings, pledges, volunteers, the email outbox
// and staff accounts; its export as JSON (right of access, art. 15) and its erasure (right to
// erasure, art. 17).
//
// Erasure is the same as the retention jobs (bookings.ts, pledges.ts): the personal columns are
// nulled and `erased_at` set, so counts and statistics stay; outbox rows and volunteer rows are
// deleted. An open pledge is cancelled first, so its quantities are needed again; a confirmed
// future booking is cancelled first, so its place frees. A staff account is anonymised and disabled
// (its audit trail keeps the id, nothing else). All of it in one transaction.
//
// The audit log records each search, export and erasure with the kind of key and the counts —
// never the email address or phone number itself.
import { sql, type Expression, type SqlBool } from 'kysely';
import type { Db, Role } from '#/server/db/database.ts';
import { normalizeEmail, normalizePhone } from '#/features/booking/contact.ts';
import { cancelBooking } from '#/features/booking/bookings.ts';
import { cancelPledge } from '#/features/campaign/pledges.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import type { LocalizedText } from '#/lib/locales.ts';
import { CACHE_TAGS } from '#/server/cache/live-page.ts';

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

export const PERSONAL_TABLES = ['booking', 'pledge', 'volunteer', 'outbox', 'app_user'] as const;
export type PersonalTable = (typeof PERSONAL_TABLES)[number];
export type PersonalCounts = Record<PersonalTable, number>;

export interface PersonalDataMatches {
  key: PersonalKey;
  bookings: { id: number; reference: string; deskName: string; startsAt: Date; status: string }[];
  pledges: { id: number; reference: string; pointName: string; windowStartsAt: Date; status: string }[];
  volunteers: { id: number; name: string; status: string; municipi: number[] }[];
  outbox: { id: number; kind: string; status: string; createdAt: Date }[];
  users: { id: number; displayName: string; role: Role; disabledAt: Date | null }[];
  counts: PersonalCounts;
}

type Matcher = { email: string | null; phone: string | null };

/** WHERE email/phone match, case-insensitive on the email (older rows may not be lower-case). */
function contactMatch(key: Matcher, table: 'booking' | 'pledge' | 'volunteer') {
  const parts = [];
  if (key.email) parts.push(sql`lower(${sql.ref(`${table}.email`)}) = ${key.email}`);
  if (key.phone) parts.push(sql`${sql.ref(`${table}.phone`)} = ${key.phone}`);
  return sql<boolean>`(${sql.join(parts, sql` or `)})`;
}

async function matchIds(db: Db, key: PersonalKey) {
  const [bookings, pledges, volunteers, users] = await Promise.all([
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
  ]);
  const ids = {
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
      if (ids.booking.length) ors.push(eb('booking_id', 'in', ids.booking));
      if (ids.pledge.length) ors.push(eb('pledge_id', 'in', ids.pledge));
      if (ids.volunteer.length) ors.push(eb('volunteer_id', 'in', ids.volunteer));
      return ors.length ? eb.or(ors) : sql<boolean>`false`;
    })
    .execute();
  return { ...ids, outbox: outbox.map((r) => r.id) };
}

type Ids = Awaited<ReturnType<typeof matchIds>>;
const countsOf = (ids: Ids): PersonalCounts => ({
  booking: ids.booking.length,
  pledge: ids.pledge.length,
  volunteer: ids.volunteer.length,
  outbox: ids.outbox.length,
  app_user: ids.app_user.length,
});
const none = [-1];
const inIds = (ids: number[]) => (ids.length ? ids : none);

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
  const [bookings, pledges, volunteers, outbox, users] = await Promise.all([
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
    counts,
  };
}

export const isKeyProblem = (r: PersonalDataMatches | { problems: KeyProblem[] }): r is { problems: KeyProblem[] } =>
  'problems' in r;

/** Secrets are not the person's data and would open their bookings: never in an export. */
function withoutTokens(payload: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(payload ?? {}).filter(([k]) => !/token|secret|password/i.test(k)));
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export interface PersonalDataExport {
  exportedAt: string;
  key: KeyKind;
  booking: Record<string, unknown>[];
  pledge: Record<string, unknown>[];
  volunteer: Record<string, unknown>[];
  outbox: Record<string, unknown>[];
  app_user: Record<string, unknown>[];
}

/**
 * Everything stored about the person, one array per table with only their rows and only the
 * columns that describe them (no token hashes, keys or password hashes). Recorded in the audit log.
 */
export async function exportPersonalData(
  db: Db,
  query: PersonalDataQuery,
  options: { actorUserId: number | null; now?: Date },
): Promise<PersonalDataExport | { problems: KeyProblem[] }> {
  const normalized = normalizeQuery(query);
  if (!normalized.ok) return { problems: normalized.problems };
  const { key } = normalized;
  const ids = await matchIds(db, key);
  const [bookings, pledges, pledgeItems, volunteers, outbox, users, userMunicipi, userDesks] = await Promise.all([
    db
      .selectFrom('booking')
      .innerJoin('desk', 'desk.id', 'booking.desk_id')
      .select([
        'booking.id',
        'booking.reference',
        'desk.name as desk',
        'booking.starts_at',
        'booking.ends_at',
        'booking.status',
        'booking.topic',
        'booking.note',
        'booking.first_name',
        'booking.email',
        'booking.phone',
        'booking.locale',
        'booking.source',
        'booking.created_at',
        'booking.cancelled_at',
      ])
      .where('booking.id', 'in', inIds(ids.booking))
      .orderBy('booking.id')
      .execute(),
    db
      .selectFrom('pledge')
      .innerJoin('campaign', 'campaign.id', 'pledge.campaign_id')
      .innerJoin('collection_window', 'collection_window.id', 'pledge.collection_window_id')
      .innerJoin('drop_off_point', 'drop_off_point.id', 'collection_window.drop_off_point_id')
      .select([
        'pledge.id',
        'pledge.reference',
        'campaign.slug as campaign',
        'drop_off_point.name as drop_off_point',
        'drop_off_point.address as drop_off_address',
        'collection_window.starts_at as window_starts_at',
        'collection_window.ends_at as window_ends_at',
        'pledge.status',
        'pledge.first_name',
        'pledge.email',
        'pledge.phone',
        'pledge.locale',
        'pledge.created_at',
        'pledge.closed_at',
      ])
      .where('pledge.id', 'in', inIds(ids.pledge))
      .orderBy('pledge.id')
      .execute(),
    db
      .selectFrom('pledge_item')
      .innerJoin('campaign_item', 'campaign_item.id', 'pledge_item.campaign_item_id')
      .select(['pledge_item.pledge_id', 'campaign_item.slug', 'campaign_item.name', 'pledge_item.quantity'])
      .where('pledge_item.pledge_id', 'in', inIds(ids.pledge))
      .orderBy('campaign_item.position')
      .execute(),
    db
      .selectFrom('volunteer')
      .select([
        'id',
        'name',
        'email',
        'phone',
        'municipi',
        'skills',
        'languages',
        'availability',
        'note',
        'locale',
        'status',
        'consent_at',
        'created_at',
        'confirmed_at',
      ])
      .where('id', 'in', inIds(ids.volunteer))
      .orderBy('id')
      .execute(),
    db
      .selectFrom('outbox')
      .select([
        'id',
        'kind',
        'recipient',
        'locale',
        'payload',
        'status',
        'booking_id',
        'pledge_id',
        'volunteer_id',
        'created_at',
        'send_after',
        'sent_at',
      ])
      .where('id', 'in', inIds(ids.outbox))
      .orderBy('id')
      .execute(),
    db
      .selectFrom('app_user')
      .leftJoin('organisation', 'organisation.id', 'app_user.organisation_id')
      .select([
        'app_user.id',
        'app_user.email',
        'app_user.display_name',
        'app_user.role',
        'organisation.name as organisation',
        'app_user.created_at',
        'app_user.disabled_at',
        'app_user.totp_enabled_at',
        'app_user.password_changed_at',
      ])
      .where('app_user.id', 'in', inIds(ids.app_user))
      .orderBy('app_user.id')
      .execute(),
    db
      .selectFrom('user_municipio')
      .select(['user_id', 'municipio_id'])
      .where('user_id', 'in', inIds(ids.app_user))
      .execute(),
    db
      .selectFrom('user_desk')
      .innerJoin('desk', 'desk.id', 'user_desk.desk_id')
      .select(['user_desk.user_id', 'desk.name'])
      .where('user_desk.user_id', 'in', inIds(ids.app_user))
      .execute(),
  ]);
  const result: PersonalDataExport = {
    exportedAt: (options.now ?? new Date()).toISOString(),
    key: key.kind,
    booking: bookings.map((b) => ({
      ...b,
      starts_at: iso(b.starts_at),
      ends_at: iso(b.ends_at),
      created_at: iso(b.created_at),
      cancelled_at: iso(b.cancelled_at),
    })),
    pledge: pledges.map((p) => ({
      ...p,
      window_starts_at: iso(p.window_starts_at),
      window_ends_at: iso(p.window_ends_at),
      created_at: iso(p.created_at),
      closed_at: iso(p.closed_at),
      items: pledgeItems
        .filter((i) => i.pledge_id === p.id)
        .map((i) => ({ item: i.slug, name: (i.name as LocalizedText).it, quantity: i.quantity })),
    })),
    volunteer: volunteers.map((v) => ({
      ...v,
      municipi: v.municipi.map(Number),
      consent_at: iso(v.consent_at),
      created_at: iso(v.created_at),
      confirmed_at: iso(v.confirmed_at),
    })),
    outbox: outbox.map((o) => ({
      ...o,
      payload: withoutTokens(o.payload),
      created_at: iso(o.created_at),
      send_after: iso(o.send_after),
      sent_at: iso(o.sent_at),
    })),
    app_user: users.map((u) => ({
      ...u,
      municipi: userMunicipi.filter((m) => m.user_id === u.id).map((m) => Number(m.municipio_id)),
      desks: userDesks.filter((d) => d.user_id === u.id).map((d) => d.name),
      created_at: iso(u.created_at),
      disabled_at: iso(u.disabled_at),
      totp_enabled_at: iso(u.totp_enabled_at),
      password_changed_at: iso(u.password_changed_at),
    })),
  };
  await writeAudit(db, {
    actorUserId: options.actorUserId,
    action: 'gdpr.export',
    detail: { key: key.kind, counts: countsOf(ids) },
  });
  return result;
}

export interface ErasureCounts extends PersonalCounts {
  bookingsCancelled: number;
  pledgesCancelled: number;
}

export type ErasureResult =
  | { ok: true; counts: ErasureCounts; cacheTags: string[] }
  | { ok: false; reason: 'invalid'; problems: KeyProblem[] }
  | { ok: false; reason: 'self' };

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
    if (ids.booking.length) {
      // A confirmed appointment still to come is cancelled first, so its place frees.
      const future = await trx
        .selectFrom('booking')
        .select('id')
        .where('id', 'in', ids.booking)
        .where('status', '=', 'confirmed')
        .where('starts_at', '>', now)
        .execute();
      for (const b of future) if (await cancelBooking(trx, b.id, now)) bookingsCancelled++;
      if (bookingsCancelled > 0) {
        const desks = await trx
          .selectFrom('desk')
          .select('slug')
          .where(
            'id',
            'in',
            trx
              .selectFrom('booking')
              .select('desk_id')
              .where(
                'id',
                'in',
                future.map((b) => b.id),
              ),
          )
          .execute();
        for (const d of desks) cacheTags.add(CACHE_TAGS.slots(d.slug));
      }
      await trx
        .updateTable('booking')
        .set({
          first_name: null,
          email: null,
          phone: null,
          note: null,
          manage_token_hash: null,
          submission_key: null,
          erased_at: now,
        })
        .where('id', 'in', ids.booking)
        .execute();
    }
    if (ids.pledge.length) {
      // An open pledge is cancelled first, so its quantities are needed again.
      const open = await trx
        .selectFrom('pledge')
        .select('id')
        .where('id', 'in', ids.pledge)
        .where('status', '=', 'pledged')
        .execute();
      for (const p of open) if (await cancelPledge(trx, p.id, now)) pledgesCancelled++;
      if (pledgesCancelled > 0) {
        const campaigns = await trx
          .selectFrom('campaign')
          .select('slug')
          .where(
            'id',
            'in',
            trx
              .selectFrom('pledge')
              .select('campaign_id')
              .where(
                'id',
                'in',
                open.map((p) => p.id),
              ),
          )
          .execute();
        for (const c of campaigns) cacheTags.add(CACHE_TAGS.campaign(c.slug));
      }
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
        if (key.email) ors.push(sql<boolean>`lower(outbox.recipient) = ${key.email}`);
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
    };
    await writeAudit(trx, {
      actorUserId: options.actorUserId,
      action: 'gdpr.erase',
      detail: { key: key.kind, counts },
    });
    return { ok: true, counts, cacheTags: [...cacheTags] } as const;
  });
}
