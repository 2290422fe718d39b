// A pledge as its confirmation page, manage page and calendar file show it: reference, what and
// how many, where and when. No name or contact is ever part of it. The collection window with its
// drop-off point is read by getCollectionWindow, which the staff pages use too.
import type { Db, PledgeStatus } from '#/server/db/database.ts';
import type { LocalizedText } from '#/lib/locales.ts';
import type { DropOffPoint } from './campaigns.ts';

export interface WindowInfo {
  id: number;
  startsAt: Date;
  endsAt: Date;
  point: Omit<DropOffPoint, 'isSample' | 'windows'>;
  campaignSlug: string;
}

export interface PledgeView {
  id: number;
  reference: string;
  status: PledgeStatus;
  hasEmail: boolean;
  lines: { item: string; name: LocalizedText; quantity: number }[];
  window: { id: number; startsAt: Date; endsAt: Date };
  point: { slug: string; name: string; address: string; notes: LocalizedText | null };
}

const isRowId = (id: number) => Number.isSafeInteger(id) && id >= 1 && id <= 2147483647;

/** A collection window with its drop-off point, or undefined (no authorization here: see `can`). */
export async function getCollectionWindow(db: Db, windowId: number): Promise<WindowInfo | undefined> {
  if (!isRowId(windowId)) return undefined;
  const row = await db
    .selectFrom('collection_window')
    .innerJoin('drop_off_point', 'drop_off_point.id', 'collection_window.drop_off_point_id')
    .innerJoin('campaign', 'campaign.id', 'drop_off_point.campaign_id')
    .select([
      'collection_window.id',
      'collection_window.starts_at',
      'collection_window.ends_at',
      'drop_off_point.id as point_id',
      'drop_off_point.slug as point_slug',
      'drop_off_point.name as point_name',
      'drop_off_point.address as point_address',
      'drop_off_point.municipio_id',
      'drop_off_point.notes as point_notes',
      'campaign.slug as campaign_slug',
    ])
    .where('collection_window.id', '=', windowId)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      startsAt: row.starts_at,
      endsAt: row.ends_at,
      point: {
        id: row.point_id,
        slug: row.point_slug,
        name: row.point_name,
        address: row.point_address,
        municipioId: row.municipio_id,
        notes: row.point_notes,
      },
      campaignSlug: row.campaign_slug,
    }
  );
}

export async function loadPledgeView(db: Db, pledgeId: number): Promise<PledgeView | undefined> {
  if (!isRowId(pledgeId)) return undefined;
  const row = await db
    .selectFrom('pledge')
    .select(['id', 'reference', 'status', 'email', 'collection_window_id'])
    .where('id', '=', pledgeId)
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const [window, lines] = await Promise.all([
    getCollectionWindow(db, row.collection_window_id),
    db
      .selectFrom('pledge_item')
      .innerJoin('campaign_item', 'campaign_item.id', 'pledge_item.campaign_item_id')
      .select(['campaign_item.slug', 'campaign_item.name', 'pledge_item.quantity'])
      .where('pledge_item.pledge_id', '=', row.id)
      .orderBy('campaign_item.position')
      .orderBy('campaign_item.id')
      .execute(),
  ]);
  if (!window) return undefined;
  const { slug, name, address, notes } = window.point;
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    hasEmail: row.email !== null,
    lines: lines.map((l) => ({ item: l.slug, name: l.name, quantity: l.quantity })),
    window: { id: window.id, startsAt: window.startsAt, endsAt: window.endsAt },
    point: { slug, name, address, notes },
  };
}

/** The UID of the drop-off in calendars: adding the file twice updates one entry. */
export function pledgeEventUid(reference: string, origin: string): string {
  return `pledge-${reference}@${new URL(origin).hostname}`;
}
