// Pledges to the "zaino sospeso" campaign. Quantities are enforced by PostgreSQL: each item's
// counter is raised with "pledged + n <= target" in the pledge's transaction (and a CHECK backs it),
// so concurrent donors can never promise more than is needed. A pledge is all-or-nothing.
// No one can drain the campaign (issue #12): the same guarded update refuses a line above the
// item's share per pledge (PLEDGE_MAX_SHARE, maxPerPledge), and one contact (phone, or address
// without its +tag) holds at most one open pledge per collection window (two partial UNIQUE
// indexes, migration 2026_12_05_0300_contact_keys), both inside the statement or transaction that writes.
import { sql } from 'kysely';
import type { Db, PledgeStatus } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { generateReference, hashToken } from '#/features/booking/reference.ts';
import { cancelPendingMessagesOf, enqueueMessage, reminderTime } from '#/server/mail/outbox.ts';
import { manageTokenFor, sendsSms } from '#/features/booking/booking-sms.ts';
import { queuePledgeSms } from './pledge-sms.ts';
import { isUniqueViolation, runInTransaction } from '#/server/db/transaction.ts';
import { scopedSubmissionKey } from '#/server/security/submission-key.ts';
import { getConfig } from '#/server/config.ts';
import { maxPerPledge } from './campaigns.ts';

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

/** Why a pledge's quantities were refused: not enough still needed, or more than one pledge may take. */
export type QuantityRefusal =
  | { ok: false; reason: 'exceeds_remaining'; remaining: Record<string, number> }
  | { ok: false; reason: 'exceeds_share'; maxPerPledge: Record<string, number> };

export type PledgeOutcome =
  | { ok: true; pledge: PledgeSummary; manageToken: string | null; duplicate: boolean }
  | QuantityRefusal
  /** This phone or address already has an open pledge for this collection window. */
  | { ok: false; reason: 'open_pledge'; contact: 'phone' | 'email' }
  | { ok: false; reason: 'invalid_items' | 'invalid_window' | 'campaign_not_found' };

/** The partial UNIQUE indexes of one open pledge per contact and window, by the contact they hold. */
const OPEN_PLEDGE_INDEX = { phone: 'pledge_open_phone_per_window', email: 'pledge_open_email_per_window' } as const;

function openPledgeContact(error: unknown): 'phone' | 'email' | undefined {
  if (isUniqueViolation(error, OPEN_PLEDGE_INDEX.phone)) return 'phone';
  if (isUniqueViolation(error, OPEN_PLEDGE_INDEX.email)) return 'email';
  return undefined;
}

/** maxPerPledge in SQL, for the row being updated (its `target`): keep the two equal. */
const maxPerPledgeSql = (share: number) => sql<number>`GREATEST(1, floor(target * ${share}::numeric + 1e-9))`;

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

/**
 * Why an increase did not fit, read after the rollback: a line above its item's share per pledge
 * while more than that is still needed (asking again cannot help), otherwise what is still needed
 * of each item.
 */
async function quantityRefusal(
  db: Db,
  lines: { itemId: number; quantity: number }[],
  share: number,
  campaignId?: number,
): Promise<QuantityRefusal> {
  let query = db
    .selectFrom('campaign_item')
    .select(['id', 'slug', 'target', 'pledged'])
    .where(
      'id',
      'in',
      lines.map((l) => l.itemId),
    );
  if (campaignId !== undefined) query = query.where('campaign_id', '=', campaignId);
  const rows = await query.execute();
  // The share decides only where it is the tighter limit: above what remains, "remaining" says more.
  const overShare = rows.filter((r) =>
    lines.some(
      (l) =>
        l.itemId === r.id &&
        l.quantity > maxPerPledge(r.target, share) &&
        maxPerPledge(r.target, share) < r.target - r.pledged,
    ),
  );
  if (overShare.length > 0)
    return {
      ok: false,
      reason: 'exceeds_share',
      maxPerPledge: Object.fromEntries(rows.map((r) => [r.slug, maxPerPledge(r.target, share)])),
    };
  return {
    ok: false,
    reason: 'exceeds_remaining',
    remaining: Object.fromEntries(rows.map((r) => [r.slug, r.target - r.pledged])),
  };
}

/**
 * Raises (or lowers) item counters. Rows are locked in id order so two pledges touching the same
 * items cannot deadlock. Throws ExceedsRemaining when an increase does not fit what is still needed
 * or makes the pledge's line (`quantity`, after the change) more than one pledge may take.
 */
