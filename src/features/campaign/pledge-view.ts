// A pledge as its confirmation page, manage page and calendar file show it: reference, what and
// how many, where and when. No name or contact is ever part of it.
import type { Db, PledgeStatus } from '#/server/db/database.ts';
import type { LocalizedText } from '#/lib/locales.ts';

export interface PledgeView {
  id: number;
  reference: string;
  status: PledgeStatus;
  hasEmail: boolean;
  lines: { item: string; name: LocalizedText; quantity: number }[];
  window: { id: number; startsAt: Date; endsAt: Date };
  point: { slug: string; name: string; address: string; notes: LocalizedText | null };
}

export async function loadPledgeView(db: Db, pledgeId: number): Promise<PledgeView | undefined> {
  if (!Number.isSafeInteger(pledgeId) || pledgeId < 1 || pledgeId > 2147483647) return undefined;
  const row = await db
    .selectFrom('pledge')
    .innerJoin('collection_window', 'collection_window.id', 'pledge.collection_window_id')
    .innerJoin('drop_off_point', 'drop_off_point.id', 'collection_window.drop_off_point_id')
    .select([
      'pledge.id',
      'pledge.reference',
      'pledge.status',
      'pledge.email',
      'collection_window.id as window_id',
      'collection_window.starts_at',
      'collection_window.ends_at',
      'drop_off_point.slug as point_slug',
      'drop_off_point.name as point_name',
      'drop_off_point.address as point_address',
      'drop_off_point.notes as point_notes',
    ])
    .where('pledge.id', '=', pledgeId)
    .where('pledge.erased_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const lines = await db
    .selectFrom('pledge_item')
    .innerJoin('campaign_item', 'campaign_item.id', 'pledge_item.campaign_item_id')
    .select(['campaign_item.slug', 'campaign_item.name', 'pledge_item.quantity'])
    .where('pledge_item.pledge_id', '=', row.id)
    .orderBy('campaign_item.position')
    .orderBy('campaign_item.id')
    .execute();
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    hasEmail: row.email !== null,
    lines: lines.map((l) => ({ item: l.slug, name: l.name, quantity: l.quantity })),
    window: { id: row.window_id, startsAt: row.starts_at, endsAt: row.ends_at },
    point: { slug: row.point_slug, name: row.point_name, address: row.point_address, notes: row.point_notes },
  };
}

/** The UID of the drop-off in calendars: adding the file twice updates one entry. */
export function pledgeEventUid(reference: string, origin: string): string {
  return `pledge-${reference}@${new URL(origin).hostname}`;
}
