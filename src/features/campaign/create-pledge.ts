// Pledges to the "zaino sospeso" campaign. Quantities are enforced by PostgreSQL: each item's
// counter is raised with "pledged + n <= target" in the pledge's transaction (and a CHECK backs it),
// so concurrent donors can never promise more than is needed. A pledge is all-or-nothing.
// No one can drain the campaign (issue #12): the same guarded update refuses a line above the
// item's share per pledge (PLEDGE_MAX_SHARE, maxPerPledge), and one contact (phone, or address
// without its +tag) holds at most one open pledge per collection window (two partial UNIQUE
// indexes, migration 2026_12_05_0300_contact_keys), both inside the statement or transaction that writes.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { generateReference, hashToken } from '#/features/booking/reference.ts';
import { manageTokenFor, sendsSms } from '#/features/booking/booking-sms.ts';
import { windowTakesPledges } from './window-days.ts';
import { isUniqueViolation, runInTransaction } from '#/server/db/transaction.ts';
import { scopedSubmissionKey } from '#/server/security/submission-key.ts';
import { getConfig } from '#/server/config.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { issueCode, type CodeChannel } from '#/features/verification/codes.ts';
import { queuePledgeConfirmation } from './pledge-messages.ts';
import {
  checkPledgeHold,
  pledgeHoldMinutes,
  releaseLapsedPledgeHolds,
  sendPledgeCode,
  type PledgeHoldRefusal,
} from './pledge-holds.ts';
import {
  ExceedsRemaining,
  applyQuantityChanges,
  maxPerPledgeSql,
  normalizeLines,
  quantityRefusal,
  type PledgeLine,
  type QuantityChange,
  type QuantityRefusal,
} from './pledge-quantities.ts';

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
  | {
      ok: true;
      pledge: PledgeSummary;
      manageToken: string | null;
      duplicate: boolean;
      /** Set for a pending hold: until when, and where its code went. */
      hold?: { expiresAt: Date; channel: CodeChannel };
    }
  | QuantityRefusal
  /**
   * This client address holds HOLDS_PER_CLIENT unconfirmed pledges already, or its unconfirmed
   * pledges would hold more than one pledge's share of an item (`maxPerClient`, by item slug).
   */
  | ({ ok: false } & PledgeHoldRefusal)
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

/** The campaign and item ids a pledge needs; write-cache.ts keeps them per process for the API. */
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
  /**
   * A pledge from the site or the API: taken as a pending hold for PLEDGE_HOLD_MINUTES, its code
   * sent to the contact (a mobile by SMS, otherwise the email), at most HOLDS_PER_CLIENT at once
   * per client (pledge-holds.ts). `client` is the HMAC of the client address. Without it the
   * pledge is open at once. `replaces`: the pending pledge this same browser took before (its
   * sealed cookie), given back if still pending — never one found by a matching contact.
   */
  hold?: { client: string; replaces?: number };
  /** Set on the one retry after lapsed holds were given back. */
  retried?: boolean;
}

/** The hold limit refused this pledge (thrown inside the transaction to roll it back). */
class HoldRefused extends Error {
  readonly refusal: PledgeHoldRefusal;
  constructor(refusal: PledgeHoldRefusal) {
    super(refusal.reason);
    this.refusal = refusal;
  }
}

