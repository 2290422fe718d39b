// The outbox worker: delivers the messages (emails and SMS) that bookings, pledges and volunteer
// sign-ups wrote into the outbox table, retries failures with exponential backoff, and runs the
// hourly housekeeping (erasure of expired personal data, expiry of unkept pledges, deletion of
// unconfirmed volunteers, pruning of rate-limit windows).
//
// It only claims, renders through the table of renderers it is given (src/messages/index.ts puts
// each feature's together), delivers and records: what a message says, and whether it is still
// wanted, is the feature's business.
//
// Several workers may run at once (one per server instance, or `npm run worker`): a message is
// claimed with FOR UPDATE SKIP LOCKED and a lease (`locked_until`), so two workers never take the
// same row, and a row whose worker died is taken again once its lease has expired.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import type { Mailer } from './mailer.ts';
import { getConfig } from '#/server/config.ts';
import { pruneRateLimits } from '#/server/security/rate-limit.ts';
import { pruneSpentFormStamps } from '#/server/security/anti-spam.ts';
import { pruneExpiredDrafts } from '#/server/forms/form-draft.ts';
import { isLocale } from '#/lib/locales.ts';
import { isDatabaseUnavailable } from '#/server/db/errors.ts';
import { WITHDRAWN, type ClaimedMessage, type MessageRenderers, type RenderRequest } from './renderers.ts';
import type { RenderedEmail } from './email-layout.ts';
import type { SmsSender } from '#/server/sms/sender.ts';
import { measureSms, splitSegments } from '#/server/sms/encoding.ts';
import {
  nextRomeDay,
  releaseSmsSegments,
  reserveSmsSegments,
  segmentReserver,
  type SegmentRequest,
} from '#/server/sms/daily-limit.ts';
import { receiptRecorder } from '#/server/sms/receipts.ts';
import { pruneMessageCounters } from './outbox.ts';
import { recordSent, sentRecorder, SPENT_PAYLOAD, type SentRecord } from './sent-records.ts';

export type { ClaimedMessage } from './renderers.ts';

/** How long a claimed message stays reserved; far longer than an SMTP attempt (timeouts of 10–30 s). */
const LEASE_MS = 5 * 60_000;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 60 * 60_000;
const HOUSEKEEPING_EVERY_MS = 60 * 60_000;
export const DEFAULT_MAX_ATTEMPTS = 12;

/**
 * Reserves up to `limit` due messages in one statement: pending ones whose time has come, and
 * those left "sending" by a worker whose lease expired; verification codes first (a family is
 * waiting for each, and a backlog of confirmations must not hold them back), then the rest in
 * order. Rows another worker is claiming right now are skipped, not waited for.
 */
export async function claimDueMessages(db: Db, now: Date, limit: number): Promise<ClaimedMessage[]> {
  const rows = await claimStatement(db, now, limit).execute();
  return rows
    .map((r) => ({
      id: r.id,
      kind: r.kind,
      channel: r.channel,
      recipient: r.recipient,
      locale: r.locale,
      payload: r.payload,
      bookingId: r.booking_id,
      pledgeId: r.pledge_id,
      volunteerId: r.volunteer_id,
      attempts: r.attempts,
      createdAt: r.created_at,
    }))
    .sort((a, b) => a.id - b.id);
}

