// The staff side of the "zaino sospeso" campaign: the drop-off points and collection windows of a
// coordinator's municipi, the pledges to collect in each window (marked received or not brought),
// the CSV of pledges to collect, and the campaign's items and targets.
//
// Authorization: every function that reads or changes pledges takes the actor and checks
// `can(actor, {kind: 'pledges.manage', municipioId})` on the drop-off point the pledge or window
// belongs to, as stored (a forged id of another municipio's pledge is `forbidden`, never changed).
// Items and targets need `can(actor, {kind: 'campaign.edit', campaign})` with the municipi of the
// campaign's drop-off points (`campaignEdit`). Pages check first and answer 403;
// these checks are the second line.
import { slugify } from '#/lib/text.ts';
import { sql } from 'kysely';
import type { Db, PledgeStatus } from '#/server/db/database.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import { recordPledgeOutcome } from './pledges.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { toCsv } from '#/lib/csv.ts';
import { localize, type Locale, type LocalizedText } from '#/lib/locales.ts';
import { romeDateString } from '#/lib/time.ts';
import { formatTime } from '#/lib/format.ts';
import type { Translate } from '#/lib/i18n.ts';

export const CAMPAIGN_SLUG = 'zaino-sospeso';

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

const canManage = (actor: Actor, municipioId: number) => can(actor, { kind: 'pledges.manage', municipioId });

/** Municipi the actor may manage pledges in (all nine for an admin). */
export function pledgeMunicipi(actor: Actor): number[] {
  return [1, 2, 3, 4, 5, 6, 7, 8, 9].filter((m) => canManage(actor, m));
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
      join.onRef('pledge.collection_window_id', '=', 'collection_window.id').on('pledge.erased_at', 'is', null),
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

// A window with its drop-off point is part of a pledge's view too: one query for both (pledge-view.ts).
export { getCollectionWindow, type WindowInfo } from './pledge-view.ts';
import { type WindowInfo } from './pledge-view.ts';

export const canManageWindow = (actor: Actor, window: WindowInfo) => canManage(actor, window.point.municipioId);

export interface StaffPledge {
  id: number;
  reference: string;
  status: PledgeStatus;
  firstName: string | null;
  phone: string | null;
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
    .select(['id', 'reference', 'status', 'first_name', 'phone'])
    .where('collection_window_id', '=', window.id)
    .where('erased_at', 'is', null);
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
    lines: lines.filter((l) => l.pledge_id === p.id).map((l) => ({ name: l.name, quantity: l.quantity })),
  }));
}

export type MarkResult =
  | { ok: true; reference: string; windowId: number; campaignSlug: string }
  | { ok: false; reason: 'not_found' | 'forbidden' | 'not_open' };

/**
 * Records what happened at the drop-off: received (the quantities stay counted) or not brought
 * (they are needed again). Only for an open pledge of a window in the actor's municipi.
 */
export async function markPledge(
  db: Db,
  actor: Actor,
  pledgeId: number,
  outcome: 'received' | 'not_brought',
  now: Date = new Date(),
): Promise<MarkResult> {
  if (!Number.isSafeInteger(pledgeId) || pledgeId < 1 || pledgeId > 2147483647)
    return { ok: false, reason: 'not_found' };
  const row = await db
    .selectFrom('pledge')
    .innerJoin('collection_window', 'collection_window.id', 'pledge.collection_window_id')
    .innerJoin('drop_off_point', 'drop_off_point.id', 'collection_window.drop_off_point_id')
    .innerJoin('campaign', 'campaign.id', 'pledge.campaign_id')
    .select([
      'pledge.id',
      'pledge.reference',
      'pledge.status',
      'pledge.collection_window_id',
      'drop_off_point.municipio_id',
      'campaign.slug as campaign_slug',
    ])
    .where('pledge.id', '=', pledgeId)
    .where('pledge.erased_at', 'is', null)
    .executeTakeFirst();
  if (!row) return { ok: false, reason: 'not_found' };
  if (!canManage(actor, row.municipio_id)) return { ok: false, reason: 'forbidden' };
  const done = await runInTransaction(db, async (trx) => {
    if (!(await recordPledgeOutcome(trx, row.id, outcome, now))) return false;
    await writeAudit(trx, {
      actorUserId: actor.id,
      action: `pledge.${outcome}`,
      subject: `pledge:${row.id}`,
      detail: { reference: row.reference, window: row.collection_window_id },
    });
    return true;
  });
  if (!done) return { ok: false, reason: 'not_open' };
  return { ok: true, reference: row.reference, windowId: row.collection_window_id, campaignSlug: row.campaign_slug };
}

