// Email delivery through the outbox against a real SMTP server in-process (smtp-server): messages
// written with the booking survive an SMTP outage, none is sent twice (even with two workers), and
// reminders respect their time and cancellations. Runs on PGlite and, with TEST_DATABASE_URL, on PostgreSQL.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { workerFeatures } from '#/messages/index.ts';
import { startSink } from '../support/smtp-sink.ts';
import { decodeHeader, findPart, outboxIdOf, parseMime } from '../support/mime.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import { cancelBooking } from '#/features/booking/manage-booking.ts';
import { createBooking, type NewBooking } from '#/features/booking/create-booking.ts';
import { nextFreeSlots } from '#/features/booking/slot-availability.ts';
import { reminderTime } from '#/server/mail/outbox.ts';
import { createMailer, createSmtpMailer, type Mailer } from '#/server/mail/mailer.ts';
import { claimDueMessages, retryDelayMs, startWorker, type RunningWorker } from '#/server/mail/worker.ts';
import { onMessageQueued } from '#/server/mail/outbox.ts';

const ORIGIN = 'http://qubi.test';
const FROM = 'QuBì Milano <noreply@qubi.test>';
// Far from the real clock on purpose: confirmations are due from the real "now" they were written at.
const now = new Date('2030-03-04T08:00:00Z');
const MINUTE = 60_000;
const DAY = 86_400_000;

let t: TestDatabase;
let desk: Desk;
let slots: Date[];

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 10 });
  await seedDatabase(t.db, now);
  // Room for every booking of this file in a few slots; the capacity rules are tested elsewhere.
  desk = { ...(await getDeskBySlug(t.db, 'quarto-oggiaro'))!, capacityPerSlot: 100 };
  slots = (await nextFreeSlots(t.db, desk, new Date(now.getTime() + 3 * DAY), now, 6)).map((s) => s.start);
  expect(slots).toHaveLength(6);
});
afterAll(() => t.close());

// Each test starts from an empty outbox, so a worker run only sees that test's messages.
beforeEach(async () => {
  await t.db.deleteFrom('outbox').execute();
});

const request = (over: Partial<NewBooking> = {}): NewBooking => ({
  desk,
  start: slots[0]!,
  firstName: 'Amina',
  email: 'amina@example.org',
  phone: null,
  topic: 'school',
  note: 'private note about the family',
  locale: 'en',
  submissionKey: null,
  source: 'public',
  ...over,
});

async function book(over: Partial<NewBooking> = {}) {
  const outcome = await createBooking(t.db, request(over), now);
  if (!outcome.ok) throw new Error(`not booked: ${outcome.reason}`);
  return outcome;
}

/** A port nothing listens on: SMTP "down". */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

function countById(received: string[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const raw of received) counts.set(outboxIdOf(raw), (counts.get(outboxIdOf(raw)) ?? 0) + 1);
  return counts;
}

// ---- the worker under test ------------------------------------------------------------------

let clock = now;
const logLines: string[] = [];

function worker(mailer: Mailer, over: { batchSize?: number; maxAttempts?: number } = {}): RunningWorker {
  return startWorker({
    db: t.db,
    mailer,
    features: workerFeatures(),
    intervalMs: 0,
    origin: () => ORIGIN,
    now: () => clock,
    log: (line) => logLines.push(line),
    ...over,
  });
}

function smtpMailer(port: number): Mailer {
  return createSmtpMailer(`smtp://127.0.0.1:${port}`, { from: FROM, origin: ORIGIN });
}

async function outboxRows(kind?: string) {
  let query = t.db
    .selectFrom('outbox')
    .select(['id', 'kind', 'status', 'attempts', 'last_error', 'send_after', 'booking_id'])
    .orderBy('id');
  if (kind) query = query.where('kind', '=', kind);
  return query.execute();
}

beforeEach(() => {
  clock = now;
  logLines.length = 0;
});

