// The staff side of the "zaino sospeso" campaign, read: the drop-off points and collection windows
// of a coordinator's municipi and the pledges to collect in each window.
//
// Authorization: every function that reads pledges takes the actor and checks
// `can(actor, {kind: 'pledges.manage', municipioId})` on the drop-off point the pledge or window
// belongs to, as stored. Pages check first and answer 403; these checks are the second line.
import { sql } from 'kysely';
import type { Db, PledgeStatus } from '#/server/db/database.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import type { LocalizedText } from '#/lib/locales.ts';
import type { Translate } from '#/lib/i18n.ts';
import type { WindowInfo } from './pledge-view.ts';
import { CAMPAIGN_SLUG } from './pledge-form.ts';
import { MUNICIPI } from '#/lib/municipi.ts';

/** Windows that ended longer ago than this are no longer listed (open pledges expire after 48 h). */
const PAST_WINDOW_DAYS = 14;

export interface StaffWindow {
  id: number;
  startsAt: Date;
  endsAt: Date;
  /** Pledges still to collect (status "pledged"). */
  open: number;
  /** All pledges of the window whose data is still kept. */
  total: number;
}

export interface StaffPoint {
  id: number;
  slug: string;
  name: string;
  address: string;
  municipioId: number;
  windows: StaffWindow[];
}

export const canManage = (actor: Actor, municipioId: number) => can(actor, { kind: 'pledges.manage', municipioId });

/** Municipi the actor may manage pledges in (all nine for an admin). */
export function pledgeMunicipi(actor: Actor): number[] {
  return MUNICIPI.filter((m) => canManage(actor, m));
}

/**
 * The drop-off points the actor may manage, with their windows from two weeks ago on and how many
 * pledges each has to collect.
 */
export async function listCollectionPoints(db: Db, actor: Actor, now: Date = new Date()): Promise<StaffPoint[]> {
  const municipi = pledgeMunicipi(actor);
  if (municipi.length === 0) return [];
  const points = await db
    .selectFrom('drop_off_point')
    .innerJoin('campaign', 'campaign.id', 'drop_off_point.campaign_id')
    .select([
      'drop_off_point.id',
      'drop_off_point.slug',
      'drop_off_point.name',
      'drop_off_point.address',
      'drop_off_point.municipio_id',
    ])
    .where('campaign.slug', '=', CAMPAIGN_SLUG)
    .where('drop_off_point.municipio_id', 'in', municipi)
    .orderBy('drop_off_point.municipio_id')
    .orderBy('drop_off_point.name')
    .execute();
  if (points.length === 0) return [];
  const since = new Date(now.getTime() - PAST_WINDOW_DAYS * 86400000);
  const windows = await db
    .selectFrom('collection_window')
    .leftJoin('pledge', (join) =>
      // A pending pledge is no promise yet: staff see it once its code confirmed it.
      join
        .onRef('pledge.collection_window_id', '=', 'collection_window.id')
        .on('pledge.erased_at', 'is', null)
        .on('pledge.status', '!=', 'pending'),
    )
    .select((eb) => [
      'collection_window.id',
      'collection_window.drop_off_point_id',
      'collection_window.starts_at',
      'collection_window.ends_at',
      eb.fn.count<string>('pledge.id').as('total'),
      sql<string>`count(pledge.id) filter (where pledge.status = 'pledged')`.as('open'),
    ])
    .where(
      'collection_window.drop_off_point_id',
      'in',
      points.map((p) => p.id),
    )
    .where('collection_window.ends_at', '>', since)
    .groupBy([
      'collection_window.id',
      'collection_window.drop_off_point_id',
      'collection_window.starts_at',
      'collection_window.ends_at',
    ])
    .orderBy('collection_window.starts_at')
    .execute();
  return points.map((p) => ({
    id: p.id,
    slug: p.slug,
    name: p.name,
    address: p.address,
    municipioId: p.municipio_id,
    windows: windows
      .filter((w) => w.drop_off_point_id === p.id)
      .map((w) => ({
        id: w.id,
        startsAt: w.starts_at,
        endsAt: w.ends_at,
        open: Number(w.open),
        total: Number(w.total),
      })),
  }));
}

export const canManageWindow = (actor: Actor, window: WindowInfo) => canManage(actor, window.point.municipioId);

export interface StaffPledge {
  id: number;
  reference: string;
  status: PledgeStatus;
  firstName: string | null;
  phone: string | null;
  /** The donor's language (their messages'), for the CSV's language column. */
  locale: string;
  lines: { name: LocalizedText; quantity: number }[];
}

/**
 * The pledges of a window whose data is still kept, open ones first. Only what the drop-off needs:
 * reference, first name, items (and the phone, for the CSV). Never the email.
 */
export async function listWindowPledges(
  db: Db,
  actor: Actor,
  window: WindowInfo,
  options: { onlyOpen?: boolean } = {},
): Promise<StaffPledge[] | 'forbidden'> {
  if (!canManageWindow(actor, window)) return 'forbidden';
  let query = db
    .selectFrom('pledge')
    .select(['id', 'reference', 'status', 'first_name', 'phone', 'locale'])
    .where('collection_window_id', '=', window.id)
    .where('erased_at', 'is', null)
    .where('status', '!=', 'pending');
  if (options.onlyOpen) query = query.where('status', '=', 'pledged');
  const pledges = await query
    .orderBy(sql`case when status = 'pledged' then 0 else 1 end`)
    .orderBy('first_name')
    .orderBy('reference')
    .execute();
  if (pledges.length === 0) return [];
  const lines = await db
    .selectFrom('pledge_item')
    .innerJoin('campaign_item', 'campaign_item.id', 'pledge_item.campaign_item_id')
    .select(['pledge_item.pledge_id', 'campaign_item.name', 'pledge_item.quantity'])
    .where(
      'pledge_item.pledge_id',
      'in',
      pledges.map((p) => p.id),
    )
    .orderBy('campaign_item.position')
    .orderBy('campaign_item.id')
    .execute();
  return pledges.map((p) => ({
    id: p.id,
    reference: p.reference,
    status: p.status,
    firstName: p.first_name,
    phone: p.phone,
    locale: p.locale,
    lines: lines.filter((l) => l.pledge_id === p.id).map((l) => ({ name: l.name, quantity: l.quantity })),
  }));
}

/** The words for a pledge's status (literal keys, so the locale test sees each one). */
export function pledgeStatusLabel(status: PledgeStatus, t: Translate): string {
  switch (status) {
    case 'pledged':
      return t('staff.pledges.status.pledged');
    case 'received':
      return t('staff.pledges.status.received');
    case 'not_brought':
      return t('staff.pledges.status.not_brought');
    case 'cancelled':
      return t('staff.pledges.status.cancelled');
    case 'expired':
      return t('staff.pledges.status.expired');
    case 'pending':
      return t('staff.pledges.status.pending');
    case 'lapsed':
      return t('staff.pledges.status.lapsed');
  }
}