/** Changes to item counters, one per item (a hold given back and this pledge's line on the same item add up). */
function mergeChanges(changes: QuantityChange[]): QuantityChange[] {
  const byItem = new Map<number, QuantityChange>();
  for (const c of changes) {
    const seen = byItem.get(c.itemId);
    byItem.set(c.itemId, seen ? { ...seen, delta: seen.delta + c.delta, quantity: seen.quantity ?? c.quantity } : c);
  }
  return [...byItem.values()];
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

  const hold = options.hold;
  // A hold gets its manage link when its code confirms it (pledge-holds.ts), not now.
  const manageToken = hold ? null : manageTokenFor(input);
  const holdExpiresAt = new Date(now.getTime() + pledgeHoldMinutes() * 60000);
  // The code goes by SMS to a mobile, otherwise by email (pledge-form.ts asks for one of the two).
  const channel: CodeChannel = sendsSms(input.phone) ? 'sms' : 'email';
  const secret = hold ? await getServerSecret(db) : '';
  try {
    // A hold does more work before it reaches the counters (limits, a code): a line that does not
    // fit what is left at read time is refused without a transaction, so a crowd does not queue on
    // an item that is complete (the submission key may still find this very pledge).
    if (
      hold &&
      !(await fitsAtReadTime(
        db,
        lines.map((l, i) => ({ itemId: itemIds[i]!, quantity: l.quantity })),
        now,
      ))
    )
      throw new ExceedsRemaining();
    // One line and no email (no outbox row): the whole pledge is one statement, atomic on its own.
    if (lines.length === 1 && !hold && !input.email && !sendsSms(input.phone) && !db.isTransaction) {
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
      const limits = hold
        ? await checkPledgeHold(
            trx,
            {
              client: hold.client,
              windowId: input.collectionWindowId,
              ...input,
              replaces: hold.replaces ?? null,
              lines: lines.map((l, i) => ({ itemId: itemIds[i]!, quantity: l.quantity })),
              share,
            },
            now,
          )
        : { givenBack: [] };
      if (limits.refused) throw new HoldRefused(limits.refused);
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
           WHERE cw.id = ${input.collectionWindowId}::int AND c.id = ${campaign.id}::int AND c.active AND cw.ends_at > ${now}::timestamptz AND ${windowTakesPledges(now)}
        ), ins AS (
          INSERT INTO pledge (reference, campaign_id, collection_window_id, first_name, email, phone, locale, manage_token_hash, submission_key, status, hold_expires_at, hold_client)
          SELECT ${generateReference('ZS')}::text, ${campaign.id}::int, w.id, ${input.firstName}::text, ${input.email}::text, ${input.phone}::text, ${input.locale}::text, ${manageToken ? hashToken(manageToken) : null}::text, ${input.submissionKey}::text,
                 ${hold ? 'pending' : 'pledged'}::text, ${hold ? holdExpiresAt : null}::timestamptz, ${hold?.client ?? null}::text
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
      if (hold) {
        const code = await issueCode(trx, { pledgeId: row.id, channel, expiresAt: holdExpiresAt }, secret, now);
        await sendPledgeCode(trx, { ...input, id: row.id, channel }, code, holdExpiresAt);
      } else await queuePledgeConfirmation(trx, { id: row.id, ...input }, payload, now);
      await applyQuantityChanges(
        trx,
        mergeChanges([
          ...limits.givenBack,
          ...lines.map((l) => ({ itemId: itemId.get(l.item)!, delta: l.quantity, quantity: l.quantity })),
        ]),
        { campaignId: campaign.id, share },
      );
      return { id: row.id, reference: row.reference, collectionWindowId: window.id };
    });
    if (hold)
      return { ok: true, pledge, manageToken: null, duplicate: false, hold: { expiresAt: holdExpiresAt, channel } };
    return { ok: true, pledge, manageToken, duplicate: false };
  } catch (error) {
    if (
      input.submissionKey &&
      (error instanceof ExceedsRemaining ||
        error instanceof HoldRefused ||
        error instanceof InvalidWindow ||
        openPledgeContact(error) ||
        isUniqueViolation(error, 'pledge_submission_key_key'))
    ) {
      const duplicate = await duplicateOf();
      if (duplicate) return duplicate;
    }
    if (error instanceof HoldRefused) return { ok: false, ...error.refusal };
    const contact = openPledgeContact(error);
    if (contact) return { ok: false, reason: 'open_pledge', contact };
    // Lapsed holds not yet released still count in the counters: give them back and try once more.
    if (error instanceof ExceedsRemaining && !options.retried && !db.isTransaction) {
      if ((await releaseLapsedPledgeHolds(db, now)) > 0)
        return createPledge(db, request, now, { ...options, retried: true });
    }
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
       WHERE cw.id = ${input.collectionWindowId}::int AND c.id = ${campaignId}::int AND c.active AND cw.ends_at > ${now}::timestamptz AND ${windowTakesPledges(now)}
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

/** Every line within what its item still needs, lapsed holds counted as given back (as campaigns.ts reads it). */
async function fitsAtReadTime(db: Db, lines: { itemId: number; quantity: number }[], now: Date): Promise<boolean> {
  const { rows } = await sql<{ id: number; left: number }>`
    SELECT ci.id, ci.target - ci.pledged + COALESCE((
             SELECT sum(pi.quantity) FROM pledge_item pi JOIN pledge p ON p.id = pi.pledge_id
              WHERE pi.campaign_item_id = ci.id AND p.status = 'pending' AND p.hold_expires_at <= ${now}::timestamptz), 0)::int AS left
      FROM campaign_item ci
     WHERE ci.id IN (${sql.join(lines.map((l) => sql`${l.itemId}::int`))})`.execute(db);
  return lines.every((l) => l.quantity <= (rows.find((r) => r.id === l.itemId)?.left ?? 0));
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
    .where(windowTakesPledges(now, 'collection_window', 'drop_off_point'))
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
