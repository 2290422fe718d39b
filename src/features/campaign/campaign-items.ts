// The campaign's items and targets (staff). Both need `can(actor, {kind: 'campaign.edit', campaign})`
// with the municipi of the campaign's drop-off points (`campaignEdit`); pages check first and
// answer 403, these checks are the second line. Audited.
import { slugify } from '#/lib/text.ts';
import type { Db } from '#/server/db/database.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { localize, type LocalizedText } from '#/lib/locales.ts';
import { CAMPAIGN_SLUG } from './pledge-form.ts';

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