/**
 * The pledges still to collect in a window as CSV, with only what the drop-off needs: reference,
 * first name, phone (to call a donor who is late), items. No email. Recorded in the audit log with
 * the window and the number of rows, never the rows.
 */
export async function exportWindowCsv(
  db: Db,
  actor: Actor,
  window: WindowInfo,
  options: { t: Translate; locale: Locale },
): Promise<{ csv: string; rows: number; filename: string } | 'forbidden'> {
  const pledges = await listWindowPledges(db, actor, window, { onlyOpen: true });
  if (pledges === 'forbidden') return 'forbidden';
  const { t, locale } = options;
  const header = [
    t('staff.pledges.csv.reference'),
    t('staff.pledges.csv.firstName'),
    t('staff.pledges.csv.phone'),
    t('staff.pledges.csv.items'),
  ];
  const rows = pledges.map((p) => [
    p.reference,
    p.firstName,
    p.phone,
    p.lines.map((l) => `${l.quantity} × ${localize(l.name, locale)}`).join('; '),
  ]);
  await writeAudit(db, {
    actorUserId: actor.id,
    action: 'export.pledges',
    subject: `window:${window.id}`,
    detail: { window: window.id, point: window.point.slug, municipio: window.point.municipioId, rows: rows.length },
  });
  const filename = `zaino-sospeso-${window.point.slug}-${romeDateString(window.startsAt)}-${formatTime(window.startsAt, locale).replace(':', '')}.csv`;
  return { csv: toCsv(header, rows), rows: rows.length, filename };
}

// ---------------------------------------------------------------------------------------------
// Items and targets

export interface StaffItem {
  id: number;
  slug: string;
  name: LocalizedText;
  target: number;
  pledged: number;
}

export const TARGET_MAX = 100000;
export const ITEM_NAME_MAX = 120;

/** The `campaign.edit` operation on the campaign, with the municipi of its drop-off points as stored. */
export async function campaignEdit(db: Db): Promise<{ kind: 'campaign.edit'; campaign: { municipi: number[] } }> {
  const rows = await db
    .selectFrom('drop_off_point')
    .innerJoin('campaign', 'campaign.id', 'drop_off_point.campaign_id')
    .select('drop_off_point.municipio_id')
    .distinct()
    .where('campaign.slug', '=', CAMPAIGN_SLUG)
    .execute();
  return { kind: 'campaign.edit', campaign: { municipi: rows.map((r) => r.municipio_id) } };
}

export async function listCampaignItems(db: Db): Promise<{ campaignId: number; items: StaffItem[] } | undefined> {
  const campaign = await db.selectFrom('campaign').select('id').where('slug', '=', CAMPAIGN_SLUG).executeTakeFirst();
  if (!campaign) return undefined;
  const rows = await db
    .selectFrom('campaign_item')
    .select(['id', 'slug', 'name', 'target', 'pledged'])
    .where('campaign_id', '=', campaign.id)
    .orderBy('position')
    .orderBy('id')
    .execute();
  return { campaignId: campaign.id, items: rows };
}