async function applyQuantityChanges(
  trx: Db,
  changes: { itemId: number; delta: number; quantity?: number }[],
  options: { campaignId?: number; share: number },
): Promise<void> {
  const { campaignId, share } = options;
  for (const change of [...changes].sort((a, b) => a.itemId - b.itemId)) {
    if (change.delta === 0) continue;
    let update = trx
      .updateTable('campaign_item')
      .set({ pledged: sql<number>`pledged + ${change.delta}` })
      .where('id', '=', change.itemId)
      .where(sql<boolean>`pledged + ${change.delta} <= target`);
    // Giving back is always possible; taking more stays within the item's share per pledge.
    if (change.delta > 0)
      update = update.where(sql<boolean>`${change.quantity ?? change.delta}::int <= ${maxPerPledgeSql(share)}`);
    // A new pledge names its campaign: an item of another one is never raised.
    if (campaignId !== undefined) update = update.where('campaign_id', '=', campaignId);
    const updated = await update.returning('id').executeTakeFirst();
    if (!updated) throw new ExceedsRemaining();
  }
}

/** The campaign and item ids a pledge needs; pledge-setup-cache.ts keeps them per process for the API. */
export interface PledgeCampaign {
  id: number;
  slug: string;
  items: { id: number; slug: string }[];
}

export interface CreatePledgeOptions {
  /** The campaign as the caller already holds it (no quantities: those are only read in the transaction). */
  campaign?: PledgeCampaign;
  /** The largest part of an item's target one pledge may take; PLEDGE_MAX_SHARE by default. */
  maxShare?: number;
}

class InvalidWindow extends Error {}

async function loadPledgeCampaign(db: Db, slug: string, itemSlugs: string[]): Promise<PledgeCampaign | undefined> {
  const campaign = await db
    .selectFrom('campaign')
    .select(['id', 'slug'])
    .where('slug', '=', slug)
    .where('active', '=', true)
    .executeTakeFirst();
  if (!campaign) return undefined;
  const items = itemSlugs.length
    ? await db
        .selectFrom('campaign_item')
        .select(['id', 'slug'])
        .where('campaign_id', '=', campaign.id)
        .where('slug', 'in', itemSlugs)
        .execute()
    : [];
  return { ...campaign, items };
}

/**
 * Promises the lines of a pledge, all or nothing. In one transaction: the pledge row is inserted
 * only if its collection window is of this campaign, the campaign active and the window not ended
 * (one statement that checks and inserts, so a cached campaign never decides it); then its lines
 * and emails; last, each item's counter is raised with "pledged + n <= target", so the row locks
 * that serialize donors of the same item are held for the shortest time (up to the commit).
 * A repeated submission key is refused by the pledge's UNIQUE submission_key, and only then looked up.
 */
