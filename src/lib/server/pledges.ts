// Pledges to the "zaino sospeso" campaign. Quantities are enforced by PostgreSQL: each item's
// counter is raised with "pledged + n <= target" in the pledge's transaction (and a CHECK backs it),
// so concurrent donors can never promise more than is needed. A pledge is all-or-nothing.
import { sql } from 'kysely';
import type { Db, PledgeStatus } from './db/database.ts';
import type { Locale } from '../locales.ts';
import { generateReference, generateToken, hashToken } from '../booking/reference.ts';
import { cancelPendingMessagesOf, enqueueMessage, reminderTime } from './outbox.ts';
import { isUniqueViolation, runInTransaction } from './db/transaction.ts';

export interface PledgeLine {
  item: string; // campaign item slug
  quantity: number;
}

export interface NewPledge {
  campaignSlug: string;
  lines: PledgeLine[];
  collectionWindowId: number;
  firstName: string;
  email: string | null;
  phone: string | null;
  locale: Locale;
  /** Same key → same pledge: a form submitted twice promises once. */
  submissionKey: string | null;
}

export interface PledgeSummary {
  id: number;
  reference: string;
  collectionWindowId: number;
}

export type PledgeOutcome =
  | { ok: true; pledge: PledgeSummary; manageToken: string | null; duplicate: boolean }
  | { ok: false; reason: 'exceeds_remaining'; remaining: Record<string, number> }
  | { ok: false; reason: 'invalid_items' | 'invalid_window' | 'campaign_not_found' };

class ExceedsRemaining extends Error {}

/** Adds up repeated items and drops empty lines; undefined when a quantity is not a positive whole number. */
export function normalizeLines(lines: PledgeLine[]): PledgeLine[] | undefined {
  const totals = new Map<string, number>();
  for (const line of lines) {
    if (!Number.isInteger(line.quantity) || line.quantity < 0 || line.quantity > 1000) return undefined;
    if (line.quantity === 0) continue;
    totals.set(line.item, (totals.get(line.item) ?? 0) + line.quantity);
  }
  return [...totals].map(([item, quantity]) => ({ item, quantity }));
}

async function remainingOf(db: Db, itemIds: number[]): Promise<Record<string, number>> {
  const rows = await db.selectFrom('campaign_item').select(['slug', 'target', 'pledged']).where('id', 'in', itemIds).execute();
  return Object.fromEntries(rows.map((r) => [r.slug, r.target - r.pledged]));
}

/**
 * Raises (or lowers) item counters. Rows are locked in id order so two pledges touching the same
 * items cannot deadlock. Throws ExceedsRemaining when an increase does not fit.
 */
async function applyQuantityChanges(trx: Db, changes: { itemId: number; delta: number }[]): Promise<void> {
  for (const change of [...changes].sort((a, b) => a.itemId - b.itemId)) {
    if (change.delta === 0) continue;
    const updated = await trx
      .updateTable('campaign_item')
      .set({ pledged: sql<number>`pledged + ${change.delta}` })
      .where('id', '=', change.itemId)
      .where(sql<boolean>`pledged + ${change.delta} <= target`)
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw new ExceedsRemaining();
  }
}

