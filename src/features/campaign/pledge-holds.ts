// Pending pledges (issue #12): a pledge from the site or the API is taken at once as a hold — its
// quantities counted in campaign_item.pledged, so nobody can overpledge meanwhile — that the code
// sent to its contact confirms within PLEDGE_HOLD_MINUTES. Only then come its confirmation, reminder
// and manage link. A lapsed hold is given back: read as given back at once (campaigns.ts), released
// for good — quantities given back, personal data, code and messages dropped, status 'lapsed' — by
// a pledge that would not fit otherwise, by the same browser pledging again (`replaces`: never
// because a contact matches, as anyone can type another person's number), or by the worker's
// housekeeping. Each release flips its pledges from 'pending' in one statement, so a hold's
// quantities are given back only once, and a confirmation (which locks the row) and a release of
// the same hold never both happen. The engine is src/features/holds (issue #11): this is the
// pledge's kind (PLEDGE_HOLD) and what its release gives back and its confirmation queues.
import { resendHeldCode, type ResendOptions } from '#/features/holds/resend-hold-code.ts';
import { expressionBuilder, sql, type RawBuilder } from 'kysely';
import type { Database, Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { getConfig } from '#/server/config.ts';
import type { CodeChannel } from '#/features/verification/codes.ts';
import { queueCode } from '#/features/verification/send-code.ts';
import { holdLapsed, type ConfirmOutcome, type HoldKind } from '#/features/holds/hold-kind.ts';
import { lapsedCtes, pastTime } from '#/features/holds/lapse.ts';
import { liveHoldsOfClient, notThisSubmission } from '#/features/holds/client-holds.ts';
import { confirmHeld, markConfirmed } from '#/features/holds/confirm-hold.ts';
import { CODE_COLUMNS, heldCodeView, heldIdByReference, type HeldCodeView } from '#/features/holds/held-view.ts';
import { HOLD_LIMITS, lockClientAndContact } from '#/features/booking/hold-limits.ts';
import { hashToken } from '#/features/booking/reference.ts';
import { manageTokenFor } from '#/features/booking/booking-sms.ts';
import { applyQuantityChanges, maxPerPledgeSql, type QuantityChange } from './pledge-quantities.ts';
import { queuePledgeConfirmation } from './pledge-messages.ts';
import { pledgePayloadOf } from './close-pledge.ts';

/** How long a new pledge waits for its code (PLEDGE_HOLD_MINUTES, default 30). */
export const pledgeHoldMinutes = (): number => getConfig().pledgeHoldMinutes;

/** A pledge's hold (holds/hold-kind.ts): confirmed it is 'pledged'; a lapse closes and erases it. */
export const PLEDGE_HOLD: HoldKind<{ pledgeId: number }> = {
  table: 'pledge',
  states: { confirmed: 'pledged', lapsed: 'lapsed' },
  subject: (pledgeId) => ({ pledgeId }),
  minutes: pledgeHoldMinutes,
  erase: (now) => sql`first_name = NULL, email = NULL, phone = NULL, manage_token_hash = NULL,
             submission_key = NULL, hold_client = NULL, closed_at = ${now}::timestamptz, erased_at = ${now}::timestamptz`,
};

/**
 * Flips the chosen pending pledges to 'lapsed' (personal data, code and messages dropped) and says
 * what each item gets back; the caller gives it back in the same transaction (applyQuantityChanges,
 * in item order, together with its own changes so its row locks keep one order).
 */
export async function flipHolds(
  trx: Db,
  which: RawBuilder<unknown>,
  now: Date,
): Promise<{ released: number; givenBack: QuantityChange[] }> {
  const { rows } = await sql<{ id: number }>`
    WITH ${lapsedCtes(PLEDGE_HOLD, which, now, ['id'])}
    SELECT id FROM lapsed`.execute(trx);
  if (rows.length === 0) return { released: 0, givenBack: [] };
  const lines = await trx
    .selectFrom('pledge_item')
    .select((eb) => ['campaign_item_id', eb.fn.sum<string>('quantity').as('n')])
    .where(
      'pledge_id',
      'in',
      rows.map((r) => r.id),
    )
    .groupBy('campaign_item_id')
    .execute();
  return { released: rows.length, givenBack: lines.map((l) => ({ itemId: l.campaign_item_id, delta: -Number(l.n) })) };
}

/** Every lapsed pledge hold of the site, released (housekeeping, and a pledge that did not fit). */
export async function releaseLapsedPledgeHolds(db: Db, now: Date = new Date()): Promise<number> {
  // Usually there is none: one indexed read, no transaction (a refused pledge asks this too).
  const any = await db
    .selectFrom('pledge')
    .select('id')
    .where('status', '=', 'pending')
    .where('hold_expires_at', '<=', now)
    .limit(1)
    .executeTakeFirst();
  if (!any) return 0;
  return runInTransaction(db, async (trx) => {
    const { released, givenBack } = await flipHolds(trx, pastTime(now), now);
    await applyQuantityChanges(trx, givenBack, { share: 1 });
    return released;
  });
}

/**
 * Why a hold was refused: the client holds HOLDS_PER_CLIENT unconfirmed pledges already, or this
 * pledge would take its unconfirmed quantity of an item above one pledge's share (`maxPerClient`:
 * that share, by item slug, for the items it would exceed).
 */
export type PledgeHoldRefusal =
  { reason: 'too_many_holds' } | { reason: 'client_share'; maxPerClient: Record<string, number> };

/**
 * Inside the pledge's transaction: locks the client and its contacts (the keys booking holds lock
 * too), flips the hold this same browser took before (`replaces`, from its sealed cookie: the donor
 * went back and pledged again) and returns what it gives back, then counts the client's live holds
 * against HOLDS_PER_CLIENT, and what they hold of each item of `lines`. Someone else's pending
 * pledge on the same contact is never given back: one open pledge per contact and window (the
 * unique indexes) refuses the new one until the first is confirmed or lapses, as for bookings
 * (src/features/booking/hold-limits.ts).
 *
 * The client's share (issue #12): a client address with invented contacts could otherwise keep
 * HOLDS_PER_CLIENT × the share of every item on hold (75 %), renewed as they lapse. So all its
 * unconfirmed pledges together hold at most one pledge's share of an item (`share`, the same
 * setting). Correct under concurrency: the client's key is locked above until the commit, so the
 * client's pledges are counted one at a time, each after the one before has committed (the count
 * is a statement after the lock, with a snapshot of its own). Confirmed pledges do not count: each
 * needs a contact that received its code, and a contact has one open pledge per window.
 */
export async function checkPledgeHold(
  trx: Db,
  request: {
    client: string;
    windowId: number;
    phone: string | null;
    email: string | null;
    submissionKey: string | null;
    /** The pending pledge this browser took before (its sealed cookie), given back if still pending. */
    replaces: number | null;
    /** This pledge's lines (item id and quantity), held against the client's share. */
    lines: { itemId: number; quantity: number }[];
    /** One pledge's share of an item's target (PLEDGE_MAX_SHARE). */
    share: number;
  },
  now: Date,
): Promise<{ refused: PledgeHoldRefusal } | { refused?: undefined; givenBack: QuantityChange[] }> {
  await lockClientAndContact(trx, request);
  const { givenBack } =
    request.replaces !== null
      ? await flipHolds(
          trx,
          // The same submission sent twice is this very pledge: kept (its insert finds the key taken).
          sql`id = ${request.replaces}::int AND ${notThisSubmission(request.submissionKey)}`,
          now,
        )
      : { givenBack: [] };
  // The client's live holds, and the items this pledge would take above the client's share, in one
  // statement (a flipped hold is 'lapsed' and without its client now: it counts no more).
  const lines = request.lines.length ? request.lines : [{ itemId: 0, quantity: 0 }];
  const eb = expressionBuilder<Database>();
  const { rows } = await sql<{ n: string | number; over: string[]; over_max: number[]; over_pledge_share: boolean }>`
    WITH line (item_id, quantity) AS (
      VALUES ${sql.join(lines.map((l) => sql`(${l.itemId}::int, ${l.quantity}::int)`))}
    ), held AS (
      -- 'pending' a literal, as the partial index on (hold_client, hold_expires_at) names it.
      SELECT pi.campaign_item_id, sum(pi.quantity)::int AS n
        FROM pledge p JOIN pledge_item pi ON pi.pledge_id = p.id
       WHERE p.status = 'pending' AND p.hold_client = ${request.client}::text AND p.hold_expires_at > ${now}::timestamptz
       GROUP BY pi.campaign_item_id
    ), over AS (
      SELECT ci.slug, ${maxPerPledgeSql(request.share)} AS max
        FROM line JOIN campaign_item ci ON ci.id = line.item_id
        LEFT JOIN held ON held.campaign_item_id = ci.id
       WHERE line.quantity + COALESCE(held.n, 0) > ${maxPerPledgeSql(request.share)}
         -- What no longer fits the item at all is refused as such by the counters' guarded update
         -- (exceeds_remaining, 409: the item is complete), not as this client's share.
         AND line.quantity <= ci.target - ci.pledged
    )
    SELECT (${liveHoldsOfClient(eb, 'pledge', request.client, now)}) AS n,
           array(SELECT slug FROM over ORDER BY slug) AS over,
           array(SELECT max FROM over ORDER BY slug) AS over_max,
           EXISTS (SELECT 1 FROM line JOIN campaign_item ci ON ci.id = line.item_id
                    WHERE line.quantity > ${maxPerPledgeSql(request.share)}) AS over_pledge_share`.execute(trx);
  const row = rows[0]!;
  if (Number(row.n) >= HOLD_LIMITS.holdsPerClient()) return { refused: { reason: 'too_many_holds' } };
  // A line above one pledge's share is refused as such by the counters' guarded update
  // (exceeds_share: asking again cannot help), whatever the client holds.
  if (row.over.length > 0 && !row.over_pledge_share)
    return {
      refused: {
        reason: 'client_share',
        maxPerClient: Object.fromEntries(row.over.map((slug, i) => [slug, Number(row.over_max[i])])),
      },
    };
  return { givenBack };
}

/** Draws the hold's code and queues it to the contact: SMS to a mobile, otherwise email. */
export async function sendPledgeCode(
  trx: Db,
  pledge: { id: number; channel: CodeChannel; phone: string | null; email: string | null; locale: Locale },
  code: string,
  expiresAt: Date,
  again = false,
): Promise<void> {
  const { id, ...to } = pledge;
  await queueCode(trx, { pledgeId: id }, to, code, { expiresAt, minutes: pledgeHoldMinutes(), again });
}

/** A pledge hold as the code step and the API show it: where the code went, nothing else personal. */
export interface PledgeHoldView extends HeldCodeView {
  id: number;
  reference: string;
  windowId: number;
  locale: Locale;
}

export async function findPledgeHold(db: Db, pledgeId: number): Promise<PledgeHoldView | undefined> {
  const row = await db
    .selectFrom('pledge')
    .leftJoin('verification_code as v', 'v.pledge_id', 'pledge.id')
    .select(['pledge.id', 'pledge.reference', 'pledge.collection_window_id', 'pledge.status', 'pledge.hold_expires_at'])
    .select(['pledge.phone', 'pledge.email', 'pledge.locale'])
    .select(CODE_COLUMNS)
    .where('pledge.id', '=', pledgeId)
    .executeTakeFirst();
  return (
    row && {
      id: row.id,
      reference: row.reference,
      windowId: row.collection_window_id,
      ...heldCodeView(row),
      locale: row.locale as Locale,
    }
  );
}

export const findPledgeIdByReference = (db: Db, reference: string) => heldIdByReference(db, PLEDGE_HOLD, reference);

/** A lapsed hold, even one not released yet. */
export function pledgeHoldLapsed(hold: { status: string; expiresAt: Date | null }, now: Date): boolean {
  return holdLapsed(PLEDGE_HOLD, hold, now);
}

type PledgeConfirmed = { ok: true; pledgeId: number; manageToken: string | null; alreadyConfirmed: boolean };
export type ConfirmPledgeOutcome = ConfirmOutcome<PledgeConfirmed>;

/**
 * The code typed for a pledge hold: right → the pledge is open ('pledged'), and only now are its
 * confirmation and reminder queued, with a fresh manage link. The row is locked first.
 */
export async function confirmPledgeHold(
  db: Db,
  pledgeId: number,
  code: string | undefined,
  options: { now?: Date } = {},
): Promise<ConfirmPledgeOutcome> {
  const now = options.now ?? new Date();
  return confirmHeld(db, PLEDGE_HOLD, pledgeId, code, now, {
    readLocked: (trx) =>
      trx
        .selectFrom('pledge')
        .select(['id', 'status', 'hold_expires_at', 'reference', 'email', 'phone', 'locale'])
        .where('id', '=', pledgeId)
        .forUpdate()
        .executeTakeFirst(),
    already: (): PledgeConfirmed => ({ ok: true, pledgeId, manageToken: null, alreadyConfirmed: true }),
    confirm: async (trx, hold) => {
      // A mobile gets the short token its SMS link carries, an email the long one (booking-sms.ts).
      const manageToken = manageTokenFor(hold);
      const tokenHash = manageToken ? hashToken(manageToken) : null;
      await markConfirmed(trx, PLEDGE_HOLD, pledgeId, sql`hold_client = NULL, manage_token_hash = ${tokenHash}::text`);
      const payload = { ...(await pledgePayloadOf(trx, pledgeId, hold.reference)), manageToken };
      await queuePledgeConfirmation(trx, { ...hold, locale: hold.locale as Locale }, payload, now);
      return { ok: true, pledgeId, manageToken, alreadyConfirmed: false };
    },
  });
}

/** "Send again", or "use email instead" for a pledge's code (resendHeldCode). */
export const resendPledgeCode = (db: Db, pledgeId: number, options?: ResendOptions) =>
  resendHeldCode(db, PLEDGE_HOLD, pledgeId, options);