export async function createPledge(
  db: Db,
  request: NewPledge,
  now: Date = new Date(),
  options: CreatePledgeOptions = {},
): Promise<PledgeOutcome> {
  // Same key from another contact: another donor's pledge is never returned (submission-key.ts).
  const input = { ...request, submissionKey: scopedSubmissionKey(request.submissionKey, request) };
  const duplicateOf = async (): Promise<PledgeOutcome | undefined> => {
    const existing = input.submissionKey ? await findBySubmissionKey(db, input.submissionKey) : undefined;
    return existing && { ok: true, pledge: existing, manageToken: null, duplicate: true };
  };
  // Inside a caller's transaction a refused insert would abort it: there, look the key up first.
  if (db.isTransaction) {
    const duplicate = await duplicateOf();
    if (duplicate) return duplicate;
  }
  const lines = normalizeLines(input.lines);
  const campaign =
    options.campaign ?? (await loadPledgeCampaign(db, input.campaignSlug, lines?.map((l) => l.item) ?? []));
  if (!campaign) return (await duplicateOf()) ?? { ok: false, reason: 'campaign_not_found' };
  if (!lines || lines.length === 0) return (await duplicateOf()) ?? { ok: false, reason: 'invalid_items' };
  const itemId = new Map(campaign.items.map((i) => [i.slug, i.id]));
  if (lines.some((l) => !itemId.has(l.item))) return (await duplicateOf()) ?? { ok: false, reason: 'invalid_items' };
  const itemIds = lines.map((l) => itemId.get(l.item)!);
  const share = options.maxShare ?? getConfig().pledgeMaxShare;

  const manageToken = manageTokenFor(input);
  try {
    // One line and no email (no outbox row): the whole pledge is one statement, atomic on its own.
    if (lines.length === 1 && !input.email && !sendsSms(input.phone) && !db.isTransaction) {
      const pledge = await pledgeOneLine(
        db,
        input,
        campaign.id,
        { itemId: itemIds[0]!, quantity: lines[0]!.quantity, share },
        now,
      );
      if (pledge) return { ok: true, pledge, manageToken: null, duplicate: false };
      // Nothing written: the window was not open, or the item had not enough left. Which one?
      if (await windowOpen(db, input.collectionWindowId, campaign.id, now)) throw new ExceedsRemaining();
      throw new InvalidWindow();
    }
    const pledge = await runInTransaction(db, async (trx) => {
      const { rows } = await sql<{
        id: number;
        reference: string;
        window_id: number;
        starts_at: Date;
        ends_at: Date;
        point_slug: string;
      }>`
        WITH w AS (
          SELECT cw.id, cw.starts_at, cw.ends_at, p.slug AS point_slug
            FROM collection_window cw
            JOIN drop_off_point p ON p.id = cw.drop_off_point_id
            JOIN campaign c ON c.id = p.campaign_id
           WHERE cw.id = ${input.collectionWindowId}::int AND c.id = ${campaign.id}::int AND c.active AND cw.ends_at > ${now}::timestamptz
        ), ins AS (
          INSERT INTO pledge (reference, campaign_id, collection_window_id, first_name, email, phone, locale, manage_token_hash, submission_key)
          SELECT ${generateReference('ZS')}::text, ${campaign.id}::int, w.id, ${input.firstName}::text, ${input.email}::text, ${input.phone}::text, ${input.locale}::text, ${manageToken ? hashToken(manageToken) : null}::text, ${input.submissionKey}::text
            FROM w
          RETURNING id, reference, collection_window_id
        )
        SELECT ins.id, ins.reference, w.id AS window_id, w.starts_at, w.ends_at, w.point_slug FROM ins JOIN w ON w.id = ins.collection_window_id`.execute(
        trx,
      );
      const row = rows[0];
      if (!row) throw new InvalidWindow();
      const window = { id: row.window_id, startsAt: new Date(row.starts_at), endsAt: new Date(row.ends_at) };
      await trx
        .insertInto('pledge_item')
        .values(lines.map((l) => ({ pledge_id: row.id, campaign_item_id: itemId.get(l.item)!, quantity: l.quantity })))
        .execute();
      const payload = {
        reference: row.reference,
        campaignSlug: campaign.slug,
        windowId: window.id,
        pointSlug: row.point_slug,
        start: window.startsAt.toISOString(),
        end: window.endsAt.toISOString(),
        lines,
        manageToken,
      };
      await queuePledgeSms(trx, { id: row.id, phone: input.phone, locale: input.locale, payload }, now);
      if (input.email) {
        await enqueueMessage(trx, {
          kind: 'pledge_confirmation',
          recipient: input.email,
          locale: input.locale,
          payload,
          pledgeId: row.id,
        });
        const remindAt = reminderTime(window.startsAt);
        if (remindAt.getTime() > now.getTime()) {
          await enqueueMessage(trx, {
            kind: 'pledge_reminder',
            recipient: input.email,
            locale: input.locale,
            payload,
            pledgeId: row.id,
            sendAfter: remindAt,
          });
        }
      }
      await applyQuantityChanges(
        trx,
        lines.map((l) => ({ itemId: itemId.get(l.item)!, delta: l.quantity })),
        { campaignId: campaign.id, share },
      );
      return { id: row.id, reference: row.reference, collectionWindowId: window.id };
    });
    return { ok: true, pledge, manageToken, duplicate: false };
  } catch (error) {
    if (
      input.submissionKey &&
      (error instanceof ExceedsRemaining ||
        error instanceof InvalidWindow ||
        openPledgeContact(error) ||
        isUniqueViolation(error, 'pledge_submission_key_key'))
    ) {
      const duplicate = await duplicateOf();
      if (duplicate) return duplicate;
    }
    const contact = openPledgeContact(error);
    if (contact) return { ok: false, reason: 'open_pledge', contact };
    if (error instanceof ExceedsRemaining) {
      const refusal = await quantityRefusal(
        db,
        lines.map((l) => ({ itemId: itemId.get(l.item)!, quantity: l.quantity })),
        share,
        campaign.id,
      );
      const known = refusal.reason === 'exceeds_share' ? refusal.maxPerPledge : refusal.remaining;
      // An item the caller's copy knew but that is no longer this campaign's: not a quantity problem.
      if (lines.some((l) => !(l.item in known))) return { ok: false, reason: 'invalid_items' };
      return refusal;
    }
    if (error instanceof InvalidWindow) {
      const active = await db
        .selectFrom('campaign')
        .select('id')
        .where('id', '=', campaign.id)
        .where('active', '=', true)
        .executeTakeFirst();
      return { ok: false, reason: active ? 'invalid_window' : 'campaign_not_found' };
    }
    if (isUniqueViolation(error, 'pledge_reference_key')) return createPledge(db, input, now, options);
    throw error;
  }
}

