// The outbox worker: delivers the messages that bookings, pledges and volunteer sign-ups wrote into
// the outbox table, retries failures with exponential backoff, and runs the hourly housekeeping
// (erasure of expired personal data, expiry of unkept pledges, deletion of unconfirmed volunteers,
// pruning of rate-limit windows).
//
// Several workers may run at once (one per server instance, or `npm run worker`): a message is
// claimed with FOR UPDATE SKIP LOCKED and a lease (`locked_until`), so two workers never take the
// same row, and a row whose worker died is taken again once its lease has expired.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import type { Mailer } from './mailer.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import { getCampaign } from '#/features/campaign/campaigns.ts';
import { getConfig } from '#/server/config.ts';
import { eraseExpiredBookings } from '#/features/booking/erase-bookings.ts';
import { releaseLapsedHolds } from '#/features/booking/holds.ts';
import { parseCodePayload, renderCodeEmail } from '#/features/booking/code-email.ts';
import { eraseExpiredPledges, expireUnkeptPledges } from '#/features/campaign/pledges.ts';
import { deleteUnconfirmedVolunteers } from '#/features/volunteers/volunteers.ts';
import { pruneRateLimits } from '#/server/security/rate-limit.ts';
import { pruneSpentFormStamps } from '#/server/security/anti-spam.ts';
import { pruneExpiredDrafts } from '#/server/forms/form-draft.ts';
import { hashToken } from '#/features/booking/reference.ts';
import { isLocale, localize, type Locale } from '#/lib/locales.ts';
import {
  isBookingMessageKind,
  parseBookingPayload,
  renderBookingEmail,
  type BookingMessageKind,
  type RenderedEmail,
} from '#/features/booking/emails.ts';
import {
  isPledgeMessageKind,
  parsePledgePayload,
  renderPledgeEmail,
  type PledgeMessageKind,
} from '#/features/campaign/emails.ts';
import {
  isVolunteerMessageKind,
  parseVolunteerMessage,
  renderVolunteerEmail,
  type VolunteerMessageKind,
} from '#/features/volunteers/emails.ts';
import { isStaffMessageKind, parseStaffMessage, renderStaffEmail } from '#/features/staff-accounts/emails.ts';

/** How long a claimed message stays reserved; far longer than an SMTP attempt (timeouts of 10–30 s). */
const LEASE_MS = 5 * 60_000;
const FIRST_RETRY_MS = 30_000;
const MAX_RETRY_MS = 60 * 60_000;
const HOUSEKEEPING_EVERY_MS = 60 * 60_000;
export const DEFAULT_MAX_ATTEMPTS = 12;

export interface ClaimedMessage {
  id: number;
  kind: string;
  recipient: string;
  locale: string;
  payload: unknown;
  bookingId: number | null;
  pledgeId: number | null;
  volunteerId: number | null;
  /** Including the attempt just claimed. */
  attempts: number;
  createdAt: Date;
}

/**
 * Reserves up to `limit` due messages in one statement: pending ones whose time has come, and
 * those left "sending" by a worker whose lease expired. Rows another worker is claiming right now
 * are skipped, not waited for.
 */