export async function createPledge(db: Db, input: NewPledge, now: Date = new Date()): Promise<PledgeOutcome> {
  if (input.submissionKey) {
    const existing = await findBySubmissionKey(db, input.submissionKey);
    if (existing) return { ok: true, pledge: existing, manageToken: null, duplicate: true };
  }
  const campaign = await db.selectFrom('campaign').select(['id', 'slug']).where('slug', '=', input.campaignSlug).where('active', '=', true).executeTakeFirst();
  if (!campaign) return { ok: false, reason: 'campaign_not_found' };
  const lines = normalizeLines(input.lines);
  if (!lines || lines.length === 0) return { ok: false, reason: 'invalid_items' };
  const items = await db.selectFrom('campaign_item').select(['id', 'slug']).where('campaign_id', '=', campaign.id).where('slug', 'in', lines.map((l) => l.item)).execute();
  if (items.length !== lines.length) return { ok: false, reason: 'invalid_items' };
  const window = await db
    .selectFrom('collection_window')
    .innerJoin('drop_off_point', 'drop_off_point.id', 'collection_window.drop_off_point_id')
    .select(['collection_window.id', 'collection_window.starts_at', 'collection_window.ends_at', 'drop_off_point.slug as point_slug'])
    .where('collection_window.id', '=', input.collectionWindowId)
    .where('drop_off_point.campaign_id', '=', campaign.id)
    .where('collection_window.ends_at', '>', now)
    .executeTakeFirst();
  if (!window) return { ok: false, reason: 'invalid_window' };

  const itemId = new Map(items.map((i) => [i.slug, i.id]));
  const manageToken = input.email ? generateToken() : null;
  try {
    const pledge = await runInTransaction(db, async (trx) => {
      await applyQuantityChanges(trx, lines.map((l) => ({ itemId: itemId.get(l.item)!, delta: l.quantity })));
      const row = await trx
        .insertInto('pledge')
        .values({
          reference: generateReference('ZS'),
          campaign_id: campaign.id,
          collection_window_id: window.id,
          first_name: input.firstName,
          email: input.email,
          phone: input.phone,
          locale: input.locale,
          manage_token_hash: manageToken ? hashToken(manageToken) : null,
          submission_key: input.submissionKey,
        })
        .returning(['id', 'reference'])
        .executeTakeFirstOrThrow();
      await trx
        .insertInto('pledge_item')
        .values(lines.map((l) => ({ pledge_id: row.id, campaign_item_id: itemId.get(l.item)!, quantity: l.quantity })))
        .execute();
      if (input.email) {
        const payload = { reference: row.reference, campaignSlug: campaign.slug, windowId: window.id, pointSlug: window.point_slug, start: window.starts_at.toISOString(), end: window.ends_at.toISOString(), lines, manageToken };
        await enqueueMessage(trx, { kind: 'pledge_confirmation', recipient: input.email, locale: input.locale, payload, pledgeId: row.id });
        const remindAt = reminderTime(window.starts_at);
        if (remindAt.getTime() > now.getTime()) {
          await enqueueMessage(trx, { kind: 'pledge_reminder', recipient: input.email, locale: input.locale, payload, pledgeId: row.id, sendAfter: remindAt });
        }
      }
      return { id: row.id, reference: row.reference, collectionWindowId: window.id };
    });
    return { ok: true, pledge, manageToken, duplicate: false };
  } catch (error) {
    if (input.submissionKey && (error instanceof ExceedsRemaining || isUniqueViolation(error, 'pledge_submission_key_key'))) {
      const existing = await findBySubmissionKey(db, input.submissionKey);
      if (existing) return { ok: true, pledge: existing, manageToken: null, duplicate: true };
    }
    if (error instanceof ExceedsRemaining) return { ok: false, reason: 'exceeds_remaining', remaining: await remainingOf(db, items.map((i) => i.id)) };
    if (isUniqueViolation(error, 'pledge_reference_key')) return createPledge(db, input, now);
    throw error;
  }
}

async function findBySubmissionKey(db: Db, key: string): Promise<PledgeSummary | undefined> {
  const row = await db.selectFrom('pledge').select(['id', 'reference', 'collection_window_id']).where('submission_key', '=', key).executeTakeFirst();
  return row && { id: row.id, reference: row.reference, collectionWindowId: row.collection_window_id };
}

export interface ManagedPledge {
  id: number;
  reference: string;
  status: PledgeStatus;
  collectionWindowId: number;
  email: string | null;
  phone: string | null;
  locale: string;
  lines: { itemId: number; item: string; quantity: number }[];
}

export async function findPledgeByToken(db: Db, token: string): Promise<ManagedPledge | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  const row = await db
    .selectFrom('pledge')
    .select(['id', 'reference', 'status', 'collection_window_id', 'email', 'phone', 'locale'])
    .where('manage_token_hash', '=', hashToken(token))
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const lines = await db
    .selectFrom('pledge_item')
    .innerJoin('campaign_item', 'campaign_item.id', 'pledge_item.campaign_item_id')
    .select(['campaign_item.id', 'campaign_item.slug', 'pledge_item.quantity'])
    .where('pledge_item.pledge_id', '=', row.id)
    .orderBy('campaign_item.position')
    .execute();
  return {
    id: row.id,
    reference: row.reference,
    status: row.status,
    collectionWindowId: row.collection_window_id,
    email: row.email,
    phone: row.phone,
    locale: row.locale,
    lines: lines.map((l) => ({ itemId: l.id, item: l.slug, quantity: l.quantity })),
  };
}