/** The claim's UPDATE, not run: claimDueMessages runs it; the tests read its plan. */
export function claimStatement(db: Db, now: Date, limit: number) {
  // Three parts, each read through an index of its own, rather than one condition with an OR:
  // an OR of "pending and due" with "sending and lease expired" bounds no index column, so every
  // claim walked all the pending messages, the reminders of the coming weeks included.
  //   codes   pending codes whose time has come   outbox_due_code_idx (send_after, id)
  //   others  the other pending messages, due     outbox_due_idx (send_after)
  //   lapsed  left "sending" by a worker whose lease expired (rare)   outbox_lease_idx (locked_until)
  // The statuses and the kind are written into the SQL, not sent as parameters: the statement is
  // prepared once and runs with PostgreSQL's generic plan, which can use a partial index only when
  // the index's condition (WHERE status IN ('pending', 'sending') …) is in the statement's text.
  const code = sql.lit('verification_code');
  const pendingDue = (codes: boolean) =>
    db
      .selectFrom('outbox')
      .select(['id', 'send_after', sql.lit(codes ? 0 : 1).as('rank')])
      .where('status', '=', sql.lit('pending'))
      .where('send_after', '<=', now)
      .where('kind', codes ? '=' : '<>', code)
      .orderBy('send_after')
      .orderBy('id')
      .limit(limit)
      .forUpdate()
      .skipLocked();
  const lapsed = db
    .selectFrom('outbox')
    .select(['id', 'send_after', sql<number>`CASE WHEN kind = ${code} THEN 0 ELSE 1 END`.as('rank')])
    .where('status', '=', sql.lit('sending'))
    .where('locked_until', '<', now)
    .orderBy('locked_until')
    .limit(limit)
    .forUpdate()
    .skipLocked();
  // Each part locks its rows as it reads them (FOR UPDATE is not allowed across a UNION); the rows
  // past the first `limit` are unlocked when the statement ends.
  const due = db
    .with('codes', () => pendingDue(true))
    .with('others', () => pendingDue(false))
    .with('lapsed', () => lapsed)
    .selectFrom((qb) =>
      qb
        .selectFrom('codes')
        .select(['id', 'send_after', 'rank'])
        .unionAll(qb.selectFrom('others').select(['id', 'send_after', 'rank']))
        .unionAll(qb.selectFrom('lapsed').select(['id', 'send_after', 'rank']))
        .as('due'),
    )
    .select('due.id')
    .orderBy('due.rank')
    .orderBy('due.send_after')
    .orderBy('due.id')
    .limit(limit);
  return db
    .updateTable('outbox')
    .set({ status: 'sending', locked_until: new Date(now.getTime() + LEASE_MS), attempts: sql<number>`attempts + 1` })
    .where('id', 'in', due)
    .returning([
      'id',
      'kind',
      'channel',
      'recipient',
      'locale',
      'payload',
      'booking_id',
      'pledge_id',
      'volunteer_id',
      'attempts',
      'created_at',
    ]);
}

/** Wait before the next attempt: 30 s, 1 min, 2 min… up to an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);
}

export interface DeliveryContext {
  mailer: Mailer;
  /** The SMS transport; without one an SMS fails and is retried (a worker started without SMS). */
  sms?: SmsSender;
  renderers: MessageRenderers;
  /** Public origin for the links in the message. */
  origin: string;
  maxAttempts?: number;
  /** SMS segments a day (default: SMS_DAILY_LIMIT). */
  smsDailyLimit?: number;
  log?: (line: string) => void;
  /** Told as soon as the transport accepted a message, before its row says so (see startWorker). */
  delivered?: (outboxId: number) => void;
  /** Records an SMS as sent (startWorker gathers those of a batch: sent-records.ts); alone by default. */
  recordSent?: (record: SentRecord) => Promise<void>;
  /** Counts an SMS's segments in the day (startWorker gathers those of a batch: daily-limit.ts); alone by default. */
  reserveSegments?: (request: SegmentRequest) => Promise<boolean>;
}

export type DeliveryOutcome = 'sent' | 'retry' | 'failed' | 'cancelled' | 'deferred';

