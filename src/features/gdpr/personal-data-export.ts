// The right of access (GDPR art. 15): everything stored about the person, as JSON, audited.
import type { Db } from '#/server/db/database.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { selectPledgeWithPlace } from '#/features/campaign/pledge-with-place.ts';
import { exportEventRows } from './event-personal-data.ts';
import { isoDates } from './iso-dates.ts';
import type { LocalizedText } from '#/lib/locales.ts';
import {
  countsOf,
  inIds,
  matchIds,
  normalizeQuery,
  type KeyKind,
  type KeyProblem,
  type PersonalDataQuery,
} from './personal-data-search.ts';

/** Secrets are not the person's data and would open their bookings: never in an export. */
function withoutTokens(payload: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(payload ?? {}).filter(([k]) => !/token|secret|password/i.test(k)));
}

export interface PersonalDataExport {
  exportedAt: string;
  key: KeyKind;
  booking: Record<string, unknown>[];
  pledge: Record<string, unknown>[];
  volunteer: Record<string, unknown>[];
  outbox: Record<string, unknown>[];
  app_user: Record<string, unknown>[];
  /** Event sign-ups and waiting-list entries (event-personal-data.ts); dates as ISO strings in the JSON. */
  event_registration: Record<string, unknown>[];
  wait_entry: Record<string, unknown>[];
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
  const [bookings, pledges, pledgeItems, volunteers, outbox, users, userMunicipi, userDesks, events] =
    await Promise.all([
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
      selectPledgeWithPlace(db)
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
          // A change sent with the address and not yet confirmed from it (volunteers.ts).
          'pending_details',
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
      exportEventRows(db, ids),
    ]);
  const result: PersonalDataExport = {
    exportedAt: (options.now ?? new Date()).toISOString(),
    key: key.kind,
    booking: bookings.map(isoDates),
    pledge: pledges.map((p) => ({
      ...isoDates(p),
      items: pledgeItems
        .filter((i) => i.pledge_id === p.id)
        .map((i) => ({ item: i.slug, name: (i.name as LocalizedText).it, quantity: i.quantity })),
    })),
    volunteer: volunteers.map((v) => ({ ...isoDates(v), municipi: v.municipi.map(Number) })),
    outbox: outbox.map((o) => ({ ...isoDates(o), payload: withoutTokens(o.payload) })),
    app_user: users.map((u) => ({
      ...isoDates(u),
      municipi: userMunicipi.filter((m) => m.user_id === u.id).map((m) => Number(m.municipio_id)),
      desks: userDesks.filter((d) => d.user_id === u.id).map((d) => d.name),
    })),
    ...events,
  };
  await writeAudit(db, {
    actorUserId: options.actorUserId,
    action: 'gdpr.export',
    detail: { key: key.kind, counts: countsOf(ids) },
  });
  return result;
}