/**
 * Changes the quantities of an open pledge in one transaction: increases must fit what is still
 * needed, decreases give back at once. An empty list cancels the pledge.
 */
export async function changePledgeQuantities(db: Db, pledge: ManagedPledge, newLines: PledgeLine[]): Promise<{ ok: true } | { ok: false; reason: 'exceeds_remaining'; remaining: Record<string, number> } | { ok: false; reason: 'invalid_items' | 'not_open' }> {
  if (pledge.status !== 'pledged') return { ok: false, reason: 'not_open' };
  const lines = normalizeLines(newLines);
  if (!lines) return { ok: false, reason: 'invalid_items' };
  if (lines.length === 0) return (await cancelPledge(db, pledge.id)) ? { ok: true } : { ok: false, reason: 'not_open' };
  const campaignId = (await db.selectFrom('pledge').select('campaign_id').where('id', '=', pledge.id).executeTakeFirstOrThrow()).campaign_id;
  const items = await db.selectFrom('campaign_item').select(['id', 'slug']).where('campaign_id', '=', campaignId).where('slug', 'in', lines.map((l) => l.item)).execute();
  if (items.length !== lines.length) return { ok: false, reason: 'invalid_items' };
  const newQuantity = new Map(lines.map((l) => [items.find((i) => i.slug === l.item)!.id, l.quantity]));
  const oldQuantity = new Map(pledge.lines.map((l) => [l.itemId, l.quantity]));
  const itemIds = [...new Set([...newQuantity.keys(), ...oldQuantity.keys()])];
  try {
    await runInTransaction(db, async (trx) => {
      // Lock the pledge first, so two edits of the same pledge apply one after the other.
      const open = await trx.selectFrom('pledge').select('id').where('id', '=', pledge.id).where('status', '=', 'pledged').forUpdate().executeTakeFirst();
      if (!open) throw new ExceedsRemaining();
      const current = await trx.selectFrom('pledge_item').select(['campaign_item_id', 'quantity']).where('pledge_id', '=', pledge.id).execute();
      const before = new Map(current.map((c) => [c.campaign_item_id, c.quantity]));
      await applyQuantityChanges(trx, itemIds.map((id) => ({ itemId: id, delta: (newQuantity.get(id) ?? 0) - (before.get(id) ?? 0) })));
      await trx.deleteFrom('pledge_item').where('pledge_id', '=', pledge.id).execute();
      await trx.insertInto('pledge_item').values([...newQuantity].map(([id, quantity]) => ({ pledge_id: pledge.id, campaign_item_id: id, quantity }))).execute();
    });
    return { ok: true };
  } catch (error) {
    if (error instanceof ExceedsRemaining) return { ok: false, reason: 'exceeds_remaining', remaining: await remainingOf(db, itemIds) };
    throw error;
  }
}

/**
 * Closes an open pledge with a final status and, unless it was received, gives its quantities back.
 * Its reminder is withdrawn; a donor with an email who cancels is told so (with the calendar entry to remove).
 */
async function closePledge(db: Db, pledgeId: number, status: Exclude<PledgeStatus, 'pledged'>, now: Date): Promise<boolean> {
  return runInTransaction(db, async (trx) => {
    const closed = await trx
      .updateTable('pledge')
      .set({ status, closed_at: now })
      .where('id', '=', pledgeId)
      .where('status', '=', 'pledged')
      .returning(['id', 'email', 'locale', 'reference'])
      .executeTakeFirst();
    if (!closed) return false;
    if (status !== 'received') {
      const lines = await trx.selectFrom('pledge_item').select(['campaign_item_id', 'quantity']).where('pledge_id', '=', pledgeId).execute();
      await applyQuantityChanges(trx, lines.map((l) => ({ itemId: l.campaign_item_id, delta: -l.quantity })));
    }
    await cancelPendingMessagesOf(trx, 'pledge_id', pledgeId, ['pledge_reminder']);
    if (status === 'cancelled' && closed.email) {
      await enqueueMessage(trx, { kind: 'pledge_cancelled', recipient: closed.email, locale: closed.locale as Locale, payload: await messagePayloadOf(trx, pledgeId, closed.reference), pledgeId });
    }
    return true;
  });
}