describe(`outbox delivery (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('sends one confirmation in the booking’s language: text, HTML and a calendar file, with nothing personal in the subject', async () => {
    const sink = await startSink();
    try {
      const english = await book();
      const arabic = await book({ locale: 'ar', start: slots[1]! });
      const result = await worker(smtpMailer(sink.port)).runOnce();
      expect(result).toEqual({ sent: 2, failed: 0 });
      expect(sink.received).toHaveLength(2);

      const confirmations = await outboxRows('booking_confirmation');
      const byBooking = new Map(confirmations.map((r) => [r.booking_id, r.id]));
      const mailFor = (bookingId: number) =>
        parseMime(sink.received.find((raw) => outboxIdOf(raw) === byBooking.get(bookingId))!);

      const en = mailFor(english.booking.id);
      const subject = decodeHeader(en.headers.subject!);
      expect(subject).toBe('Your appointment at a QuBì help desk is confirmed');
      expect(subject).not.toContain('Amina');
      expect(subject).not.toContain('private note');
      expect(en.headers['content-language']).toBe('en');
      expect(en.headers.to).toContain('amina@example.org');
      const text = findPart(en, 'text/plain')!.body;
      const html = findPart(en, 'text/html')!.body;
      const ics = findPart(en, 'text/calendar')!.body;
      expect(text).toContain('Hello Amina,');
      expect(text).toContain(`${ORIGIN}/en/prenotazione/gestisci?token=${english.manageToken}`);
      expect(text).not.toContain('private note');
      expect(html).toContain('<html lang="en" dir="ltr">');
      expect(ics).toContain(`UID:booking-${english.booking.reference}@qubi.test`);
      expect(ics).not.toContain('Amina');
      expect(ics).not.toContain(english.manageToken!);

      const ar = mailFor(arabic.booking.id);
      expect(findPart(ar, 'text/html')!.body).toContain('<html lang="ar" dir="rtl">');
      expect(decodeHeader(ar.headers.subject!)).toBe('تم تأكيد موعدك في أحد مكاتب QuBì');

      // Once sent, the manage link's token no longer sits in the outbox.
      const sentPayloads = await t.db
        .selectFrom('outbox')
        .select('payload')
        .where('kind', '=', 'booking_confirmation')
        .where('status', '=', 'sent')
        .execute();
      expect(sentPayloads.length).toBe(2);
      for (const p of sentPayloads) expect(p.payload).not.toHaveProperty('manageToken');

      // Reminders wait for the day before; nothing else goes out.
      expect(await worker(smtpMailer(sink.port)).runOnce()).toEqual({ sent: 0, failed: 0 });
      expect(sink.received).toHaveLength(2);
      expect((await outboxRows('booking_reminder')).map((r) => r.status)).toEqual(['pending', 'pending']);
    } finally {
      await sink.close();
    }
  });

  it('keeps every message through an SMTP outage and delivers each exactly once when SMTP is back', async () => {
    const port = await closedPort();
    const down = worker(smtpMailer(port));
    for (let i = 0; i < 10; i++)
      await book({ start: slots[i % slots.length]!, firstName: `Person ${i}`, email: `person${i}@example.org` });

    expect(await down.runOnce()).toEqual({ sent: 0, failed: 10 });
    const waiting = await outboxRows('booking_confirmation');
    expect(waiting).toHaveLength(10);
    for (const row of waiting) {
      expect(row).toMatchObject({ status: 'pending', attempts: 1 });
      expect(row.last_error).toBeTruthy();
      expect(row.last_error).not.toContain('@');
      expect(row.send_after.getTime()).toBe(now.getTime() + retryDelayMs(1));
    }
    expect(logLines.join('\n')).not.toMatch(/example\.org|Person \d/);

    // Still down at the next retry: the backoff doubles.
    clock = new Date(now.getTime() + retryDelayMs(1));
    expect(await down.runOnce()).toEqual({ sent: 0, failed: 10 });
    expect(
      (await outboxRows('booking_confirmation')).every(
        (r) => r.attempts === 2 && r.send_after.getTime() === clock.getTime() + retryDelayMs(2),
      ),
    ).toBe(true);

    const sink = await startSink(port);
    try {
      const up = worker(smtpMailer(port));
      // Back up, but the retry time has not come yet.
      expect(await up.runOnce()).toEqual({ sent: 0, failed: 0 });
      clock = new Date(clock.getTime() + retryDelayMs(2));
      expect(await up.runOnce()).toEqual({ sent: 10, failed: 0 });

      const counts = countById(sink.received);
      const ids = (await outboxRows('booking_confirmation')).map((r) => r.id);
      expect([...counts.keys()].sort((a, b) => a - b)).toEqual(ids);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect((await outboxRows('booking_confirmation')).every((r) => r.status === 'sent')).toBe(true);

      // Later runs find nothing left to send.
      clock = new Date(clock.getTime() + 10 * MINUTE);
      expect(await up.runOnce()).toEqual({ sent: 0, failed: 0 });
      expect(sink.received).toHaveLength(10);
    } finally {
      await sink.close();
    }
  });

  it('two workers running at once never send the same message twice', async () => {
    const sink = await startSink();
    try {
      for (let i = 0; i < 30; i++) await book({ start: slots[i % slots.length]!, email: `family${i}@example.org` });
      const mailer = smtpMailer(sink.port);
      const a = worker(mailer, { batchSize: 4 });
      const b = worker(mailer, { batchSize: 4 });
      const results = await Promise.all([a.runOnce(), b.runOnce(), a.runOnce(), b.runOnce()]);
      expect(results.reduce((n, r) => n + r.sent, 0)).toBe(30);
      const counts = countById(sink.received);
      expect(counts.size).toBe(30);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(await Promise.all([a.runOnce(), b.runOnce()])).toEqual([
        { sent: 0, failed: 0 },
        { sent: 0, failed: 0 },
      ]);
    } finally {
      await sink.close();
    }
  });

  it('sends a reminder once its time has come, and not for a cancelled booking', async () => {
    const sink = await startSink();
    try {
      const kept = await book({ start: slots[2]! });
      const cancelled = await book({ start: slots[2]! });
      const closedByStaff = await book({ start: slots[2]! });
      const w = worker(smtpMailer(sink.port));
      expect(await w.runOnce()).toEqual({ sent: 3, failed: 0 }); // the confirmations

      const remindAt = reminderTime(slots[2]!);
      clock = new Date(remindAt.getTime() - MINUTE);
      expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });

      expect(await cancelBooking(t.db, cancelled.booking.id, clock)).toBe(true);
      // A status changed without touching the outbox: the worker itself must notice.
      await t.db
        .updateTable('booking')
        .set({ status: 'cancelled' })
        .where('id', '=', closedByStaff.booking.id)
        .execute();

      clock = new Date(remindAt.getTime() + MINUTE);
      // The kept booking's reminder, and the cancellation notice of the one the person cancelled.
      expect(await w.runOnce()).toEqual({ sent: 2, failed: 0 });
      expect((await outboxRows('booking_cancelled')).map((r) => [r.booking_id, r.status])).toEqual([
        [cancelled.booking.id, 'sent'],
      ]);
      const reminders = await outboxRows('booking_reminder');
      expect(reminders.map((r) => [r.booking_id, r.status])).toEqual([
        [kept.booking.id, 'sent'],
        [cancelled.booking.id, 'cancelled'],
        [closedByStaff.booking.id, 'cancelled'],
      ]);
      const reminder = parseMime(sink.received.find((raw) => outboxIdOf(raw) === reminders[0]!.id)!);
      expect(decodeHeader(reminder.headers.subject!)).toBe(
        'Reminder: you have an appointment at a QuBì help desk tomorrow',
      );

      clock = new Date(clock.getTime() + DAY);
      expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });
      expect(sink.received).toHaveLength(5);
    } finally {
      await sink.close();
    }
  });

  it('takes over a message whose worker died, once its lease has expired', async () => {
    const sink = await startSink();
    try {
      await book({ start: slots[3]! });
      const [claimed] = await claimDueMessages(t.db, clock, 10); // a worker that crashes right after claiming
      expect(claimed?.kind).toBe('booking_confirmation');
      const w = worker(smtpMailer(sink.port));
      expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });
      clock = new Date(clock.getTime() + 6 * MINUTE);
      expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
      expect((await outboxRows('booking_confirmation'))[0]).toMatchObject({ status: 'sent', attempts: 2 });
    } finally {
      await sink.close();
    }
  });

  it('keeps a message whose renderer met the database going away, and sends it once the database is back', async () => {
    const sink = await startSink();
    try {
      await book({ start: slots[3]! });
      const features = workerFeatures();
      const render = features.renderers.email.booking_confirmation!;
      let outage = true;
      const w = startWorker({
        db: t.db,
        mailer: smtpMailer(sink.port),
        features: {
          ...features,
          renderers: {
            ...features.renderers,
            email: {
              ...features.renderers.email,
              booking_confirmation: (request) => {
                if (outage) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
                return render(request);
              },
            },
          },
        },
        intervalMs: 0,
        origin: () => ORIGIN,
        now: () => clock,
        log: (line) => logLines.push(line),
      });
      await expect(w.runOnce()).rejects.toThrow('ECONNRESET');
      expect((await outboxRows('booking_confirmation'))[0]).toMatchObject({ status: 'sending', last_error: null });
      outage = false;
      expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
      expect((await outboxRows('booking_confirmation'))[0]).toMatchObject({ status: 'sent', attempts: 1 });
      expect(sink.received).toHaveLength(1);
      await w.stop();
    } finally {
      await sink.close();
    }
  });

  it('gives up after the last attempt and never records the address', async () => {
    const sink = await startSink(0, { rejectRecipients: true });
    try {
      await book({ start: slots[3]!, email: 'nobody.here@example.org' });
      const w = worker(smtpMailer(sink.port), { maxAttempts: 2 });
      expect(await w.runOnce()).toEqual({ sent: 0, failed: 1 });
      clock = new Date(clock.getTime() + retryDelayMs(1));
      expect(await w.runOnce()).toEqual({ sent: 0, failed: 1 });
      const [row] = await outboxRows('booking_confirmation');
      expect(row).toMatchObject({ status: 'failed', attempts: 2 });
      expect(row!.last_error).toContain('[address]');
      expect(row!.last_error).not.toContain('nobody.here');
      expect(logLines.join('\n')).not.toContain('nobody.here');
      clock = new Date(clock.getTime() + DAY);
      expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });
    } finally {
      await sink.close();
    }
  });

  it('without SMTP_URL writes an .eml file under DATA_DIR/mail and logs its name, not the link or the person', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'qubi-mail-'));
    try {
      const made = await book({ start: slots[4]!, firstName: 'Zainab', email: 'zainab.private@example.org' });
      const mailer = createMailer({ smtpUrl: undefined, mailFrom: FROM, dataDir }, ORIGIN, (line) =>
        logLines.push(line),
      );
      expect(await worker(mailer).runOnce()).toEqual({ sent: 1, failed: 0 });
      const [row] = await outboxRows('booking_confirmation');
      const files = await readdir(path.join(dataDir, 'mail'));
      expect(files).toEqual([`${row!.id}-booking_confirmation.eml`]);
      const eml = await readFile(path.join(dataDir, 'mail', files[0]!), 'utf8');
      expect(outboxIdOf(eml)).toBe(row!.id);
      expect(findPart(parseMime(eml), 'text/calendar')).toBeDefined();

      const mailLines = logLines.filter((l) => l.startsWith('[mail]'));
      expect(mailLines).toHaveLength(1);
      // The log names the file; the link (its token cancels the booking) is only in the file.
      expect(mailLines[0]).toBe(
        `[mail] booking_confirmation #${row!.id} written to ${path.join(dataDir, 'mail', files[0]!)}`,
      );
      expect(mailLines[0]).not.toContain(made.manageToken!);
      expect(mailLines[0]).not.toMatch(/token|@|Zainab/);
      expect(eml.replace(/=\r?\n/g, '')).toContain(`${ORIGIN}/en/prenotazione/gestisci?token=3D${made.manageToken}`);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('erases the personal data of past bookings from its hourly housekeeping', async () => {
    const made = await book({ start: slots[5]! });
    const sink = await startSink();
    try {
      clock = new Date(slots[5]!.getTime() + 31 * DAY);
      const w = startWorker({
        db: t.db,
        mailer: smtpMailer(sink.port),
        intervalMs: 0,
        origin: () => ORIGIN,
        now: () => clock,
        log: (l) => logLines.push(l),
        features: workerFeatures({ retentionDays: 30 }),
      });
      await w.runOnce();
      const row = await t.db
        .selectFrom('booking')
        .select(['email', 'first_name', 'erased_at'])
        .where('id', '=', made.booking.id)
        .executeTakeFirstOrThrow();
      expect(row).toMatchObject({ email: null, first_name: null });
      expect(row.erased_at).not.toBeNull();
      // Its messages went with it: nothing was sent to the erased address.
      expect(sink.received).toEqual([]);
      await w.stop();
    } finally {
      await sink.close();
    }
  });

  it('sends a message a moment after it is queued, not at its next round', async () => {
    const sink = await startSink();
    // A round a minute: only the nudge from the outbox can send within the poll's few seconds.
    const w = startWorker({
      db: t.db,
      mailer: smtpMailer(sink.port),
      intervalMs: 60_000,
      origin: () => ORIGIN,
      now: () => clock,
      log: (l) => logLines.push(l),
      features: workerFeatures(),
    });
    const unsubscribe = onMessageQueued((committed) => w.wake(committed));
    try {
      await book({ start: slots[1]! });
      await expect.poll(() => sink.received.length, { timeout: 5_000 }).toBe(1);
    } finally {
      unsubscribe();
      await w.stop();
      await sink.close();
    }
  });

  it('sends during a steady stream of bookings, not only once the stream pauses', async () => {
    const sink = await startSink();
    const w = startWorker({
      db: t.db,
      mailer: smtpMailer(sink.port),
      intervalMs: 60_000,
      origin: () => ORIGIN,
      now: () => clock,
      log: (l) => logLines.push(l),
      features: workerFeatures(),
    });
    const unsubscribe = onMessageQueued((committed) => w.wake(committed));
    // Another message queued every 10 ms (a busy evening): each nudge used to push the run 50 ms
    // further, so nothing went out until the bookings stopped.
    const stream = setInterval(() => w.wake(), 10);
    try {
      await book({ start: slots[3]! });
      await expect.poll(() => sink.received.length, { timeout: 2_000 }).toBe(1);
    } finally {
      clearInterval(stream);
      unsubscribe();
      await w.stop();
      await sink.close();
    }
  });

  it('hands over to a new run after its time slice, so a backlog that never empties does not hold back the hourly erasure', async () => {
    // Six families (one address gets at most five messages a day).
    for (const [i, start] of slots.entries()) await book({ start, email: `family${i}@example.org` });
    // Each email takes two hours of the worker's clock: a run that claimed batch after batch until
    // the queue was empty ran the housekeeping (erasure among it) once, before the first batch.
    const events: string[] = [];
    const mailer: Mailer = {
      async send() {
        events.push('sent');
        clock = new Date(clock.getTime() + 120 * MINUTE);
      },
    };
    const w = startWorker({
      db: t.db,
      mailer,
      intervalMs: 60_000,
      batchSize: 2,
      origin: () => ORIGIN,
      now: () => clock,
      log: (l) => logLines.push(l),
      features: {
        ...workerFeatures(),
        housekeeping: [{ name: 'probe', run: async () => void events.push('housekeeping'), describe: () => '' }],
      },
    });
    try {
      w.wake(true);
      await expect.poll(() => events.filter((e) => e === 'sent').length, { timeout: 5_000 }).toBe(6);
      expect(events.slice(0, 9)).toEqual([
        ...['housekeeping', 'sent', 'sent'],
        ...['housekeeping', 'sent', 'sent'],
        ...['housekeeping', 'sent', 'sent'],
      ]);
      expect(await outboxRows('booking_confirmation')).toHaveLength(6);
      expect((await outboxRows('booking_confirmation')).every((row) => row.status === 'sent')).toBe(true);
    } finally {
      await w.stop();
    }
  });

  it('runs on its own timer and stops cleanly', async () => {
    const sink = await startSink();
    try {
      await book({ start: slots[4]! });
      const w = startWorker({
        db: t.db,
        mailer: smtpMailer(sink.port),
        intervalMs: 20,
        origin: () => ORIGIN,
        now: () => clock,
        log: (l) => logLines.push(l),
        features: workerFeatures(),
      });
      await expect.poll(() => sink.received.length, { timeout: 10_000 }).toBe(1);
      await w.stop();
    } finally {
      await sink.close();
    }
  });
});