/**
 * A one-line pledge without email in ONE statement (data-modifying CTEs): the item's counter is
 * raised with "pledged + n <= target" (and n within the item's share per pledge) only if the window
 * is open, of this campaign and the campaign active; the pledge row only if the counter was raised;
 * its line only if the row was inserted. A refused insert (a repeated submission key, a reference in
 * use, a second open pledge of this phone in this window) fails the whole statement, counter
 * included. Undefined: nothing was written.
 */
async function pledgeOneLine(
  db: Db,
  input: NewPledge,
  campaignId: number,
  line: { itemId: number; quantity: number; share: number },
  now: Date,
): Promise<PledgeSummary | undefined> {
  const { itemId, quantity, share } = line;
  const { rows } = await sql<{ id: number; reference: string; window_id: number }>`
    WITH w AS (
      SELECT cw.id
        FROM collection_window cw
        JOIN drop_off_point p ON p.id = cw.drop_off_point_id
        JOIN campaign c ON c.id = p.campaign_id
       WHERE cw.id = ${input.collectionWindowId}::int AND c.id = ${campaignId}::int AND c.active AND cw.ends_at > ${now}::timestamptz
    ), raised AS (
      UPDATE campaign_item SET pledged = pledged + ${quantity}::int
       WHERE id = ${itemId}::int AND campaign_id = ${campaignId}::int AND pledged + ${quantity}::int <= target
         AND ${quantity}::int <= ${maxPerPledgeSql(share)} AND EXISTS (SELECT 1 FROM w)
      RETURNING id
    ), ins AS (
      INSERT INTO pledge (reference, campaign_id, collection_window_id, first_name, email, phone, locale, manage_token_hash, submission_key)
      SELECT ${generateReference('ZS')}::text, ${campaignId}::int, w.id, ${input.firstName}::text, NULL, ${input.phone}::text, ${input.locale}::text, NULL, ${input.submissionKey}::text
        FROM w, raised
      RETURNING id, reference, collection_window_id
    ), line AS (
      INSERT INTO pledge_item (pledge_id, campaign_item_id, quantity) SELECT ins.id, ${itemId}::int, ${quantity}::int FROM ins
    )
    SELECT id, reference, collection_window_id AS window_id FROM ins`.execute(db);
  const row = rows[0];
  return row && { id: row.id, reference: row.reference, collectionWindowId: row.window_id };
}

async function windowOpen(db: Db, windowId: number, campaignId: number, now: Date): Promise<boolean> {
  const row = await db
    .selectFrom('collection_window')
    .innerJoin('drop_off_point', 'drop_off_point.id', 'collection_window.drop_off_point_id')
    .innerJoin('campaign', 'campaign.id', 'drop_off_point.campaign_id')
    .select('collection_window.id')
    .where('collection_window.id', '=', windowId)
    .where('campaign.id', '=', campaignId)
    .where('campaign.active', '=', true)
    .where('collection_window.ends_at', '>', now)
    .executeTakeFirst();
  return Boolean(row);
}