/** A whole number from 1 to TARGET_MAX, written as digits (spaces allowed), or undefined. */
export function parseTarget(raw: unknown): number | undefined {
  if (typeof raw !== 'string') return undefined;
  const value = raw.replace(/[\s.]/g, '');
  if (!/^[0-9]{1,6}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 && n <= TARGET_MAX ? n : undefined;
}

export type TargetsResult =
  | { ok: true; changed: number }
  | { ok: false; reason: 'forbidden' }
  | { ok: false; reason: 'invalid'; errors: Record<number, { key: string; pledged?: number }> };

/** PostgreSQL's check_violation (23514) on the item's pledged ≤ target constraint. */
function isTargetCheckViolation(error: unknown): boolean {
  const e = error as { code?: string; constraint?: string; message?: string } | undefined;
  return (
    e?.code === '23514' &&
    (e.constraint === 'campaign_item_pledged_within_target' ||
      Boolean(e.message?.includes('campaign_item_pledged_within_target')))
  );
}

class BelowPledged extends Error {}

/**
 * Sets the targets of the campaign's items (id → raw form value), all or nothing. A target below
 * what is already pledged is refused by the database's CHECK (even when a pledge arrives between the
 * page and the save): every such item comes back with its pledged count.
 */
export async function updateTargets(db: Db, actor: Actor, raw: Map<number, string>): Promise<TargetsResult> {
  if (!can(actor, await campaignEdit(db))) return { ok: false, reason: 'forbidden' };
  const campaign = await listCampaignItems(db);
  if (!campaign) return { ok: false, reason: 'invalid', errors: {} };
  const errors: Record<number, { key: string; pledged?: number }> = {};
  const changes: { item: StaffItem; target: number }[] = [];
  for (const item of campaign.items) {
    if (!raw.has(item.id)) continue;
    const target = parseTarget(raw.get(item.id));
    if (target === undefined) errors[item.id] = { key: 'staff.pledges.items.error.target' };
    else if (target !== item.target) changes.push({ item, target });
  }
  if (Object.keys(errors).length > 0) return { ok: false, reason: 'invalid', errors };
  if (changes.length === 0) return { ok: true, changed: 0 };
  try {
    await runInTransaction(db, async (trx) => {
      for (const change of changes) {
        try {
          await trx
            .updateTable('campaign_item')
            .set({ target: change.target })
            .where('id', '=', change.item.id)
            .where('campaign_id', '=', campaign.campaignId)
            .execute();
        } catch (error) {
          if (isTargetCheckViolation(error)) throw new BelowPledged();
          throw error;
        }
      }
      await writeAudit(trx, {
        actorUserId: actor.id,
        action: 'campaign.targets',
        subject: `campaign:${CAMPAIGN_SLUG}`,
        detail: { changes: changes.map((c) => ({ item: c.item.slug, from: c.item.target, to: c.target })) },
      });
    });
    return { ok: true, changed: changes.length };
  } catch (error) {
    if (!(error instanceof BelowPledged)) throw error;
    // Nothing was saved; say which targets are below what is pledged now.
    const now = await db
      .selectFrom('campaign_item')
      .select(['id', 'pledged'])
      .where(
        'id',
        'in',
        changes.map((c) => c.item.id),
      )
      .execute();
    for (const change of changes) {
      const pledged = now.find((r) => r.id === change.item.id)?.pledged ?? 0;
      if (change.target < pledged) errors[change.item.id] = { key: 'staff.pledges.items.error.belowPledged', pledged };
    }
    return { ok: false, reason: 'invalid', errors };
  }
}

export interface NewItemValues {
  nameIt: string;
  nameEn: string;
  target: string;
}

export type NewItemResult =
  | { ok: true; id: number }
  | { ok: false; reason: 'forbidden' }
  | { ok: false; reason: 'invalid'; errors: Partial<Record<keyof NewItemValues, string>> };

const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/** An item's slug: its Italian name as the site slugs everything, at most 60 characters. */
function itemSlug(name: string): string {
  return slugify(name).slice(0, 60).replace(/-+$/g, '') || 'articolo';
}

/** Adds an item at the end of the list (Italian name required, English optional). */
export async function addCampaignItem(db: Db, actor: Actor, values: NewItemValues): Promise<NewItemResult> {
  if (!can(actor, await campaignEdit(db))) return { ok: false, reason: 'forbidden' };
  const nameIt = values.nameIt.trim().replace(/\s+/g, ' ');
  const nameEn = values.nameEn.trim().replace(/\s+/g, ' ');
  const errors: Partial<Record<keyof NewItemValues, string>> = {};
  if (!nameIt) errors.nameIt = 'staff.pledges.items.error.nameRequired';
  else if (nameIt.length > ITEM_NAME_MAX || CONTROL.test(nameIt))
    errors.nameIt = 'staff.pledges.items.error.nameInvalid';
  if (nameEn.length > ITEM_NAME_MAX || CONTROL.test(nameEn)) errors.nameEn = 'staff.pledges.items.error.nameInvalid';
  const target = parseTarget(values.target);
  if (target === undefined) errors.target = 'staff.pledges.items.error.target';
  const campaign = await listCampaignItems(db);
  if (!campaign) return { ok: false, reason: 'invalid', errors: { nameIt: 'staff.pledges.items.error.nameRequired' } };
  const base = itemSlug(nameIt);
  if (!errors.nameIt && campaign.items.some((i) => localize(i.name, 'it').toLowerCase() === nameIt.toLowerCase()))
    errors.nameIt = 'staff.pledges.items.error.nameTaken';
  if (Object.keys(errors).length > 0) return { ok: false, reason: 'invalid', errors };
  let slug = base;
  for (let n = 2; campaign.items.some((i) => i.slug === slug); n++) slug = `${base}-${n}`;
  const name: LocalizedText = nameEn ? { it: nameIt, en: nameEn } : { it: nameIt };
  const position = campaign.items.length;
  const id = await runInTransaction(db, async (trx) => {
    const row = await trx
      .insertInto('campaign_item')
      .values({ campaign_id: campaign.campaignId, slug, name: JSON.stringify(name), target: target!, position })
      .returning('id')
      .executeTakeFirstOrThrow();
    await writeAudit(trx, {
      actorUserId: actor.id,
      action: 'campaign.item_added',
      subject: `campaign:${CAMPAIGN_SLUG}`,
      detail: { item: slug, target },
    });
    return row.id;
  });
  return { ok: true, id };
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
  }
}