export async function claimDueMessages(db: Db, now: Date, limit: number): Promise<ClaimedMessage[]> {
  const due = db
    .selectFrom('outbox')
    .select('id')
    .where((eb) =>
      eb.or([
        eb.and([eb('status', '=', 'pending'), eb('send_after', '<=', now)]),
        eb.and([eb('status', '=', 'sending'), eb('locked_until', '<', now)]),
      ]),
    )
    .orderBy('send_after')
    .orderBy('id')
    .limit(limit)
    .forUpdate()
    .skipLocked();
  const rows = await db
    .updateTable('outbox')
    .set({ status: 'sending', locked_until: new Date(now.getTime() + LEASE_MS), attempts: sql<number>`attempts + 1` })
    .where('id', 'in', due)
    .returning([
      'id',
      'kind',
      'recipient',
      'locale',
      'payload',
      'booking_id',
      'pledge_id',
      'volunteer_id',
      'attempts',
      'created_at',
    ])
    .execute();
  return rows
    .map((r) => ({
      id: r.id,
      kind: r.kind,
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

/** Wait before the next attempt: 30 s, 1 min, 2 min… up to an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1), MAX_RETRY_MS);
}

export interface DeliveryContext {
  mailer: Mailer;
  /** Public origin for the links in the email. */
  origin: string;
  maxAttempts?: number;
  log?: (line: string) => void;
}

export type DeliveryOutcome = 'sent' | 'retry' | 'failed' | 'cancelled';

/** Renders and sends one claimed message, then records the outcome on its row. */
export async function deliverMessage(
  db: Db,
  message: ClaimedMessage,
  now: Date,
  context: DeliveryContext,
): Promise<DeliveryOutcome> {
  const log = context.log ?? console.log;
  let email: RenderedEmail;
  try {
    const prepared = await prepareEmail(db, message, context.origin);
    if (prepared === 'withdrawn') {
      await finishMessage(db, message, { status: 'cancelled' });
      return 'cancelled';
    }
    email = prepared;
  } catch (error) {
    // A message that cannot be rendered (unknown kind, malformed payload, desk or campaign removed) would fail
    // the same way on every retry: give up at once and say why.
    await finishMessage(db, message, { status: 'failed', last_error: describeError(error) });
    log(`[outbox] message #${message.id} (${message.kind}) cannot be rendered: ${describeError(error)}`);
    return 'failed';
  }
  try {
    await context.mailer.send({
      outboxId: message.id,
      kind: message.kind,
      to: message.recipient,
      locale: message.locale,
      subject: email.subject,
      text: email.text,
      html: email.html,
      ...(email.ics ? { ics: email.ics } : {}),
    });
  } catch (error) {
    return recordFailure(db, message, now, error, context.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, log);
  }
  await finishMessage(db, message, { status: 'sent', sent_at: now, last_error: null });
  // A sent message needs its secrets no more: the links' tokens leave the table with it.
  await db
    .updateTable('outbox')
    .set({ payload: sql`payload - 'manageToken' - 'confirmToken' - 'withdrawToken' - 'token'` })
    .where('id', '=', message.id)
    .where('status', '=', 'sent')
    .execute();
  return 'sent';
}

type BookingContext = { status: string; firstName: string | null; erased: boolean };

/** The email to send, or 'withdrawn' when the booking, pledge or sign-up no longer needs it. */
async function prepareEmail(db: Db, message: ClaimedMessage, origin: string): Promise<RenderedEmail | 'withdrawn'> {
  const locale: Locale = isLocale(message.locale) ? message.locale : 'it';
  if (isBookingMessageKind(message.kind)) return prepareBookingEmail(db, message, message.kind, locale, origin);
  if (isPledgeMessageKind(message.kind)) return preparePledgeEmail(db, message, message.kind, locale, origin);
  if (isVolunteerMessageKind(message.kind)) return prepareVolunteerEmail(db, message, message.kind, locale, origin);
  if (message.kind === 'verification_code')
    return renderCodeEmail({ code: parseCodePayload(message.payload).code, locale });
  if (isStaffMessageKind(message.kind))
    return renderStaffEmail({ message: parseStaffMessage(message.kind, message.payload), locale, origin });
  throw new Error(`unknown message kind "${message.kind}"`);
}

async function prepareBookingEmail(
  db: Db,
  message: ClaimedMessage,
  kind: BookingMessageKind,
  locale: Locale,
  origin: string,
): Promise<RenderedEmail | 'withdrawn'> {
  const booking = message.bookingId === null ? undefined : await loadBookingContext(db, message.bookingId);
  if (booking?.erased || isObsoleteReminder(kind, booking)) return 'withdrawn';
  const payload = parseBookingPayload(message.payload);
  const desk = await getDeskBySlug(db, payload.deskSlug);
  if (!desk) throw new Error(`desk "${payload.deskSlug}" not found`);
  return renderBookingEmail({
    kind,
    payload,
    desk,
    locale,
    origin,
    firstName: booking?.firstName ?? null,
    // Outbox ids grow, so a later change of the same booking always carries a higher SEQUENCE.
    sequence: kind === 'booking_confirmation' ? 0 : message.id,
    stamp: message.createdAt,
  });
}

async function preparePledgeEmail(
  db: Db,
  message: ClaimedMessage,
  kind: PledgeMessageKind,
  locale: Locale,
  origin: string,
): Promise<RenderedEmail | 'withdrawn'> {
  const pledge =
    message.pledgeId === null
      ? undefined
      : await db
          .selectFrom('pledge')
          .select(['status', 'first_name', 'erased_at'])
          .where('id', '=', message.pledgeId)
          .executeTakeFirst();
  // The donor's data is gone, or the pledge was closed before its reminder (received, cancelled, expired).
  if (pledge?.erased_at || (kind === 'pledge_reminder' && pledge !== undefined && pledge.status !== 'pledged'))
    return 'withdrawn';
  const payload = parsePledgePayload(message.payload);
  const campaign = await getCampaign(db, payload.campaignSlug, message.createdAt);
  if (!campaign) throw new Error(`campaign "${payload.campaignSlug}" not found`);
  const point = campaign.dropOffPoints.find((p) => p.slug === payload.pointSlug);
  if (!point) throw new Error(`drop-off point "${payload.pointSlug}" not found`);
  return renderPledgeEmail({
    kind,
    payload,
    point,
    itemNames: Object.fromEntries(campaign.items.map((i) => [i.slug, localize(i.name, locale)])),
    locale,
    origin,
    firstName: pledge?.first_name ?? null,
    // Outbox ids grow, so the cancellation always carries a higher SEQUENCE than the confirmation.
    sequence: kind === 'pledge_confirmation' ? 0 : message.id,
    stamp: message.createdAt,
  });
}

async function prepareVolunteerEmail(
  db: Db,
  message: ClaimedMessage,
  kind: VolunteerMessageKind,
  locale: Locale,
  origin: string,
): Promise<RenderedEmail | 'withdrawn'> {
  const parsed = parseVolunteerMessage(kind, message.payload);
  if (message.volunteerId === null) return renderVolunteerEmail({ message: parsed, locale, origin });
  const volunteer = await db
    .selectFrom('volunteer')
    .select(['status', 'name', 'confirm_token_hash'])
    .where('id', '=', message.volunteerId)
    .executeTakeFirst();
  // Withdrawn (or deleted unconfirmed) meanwhile: nothing more goes out about this person.
  if (!volunteer) return 'withdrawn';
  // A confirmation link already used, or replaced by a newer sign-up's link, would only fail.
  if (
    parsed.kind === 'volunteer_confirm_address' &&
    (volunteer.status !== 'unconfirmed' || volunteer.confirm_token_hash !== hashToken(parsed.confirmToken))
  )
    return 'withdrawn';
  // The coordinators' notice never carries the volunteer's name.
  return renderVolunteerEmail({
    message: parsed,
    locale,
    origin,
    ...(parsed.kind === 'volunteer_coordinator_notice' ? {} : { name: volunteer.name }),
  });
}

/** A reminder for an appointment that was cancelled (or closed) meanwhile must not go out. */
function isObsoleteReminder(kind: BookingMessageKind, booking: BookingContext | undefined): boolean {
  return kind === 'booking_reminder' && booking !== undefined && booking.status !== 'confirmed';
}

async function loadBookingContext(db: Db, bookingId: number): Promise<BookingContext | undefined> {
  const row = await db
    .selectFrom('booking')
    .select(['status', 'first_name', 'erased_at'])
    .where('id', '=', bookingId)
    .executeTakeFirst();
  return row && { status: row.status, firstName: row.first_name, erased: row.erased_at !== null };
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
    .set({ ...values, locked_until: null })
    .where('id', '=', message.id)
    .where('status', '=', 'sending')
    .where('attempts', '=', message.attempts)
    .execute();
}

/** The error's message without email addresses (SMTP replies often quote the recipient), kept short. */
export function describeError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/[^\s<>"'(),;:@]+@[^\s<>"'(),;:]+/g, '[address]').slice(0, 500);
}

/** After a wake, long enough for the transaction that queued the message to commit. */
const WAKE_DELAY_MS = 50;

export interface WorkerOptions {
  db: Db;
  mailer: Mailer;
  /** Time between runs (the first one too); 0 runs only when runOnce() is called (tests). */
  intervalMs: number;
  /** Read at each run: a server started without PUBLIC_URL knows its origin only once its port is bound. */
  origin: () => string;
  /** Days after an appointment when its personal data is erased. */
  retentionDays?: number;
  /** Hours after a collection window when a pledge still open expires (default: PLEDGE_GRACE_HOURS). */
  pledgeGraceHours?: number;
  /** Days after a collection window when the donors' data is erased (default: PLEDGE_RETENTION_DAYS). */
  pledgeRetentionDays?: number;
  batchSize?: number;
  maxAttempts?: number;
  now?: () => Date;
  log?: (line: string) => void;
}

export interface RunningWorker {
  runOnce(): Promise<{ sent: number; failed: number }>;
  /** A message was just queued: run in a moment rather than at the next round (no-op when intervalMs is 0). */
  wake(): void;
  /** Stops the timer and waits for the run in progress, so the database can close after it. */
  stop(): Promise<void>;
}

export function startWorker(options: WorkerOptions): RunningWorker {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? console.log;
  const batchSize = options.batchSize ?? 20;
  const pledgeGraceHours = options.pledgeGraceHours ?? getConfig().pledgeGraceHours;
  const pledgeRetentionDays = options.pledgeRetentionDays ?? getConfig().pledgeRetentionDays;
  const inFlight = new Set<Promise<unknown>>();
  let lastHousekeeping: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;

  async function deliverDueMessages(): Promise<{ sent: number; failed: number }> {
    const totals = { sent: 0, failed: 0 };
    // Claim batch after batch until the queue is drained; failures are rescheduled into the future,
    // so they are not claimed again in the same run.
    for (;;) {
      const at = now();
      const batch = await claimDueMessages(options.db, at, batchSize);
      for (const message of batch) {
        const outcome = await deliverMessage(options.db, message, at, {
          mailer: options.mailer,
          origin: options.origin(),
          ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
          log,
        });
        if (outcome === 'sent') totals.sent++;
        else if (outcome === 'retry' || outcome === 'failed') totals.failed++;
      }
      if (batch.length < batchSize || stopped) return totals;
    }
  }

  async function runHousekeepingIfDue(): Promise<void> {
    const at = now();
    if (lastHousekeeping !== undefined && at.getTime() - lastHousekeeping < HOUSEKEEPING_EVERY_MS) return;
    lastHousekeeping = at.getTime();
    const db = options.db;
    // Each job on its own: one failing must not skip the others. Expiry before erasure, so an unkept
    // pledge gives its quantities back before its donor's data goes.
    const jobs: [string, () => Promise<number | void>, (n: number) => string][] = [
      // Lapsed holds first: their places come back, and their unverified contacts go.
      ['hold release', () => releaseLapsedHolds(db, at), (n) => `released ${n} unconfirmed booking holds`],
      [
        'booking erasure',
        () => eraseExpiredBookings(db, at, options.retentionDays ?? 30),
        (n) => `erased the personal data of ${n} past bookings`,
      ],
      ['pledge expiry', () => expireUnkeptPledges(db, at, pledgeGraceHours), (n) => `expired ${n} unkept pledges`],
      [
        'pledge erasure',
        () => eraseExpiredPledges(db, at, pledgeRetentionDays),
        (n) => `erased the personal data of ${n} past pledges`,
      ],
      [
        'volunteer clean-up',
        () => deleteUnconfirmedVolunteers(db, at),
        (n) => `deleted ${n} unconfirmed volunteer sign-ups`,
      ],
      ['rate-limit pruning', () => pruneRateLimits(db, at), () => ''],
      ['spent form stamps', () => pruneSpentFormStamps(db, at), () => ''],
      ['form drafts', () => pruneExpiredDrafts(db, at), () => ''],
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

  // A wake during a run asks for another run right after it: the run may have claimed its batch
  // before the new row was there.
  let running = false;
  let wakeAgain = false;
  function schedule(delayMs: number): void {
    if (stopped || options.intervalMs <= 0) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = true;
      runOnce()
        .catch((error: unknown) => log(`[worker] run failed: ${describeError(error)}`))
        .finally(() => {
          running = false;
          const again = wakeAgain;
          wakeAgain = false;
          schedule(again ? WAKE_DELAY_MS : options.intervalMs);
        });
    }, delayMs);
  }

  schedule(options.intervalMs);
  return {
    runOnce,
    wake() {
      if (running) wakeAgain = true;
      else schedule(WAKE_DELAY_MS);
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.allSettled([...inFlight]);
    },
  };
}