/** Renders and sends one claimed message, then records the outcome on its row. */
export async function deliverMessage(
  db: Db,
  message: ClaimedMessage,
  now: Date,
  context: DeliveryContext,
): Promise<DeliveryOutcome> {
  const log = context.log ?? console.log;
  const request: RenderRequest = {
    db,
    message,
    locale: isLocale(message.locale) ? message.locale : 'it',
    origin: context.origin,
  };
  let rendered: RenderedEmail | string;
  try {
    const renderer = context.renderers[message.channel][message.kind];
    if (!renderer)
      throw new Error(`unknown message kind "${message.kind}"${message.channel === 'sms' ? ' for SMS' : ''}`);
    const result = await renderer(request);
    if (result === WITHDRAWN) {
      await finishMessage(db, message, { status: 'cancelled' });
      return 'cancelled';
    }
    rendered = result;
  } catch (error) {
    // The database went away while the renderer read it: nothing is wrong with the message. The run
    // fails, and the worker gives the message back at its next run (settleUnfinished).
    if (isDatabaseUnavailable(error)) throw error;
    // A message that cannot be rendered (unknown kind, malformed payload, desk or campaign removed) would fail
    // the same way on every retry: give up at once and say why.
    await finishMessage(db, message, { status: 'failed', last_error: describeError(error) });
    log(`[outbox] message #${message.id} (${message.kind}) cannot be rendered: ${describeError(error)}`);
    return 'failed';
  }
  if (typeof rendered === 'string') return deliverSms(db, message, rendered, now, context, log);
  try {
    await context.mailer.send({
      outboxId: message.id,
      kind: message.kind,
      to: message.recipient,
      locale: message.locale,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      ...(rendered.ics ? { ics: rendered.ics } : {}),
    });
  } catch (error) {
    return recordFailure(db, message, now, error, context.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, log);
  }
  context.delivered?.(message.id);
  await finishMessage(db, message, { status: 'sent', sent_at: now, last_error: null });
  return 'sent';
}

/**
 * Sends an SMS within the day's segments (SMS_DAILY_LIMIT): past it the message waits for the next
 * day without using up an attempt. The row records the encoding, the segments and the SMS centre's id.
 */
async function deliverSms(
  db: Db,
  message: ClaimedMessage,
  text: string,
  now: Date,
  context: DeliveryContext,
  log: (line: string) => void,
): Promise<DeliveryOutcome> {
  const { encoding, segments } = measureSms(text);
  const limit = context.smsDailyLimit ?? getConfig().smsDailyLimit;
  const request = { now, segments, limit };
  if (
    !(await (context.reserveSegments ? context.reserveSegments(request) : reserveSmsSegments(db, now, segments, limit)))
  ) {
    const tomorrow = nextRomeDay(now);
    await db
      .updateTable('outbox')
      .set({
        status: 'pending',
        send_after: tomorrow,
        locked_until: null,
        attempts: sql<number>`attempts - 1`,
        last_error: 'daily SMS limit reached: waits for the next day',
      })
      .where('id', '=', message.id)
      .where('status', '=', 'sending')
      .where('attempts', '=', message.attempts)
      .execute();
    log(`[outbox] SMS #${message.id} (${message.kind}) waits for ${tomorrow.toISOString()}: daily SMS limit reached`);
    return 'deferred';
  }
  let providerMessageId: string | undefined;
  try {
    if (!context.sms) throw new Error('no SMS transport in this worker');
    ({ providerMessageId } = await context.sms.send({
      outboxId: message.id,
      kind: message.kind,
      to: message.recipient,
      text,
      encoding,
      parts: splitSegments(text, encoding),
    }));
  } catch (error) {
    await releaseSmsSegments(db, now, segments);
    return recordFailure(db, message, now, error, context.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, log);
  }
  context.delivered?.(message.id);
  const sent: SentRecord = {
    id: message.id,
    attempts: message.attempts,
    sentAt: now,
    encoding,
    segments,
    providerMessageId: providerMessageId ?? null,
  };
  await (context.recordSent ? context.recordSent(sent) : recordSent(db, [sent]));
  return 'sent';
}

async function recordFailure(
  db: Db,
  message: ClaimedMessage,
  now: Date,
  error: unknown,
  maxAttempts: number,
  log: (line: string) => void,
): Promise<DeliveryOutcome> {
  const reason = describeError(error);
  if (message.attempts >= maxAttempts) {
    await finishMessage(db, message, { status: 'failed', last_error: reason });
    log(
      `[outbox] message #${message.id} (${message.kind}) failed for good after ${message.attempts} attempts: ${reason}`,
    );
    return 'failed';
  }
  const retryAt = new Date(now.getTime() + retryDelayMs(message.attempts));
  await finishMessage(db, message, { status: 'pending', send_after: retryAt, last_error: reason });
  log(
    `[outbox] message #${message.id} (${message.kind}) attempt ${message.attempts} failed, retry at ${retryAt.toISOString()}: ${reason}`,
  );
  return 'retry';
}