/** What the pledge emails need, as createPledge stores it (no manage link: the pledge is closed). */
async function messagePayloadOf(trx: Db, pledgeId: number, reference: string): Promise<Record<string, unknown>> {
  const where = await trx
    .selectFrom('pledge')
    .innerJoin('campaign', 'campaign.id', 'pledge.campaign_id')
    .innerJoin('collection_window', 'collection_window.id', 'pledge.collection_window_id')
    .innerJoin('drop_off_point', 'drop_off_point.id', 'collection_window.drop_off_point_id')
    .select(['campaign.slug as campaign_slug', 'collection_window.id as window_id', 'collection_window.starts_at', 'collection_window.ends_at', 'drop_off_point.slug as point_slug'])
    .where('pledge.id', '=', pledgeId)
    .executeTakeFirstOrThrow();
  const lines = await trx
    .selectFrom('pledge_item')
    .innerJoin('campaign_item', 'campaign_item.id', 'pledge_item.campaign_item_id')
    .select(['campaign_item.slug', 'pledge_item.quantity'])
    .where('pledge_item.pledge_id', '=', pledgeId)
    .orderBy('campaign_item.position')
    .orderBy('campaign_item.id')
    .execute();
  return {
    reference,
    campaignSlug: where.campaign_slug,
    windowId: where.window_id,
    pointSlug: where.point_slug,
    start: where.starts_at.toISOString(),
    end: where.ends_at.toISOString(),
    lines: lines.map((l) => ({ item: l.slug, quantity: l.quantity })),
    manageToken: null,
  };
}

/** The donor cancels: the quantities are needed again at once. */
export function cancelPledge(db: Db, pledgeId: number, now: Date = new Date()): Promise<boolean> {
  return closePledge(db, pledgeId, 'cancelled', now);
}

/** Staff mark what arrived (received) or did not (not_brought, which gives the quantities back). */
export function recordPledgeOutcome(db: Db, pledgeId: number, outcome: 'received' | 'not_brought', now: Date = new Date()): Promise<boolean> {
  return closePledge(db, pledgeId, outcome, now);
}

/**
 * Pledges still open when their collection window ended more than `graceHours` ago expire and give
 * their quantities back, so the list never stays blocked by promises nobody keeps.
 */
export async function expireUnkeptPledges(db: Db, now: Date = new Date(), graceHours = 48): Promise<number> {
  const cutoff = new Date(now.getTime() - graceHours * 3600000);
  const due = await db
    .selectFrom('pledge')
    .innerJoin('collection_window', 'collection_window.id', 'pledge.collection_window_id')
    .select('pledge.id')
    .where('pledge.status', '=', 'pledged')
    .where('collection_window.ends_at', '<', cutoff)
    .execute();
  let expired = 0;
  for (const p of due) if (await closePledge(db, p.id, 'expired', now)) expired++;
  return expired;
}

/** Erases donors' personal data `days` after their collection window; totals and items stay. */
export async function eraseExpiredPledges(db: Db, now: Date = new Date(), days = 60): Promise<number> {
  const cutoff = new Date(now.getTime() - days * 86400000);
  return runInTransaction(db, async (trx) => {
    const erased = await trx
      .updateTable('pledge')
      .set({ first_name: null, email: null, phone: null, manage_token_hash: null, submission_key: null, erased_at: now })
      .where('erased_at', 'is', null)
      .where('collection_window_id', 'in', (eb) => eb.selectFrom('collection_window').select('id').where('ends_at', '<', cutoff))
      .returning('id')
      .execute();
    if (erased.length > 0) await trx.deleteFrom('outbox').where('pledge_id', 'in', erased.map((e) => e.id)).execute();
    return erased.length;
  });
}