async function findBySubmissionKey(db: Db, key: string): Promise<PledgeSummary | undefined> {
  const row = await db
    .selectFrom('pledge')
    .select(['id', 'reference', 'collection_window_id'])
    .where('submission_key', '=', key)
    .executeTakeFirst();
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
export async function changePledgeQuantities(
  db: Db,
  pledge: ManagedPledge,
  newLines: PledgeLine[],
  share: number = getConfig().pledgeMaxShare,
): Promise<{ ok: true } | QuantityRefusal | { ok: false; reason: 'invalid_items' | 'not_open' }> {
  if (pledge.status !== 'pledged') return { ok: false, reason: 'not_open' };
  const lines = normalizeLines(newLines);
  if (!lines) return { ok: false, reason: 'invalid_items' };
  if (lines.length === 0) return (await cancelPledge(db, pledge.id)) ? { ok: true } : { ok: false, reason: 'not_open' };
  const campaignId = (
    await db.selectFrom('pledge').select('campaign_id').where('id', '=', pledge.id).executeTakeFirstOrThrow()
  ).campaign_id;
  const items = await db
    .selectFrom('campaign_item')
    .select(['id', 'slug'])
    .where('campaign_id', '=', campaignId)
    .where(
      'slug',
      'in',
      lines.map((l) => l.item),
    )
    .execute();
  if (items.length !== lines.length) return { ok: false, reason: 'invalid_items' };
  const newQuantity = new Map(lines.map((l) => [items.find((i) => i.slug === l.item)!.id, l.quantity]));
  const oldQuantity = new Map(pledge.lines.map((l) => [l.itemId, l.quantity]));
  const itemIds = [...new Set([...newQuantity.keys(), ...oldQuantity.keys()])];
  try {
    await runInTransaction(db, async (trx) => {
      // Lock the pledge first, so two edits of the same pledge apply one after the other.
      const open = await trx
        .selectFrom('pledge')
        .select('id')
        .where('id', '=', pledge.id)
        .where('status', '=', 'pledged')
        .forUpdate()
        .executeTakeFirst();
      if (!open) throw new ExceedsRemaining();
      const current = await trx
        .selectFrom('pledge_item')
        .select(['campaign_item_id', 'quantity'])
        .where('pledge_id', '=', pledge.id)
        .execute();
      const before = new Map(current.map((c) => [c.campaign_item_id, c.quantity]));
      await applyQuantityChanges(
        trx,
        itemIds.map((id) => ({
          itemId: id,
          delta: (newQuantity.get(id) ?? 0) - (before.get(id) ?? 0),
          quantity: newQuantity.get(id) ?? 0,
        })),
        { share },
      );
      await trx.deleteFrom('pledge_item').where('pledge_id', '=', pledge.id).execute();
      await trx
        .insertInto('pledge_item')
        .values([...newQuantity].map(([id, quantity]) => ({ pledge_id: pledge.id, campaign_item_id: id, quantity })))
        .execute();
    });
    return { ok: true };
  } catch (error) {
    if (error instanceof ExceedsRemaining)
      return quantityRefusal(
        db,
        itemIds.map((id) => ({ itemId: id, quantity: newQuantity.get(id) ?? 0 })),
        share,
      );
    throw error;
  }
}

/**
 * Closes an open pledge with a final status and, unless it was received, gives its quantities back.
 * Its reminder is withdrawn; a donor with an email who cancels is told so (with the calendar entry to remove).
 */
async function closePledge(
  db: Db,
  pledgeId: number,
  status: Exclude<PledgeStatus, 'pledged'>,
  now: Date,
): Promise<boolean> {
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
      const lines = await trx
        .selectFrom('pledge_item')
        .select(['campaign_item_id', 'quantity'])
        .where('pledge_id', '=', pledgeId)
        .execute();
      await applyQuantityChanges(
        trx,
        lines.map((l) => ({ itemId: l.campaign_item_id, delta: -l.quantity })),
        { share: 1 },
      );
    }
    await cancelPendingMessagesOf(trx, 'pledge_id', pledgeId, ['pledge_reminder']);
    if (status === 'cancelled' && closed.email) {
      await enqueueMessage(trx, {
        kind: 'pledge_cancelled',
        recipient: closed.email,
        locale: closed.locale as Locale,
        payload: await messagePayloadOf(trx, pledgeId, closed.reference),
        pledgeId,
      });
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
    .select([
      'campaign.slug as campaign_slug',
      'collection_window.id as window_id',
      'collection_window.starts_at',
      'collection_window.ends_at',
      'drop_off_point.slug as point_slug',
    ])
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
export function recordPledgeOutcome(
  db: Db,
  pledgeId: number,
  outcome: 'received' | 'not_brought',
  now: Date = new Date(),
): Promise<boolean> {
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
      .set({
        first_name: null,
        email: null,
        phone: null,
        manage_token_hash: null,
        submission_key: null,
        erased_at: now,
      })
      .where('erased_at', 'is', null)
      .where('collection_window_id', 'in', (eb) =>
        eb.selectFrom('collection_window').select('id').where('ends_at', '<', cutoff),
      )
      .returning('id')
      .execute();
    if (erased.length > 0)
      await trx
        .deleteFrom('outbox')
        .where(
          'pledge_id',
          'in',
          erased.map((e) => e.id),
        )
        .execute();
    return erased.length;
  });
}