/**
 * Records the outcome of an attempt, only if this worker still holds the claim: a worker that
 * outlived its lease must not overwrite what the worker that took the row over has recorded.
 */
async function finishMessage(
  db: Db,
  message: ClaimedMessage,
  values: {
    status: 'sent' | 'pending' | 'failed' | 'cancelled';
    sent_at?: Date;
    send_after?: Date;
    last_error?: string | null;
  },
): Promise<void> {
  await db
    .updateTable('outbox')
    .set({
      ...values,
      locked_until: null,
      ...(values.status === 'sent' ? { payload: SPENT_PAYLOAD } : {}),
    })
    .where('id', '=', message.id)
    .where('status', '=', 'sending')
    .where('attempts', '=', message.attempts)
    .execute();
}

/** The error's message without email addresses or phone numbers (replies often quote the recipient), kept short. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text
    .replace(/[^\s<>"'(),;:@]+@[^\s<>"'(),;:]+/g, '[address]')
    .replace(/\+?[0-9][0-9 ]{7,}[0-9]/g, '[phone]')
    .slice(0, 500);
}

/**
 * After a wake whose message may still be uncommitted: long enough for the transaction that queued
 * it to commit. A wake after the commit runs at once: a family is waiting for its code.
 */
const WAKE_DELAY_MS = 50;

/**
 * A run claims batch after batch while there is more, but hands over after this long: the next run
 * starts at once, with the hourly housekeeping first when it is due. Without it, a queue that never
 * empties (a stream of bookings, a closed day's hundreds of cancellations at a provider's slow rate)
 * would hold back the erasure of personal data until it did.
 */
const RUN_SLICE_MS = 10_000;

export interface WorkerOptions {
  db: Db;
  mailer: Mailer;
  /** Time between runs (the first one too); 0 runs only when runOnce() is called (tests). */
  intervalMs: number;
  /** Read at each run: a server started without PUBLIC_URL knows its origin only once its port is bound. */
  origin: () => string;
  /** The SMS transport (SMPP or files); without one, SMS rows fail and are retried. */
  sms?: SmsSender;
  /** What the features bring: renderers, their hourly jobs, the SMS reply handler (src/messages/index.ts). */
  features: WorkerFeatures;
  /** SMS segments a day (default: SMS_DAILY_LIMIT). */
  smsDailyLimit?: number;
  batchSize?: number;
  maxAttempts?: number;
  now?: () => Date;
  log?: (line: string) => void;
}

/** An hourly job of a feature (erasure, expiry); returns how many rows it touched, for the log. */
export interface HousekeepingJob {
  name: string;
  run(db: Db, at: Date): Promise<number | void>;
  describe(count: number): string;
}

export interface WorkerFeatures {
  renderers: MessageRenderers;
  /** Run in this order, each on its own: one failing does not skip the others. */
  housekeeping: HousekeepingJob[];
  /** A text message a person sent us (not a delivery receipt). */
  onSmsReply?: (db: Db, reply: { from: string; text: string }, now: Date) => Promise<void>;
}

export interface RunningWorker {
  runOnce(): Promise<{ sent: number; failed: number }>;
  /**
   * A message was just queued: run now (`committed`: its row is visible) or in a moment, rather than
   * at the next round (no-op when intervalMs is 0).
   */
  wake(committed?: boolean): void;
  /** Stops the timer and waits for the run in progress, so the database can close after it. */
  stop(): Promise<void>;
}

export function startWorker(options: WorkerOptions): RunningWorker {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? console.log;
  const batchSize = options.batchSize ?? 20;
  const inFlight = new Set<Promise<unknown>>();
  let lastHousekeeping: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  // Messages of a run that failed (the database went away mid-batch) would stay leased as
  // 'sending' for LEASE_MS, so a family's code would wait minutes after the database is back. This
  // worker knows which of its claimed messages it did not finish: it gives them back at its next
  // run, or records as sent those the transport had already accepted (never sent twice).
  const deliveredNow = new Set<number>();
  const unfinished = new Map<number, 'give back' | 'record sent'>();
  // The SMS of a batch count their segments and are recorded as sent together (gather.ts).
  const recordSentSms = sentRecorder(options.db);
  const reserveSegments = segmentReserver(options.db);

  async function settleUnfinished(at: Date): Promise<void> {
    const ids = (what: string) => [...unfinished].filter(([, v]) => v === what).map(([id]) => id);
    const back = ids('give back');
    const sent = ids('record sent');
    if (back.length)
      await options.db
        .updateTable('outbox')
        .set({ status: 'pending', locked_until: null, attempts: sql<number>`attempts - 1` })
        .where('id', 'in', back)
        .where('status', '=', 'sending')
        .execute();
    if (sent.length)
      await options.db
        .updateTable('outbox')
        .set({ status: 'sent', sent_at: at, last_error: null })
        .where('id', 'in', sent)
        .where('status', '=', 'sending')
        .execute();
    unfinished.clear();
  }

  /** One message's delivery; if it throws, the message is remembered for settleUnfinished. */
  function deliverTracked(message: ClaimedMessage, at: Date, context: DeliveryContext): Promise<DeliveryOutcome> {
    return deliverMessage(options.db, message, at, context)
      .catch((error: unknown) => {
        unfinished.set(message.id, deliveredNow.has(message.id) ? 'record sent' : 'give back');
        throw error;
      })
      .finally(() => deliveredNow.delete(message.id));
  }

  async function deliverDueMessages(): Promise<{ sent: number; failed: number }> {
    const totals = { sent: 0, failed: 0 };
    const smsInFlight = new Set<Promise<void>>();
    if (unfinished.size) await settleUnfinished(now());
    const startedAt = now().getTime();
    // Claim batch after batch until the queue is drained; failures are rescheduled into the future,
    // so they are not claimed again in the same run.
    for (;;) {
      const at = now();
      // This claim sees the rows of the committed wakes so far (see `more` below).
      if (wakeAgain === 0) wakeAgain = undefined;
      const batch = await claimDueMessages(options.db, at, batchSize);
      const context: DeliveryContext = {
        mailer: options.mailer,
        renderers: options.features.renderers,
        origin: options.origin(),
        ...(options.sms ? { sms: options.sms } : {}),
        ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
        ...(options.smsDailyLimit ? { smsDailyLimit: options.smsDailyLimit } : {}),
        log,
        delivered: (id) => deliveredNow.add(id),
        recordSent: recordSentSms,
        reserveSegments,
      };
      const count = (outcome: DeliveryOutcome) => {
        if (outcome === 'sent') totals.sent++;
        else if (outcome === 'retry' || outcome === 'failed') totals.failed++;
      };
      // SMS go out side by side, and the next batch is claimed while they do, so the SMPP transport
      // always has SMS_TPS submits to make (it spaces and windows them); emails one after another,
      // one SMTP connection each, as before.
      for (const message of batch.filter((m) => m.channel === 'sms')) {
        const delivery: Promise<void> = deliverTracked(message, at, context)
          .then(count)
          .finally(() => smsInFlight.delete(delivery));
        smsInFlight.add(delivery);
      }
      const emails = batch.filter((m) => m.channel === 'email');
      for (const [i, message] of emails.entries()) {
        try {
          count(await deliverTracked(message, at, context));
        } catch (error) {
          // The rest of the batch was claimed but not tried.
          for (const rest of emails.slice(i + 1)) unfinished.set(rest.id, 'give back');
          throw error;
        }
      }
      // Claim again while there may be more: a full batch, or a message committed since this claim
      // (under load, a family's code is claimed while the SMS before it are still going out, not
      // after them). Otherwise the run ends once its SMS are out, and also once its time slice is
      // over, with the next run right after it.
      const more = batch.length === batchSize || wakeAgain === 0;
      const sliceOver = now().getTime() - startedAt >= RUN_SLICE_MS;
      if (!more || stopped || sliceOver) {
        if (more && !stopped) wakeAgain = 0;
        // A message committed while this batch's SMS are still out (a provider's rate of a few a
        // second makes that seconds) is claimed then, not after them: a family is waiting for its code.
        const woken =
          !more &&
          !stopped &&
          !sliceOver &&
          smsInFlight.size > 0 &&
          (await Promise.race([Promise.all(smsInFlight).then(() => false), nextCommittedWake().then(() => true)]));
        if (!woken) {
          await Promise.all(smsInFlight);
          return totals;
        }
      }
      // At most one batch waits behind the one being sent: claimed rows never outlive their lease.
      while (smsInFlight.size >= batchSize) await Promise.race(smsInFlight);
    }
  }

  async function runHousekeepingIfDue(): Promise<void> {
    const at = now();
    if (lastHousekeeping !== undefined && at.getTime() - lastHousekeeping < HOUSEKEEPING_EVERY_MS) return;
    lastHousekeeping = at.getTime();
    const db = options.db;
    // Each job on its own: one failing must not skip the others.
    const jobs: [string, () => Promise<number | void>, (n: number) => string][] = [
      ...options.features.housekeeping.map((job): [string, () => Promise<number | void>, (n: number) => string] => [
        job.name,
        () => job.run(db, at),
        (n) => job.describe(n),
      ]),
      ['rate-limit pruning', () => pruneRateLimits(db, at), () => ''],
      ['spent form stamps', () => pruneSpentFormStamps(db, at), () => ''],
      ['form drafts', () => pruneExpiredDrafts(db, at), () => ''],
      ['message counters', () => pruneMessageCounters(db, at), () => ''],
    ];
    for (const [name, run, describe] of jobs) {
      try {
        const count = await run();
        if (typeof count === 'number' && count > 0) log(`[worker] ${describe(count)}`);
      } catch (error) {
        // Housekeeping must not stop delivery; it is tried again at the next hour.
        log(`[worker] housekeeping (${name}) failed: ${describeError(error)}`);
      }
    }
  }

  function runOnce(): Promise<{ sent: number; failed: number }> {
    const run = (async () => {
      await runHousekeepingIfDue();
      return deliverDueMessages();
    })();
    inFlight.add(run);
    void run.finally(() => inFlight.delete(run)).catch(() => {});
    return run;
  }

  // A wake during a run asks for another run right after it (`wakeAgain`: after how long; 0 for a
  // committed message, which the run also claims itself before it ends): the run may have claimed
  // its batch before the new row was there.
  let running = false;
  let wakeAgain: number | undefined;
  // Settled by a committed wake during a run (see deliverDueMessages' end).
  let committedWake: PromiseWithResolvers<void> | undefined;
  const nextCommittedWake = () => (committedWake ??= Promise.withResolvers<void>()).promise;
  // When the next run is due. A wake only ever brings it closer: were each wake to start the wait
  // again, a steady stream of bookings (one every < 50 ms) would hold every code back until it paused.
  let dueAt = Infinity;
  function schedule(delayMs: number, { onlySooner = false } = {}): void {
    if (stopped || options.intervalMs <= 0) return;
    const at = Date.now() + delayMs;
    if (onlySooner && at >= dueAt) return;
    clearTimeout(timer);
    dueAt = at;
    timer = setTimeout(() => {
      dueAt = Infinity;
      running = true;
      runOnce()
        .catch((error: unknown) => log(`[worker] run failed: ${describeError(error)}`))
        .finally(() => {
          running = false;
          const again = wakeAgain;
          wakeAgain = undefined;
          schedule(again ?? options.intervalMs);
        });
    }, delayMs);
  }

  // Delivery receipts and replies arrive on the SMPP bind whenever the network sends them; the
  // receipts of a burst are recorded together (receipts.ts).
  const recordReceipt = receiptRecorder(options.db, log);
  options.sms?.onInbound(async (inbound) => {
    try {
      if (inbound.type === 'receipt') await recordReceipt(inbound);
      else await options.features.onSmsReply?.(options.db, inbound, now());
    } catch (error) {
      log(`[sms] ${inbound.type} not handled: ${describeError(error)}`);
    }
  });

  schedule(options.intervalMs);
  return {
    runOnce,
    wake(committed = false) {
      const delay = committed ? 0 : WAKE_DELAY_MS;
      if (!running) return schedule(delay, { onlySooner: true });
      wakeAgain = Math.min(wakeAgain ?? delay, delay);
      if (committed) {
        committedWake?.resolve();
        committedWake = undefined;
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
