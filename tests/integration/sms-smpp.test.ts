// SMS through a real SMPP server in this process (tests/support/smpp-server.ts): bind, submit with
// the right data_coding and concatenation, receipts, an outage during a load, throttling, replies
// that cancel a booking or get the help text, the daily limits, and smpps:// (SMPP over TLS, with a
// self-signed certificate made by openssl for the test). PGlite, or PostgreSQL with TEST_DATABASE_URL.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { workerFeatures } from '#/messages/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { startSmppServer, type SmppTestServer } from '../support/smpp-server.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import { createBooking, type NewBooking } from '#/features/booking/create-booking.ts';
import { confirmHold } from '#/features/booking/holds.ts';
import { latestCodeFromOutbox } from '../support/codes.ts';
import { nextFreeSlots } from '#/features/booking/slot-availability.ts';
import { enqueueMessage } from '#/server/mail/outbox.ts';
import { createPledge } from '#/features/campaign/create-pledge.ts';
import { claimDueMessages, startWorker, type RunningWorker } from '#/server/mail/worker.ts';
import type { Mailer } from '#/server/mail/mailer.ts';
import { createSmppSender } from '#/server/sms/smpp-sender.ts';
import type { SmsSender } from '#/server/sms/sender.ts';
import { smsUsageToday, nextRomeDay } from '#/server/sms/daily-limit.ts';
import { getConfig } from '#/server/config.ts';
import { romeParts } from '#/lib/time.ts';

const ORIGIN = 'https://qubi.comune.milano.it';
const DAY = 86_400_000;
const noMail: Mailer = { send: async () => {} };

let t: TestDatabase;
let desk: Desk;
let slots: Date[];
let server: SmppTestServer;
let sender: SmsSender;
let clock: Date;
const logLines: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 10 });
  await seedDatabase(t.db, new Date());
  desk = { ...(await getDeskBySlug(t.db, 'quarto-oggiaro'))!, capacityPerSlot: 100 };
  slots = (await nextFreeSlots(t.db, desk, new Date(Date.now() + 3 * DAY), new Date(), 4)).map((s) => s.start);
  server = await startSmppServer();
});
afterAll(async () => {
  await server.stop();
  await t.close();
});

beforeEach(async () => {
  await t.db.deleteFrom('outbox').execute();
  await t.db.deleteFrom('message_recipient_day').execute();
  await t.db.deleteFrom('sms_day').execute();
  server.submits.length = 0;
  server.throttleNext = 0;
  server.outageAfter = undefined;
  server.autoReceipt = false;
  server.releaseAnswers();
  clock = new Date(Date.now() + 1000);
  logLines.length = 0;
  sender = createSmppSender({
    url: server.url,
    from: 'QuBi Milano',
    tps: 50,
    throttleBackoffMs: 50,
    reconnectDelayMs: 50,
    maxBackoffMs: 200,
    bindTimeoutMs: 2000,
    log: (line) => logLines.push(line),
  });
});
afterEach(async () => {
  await sender.close();
});

function worker(over: { smsDailyLimit?: number; sms?: SmsSender; intervalMs?: number } = {}): RunningWorker {
  return startWorker({
    db: t.db,
    mailer: noMail,
    sms: sender,
    features: workerFeatures(),
    intervalMs: 0,
    origin: () => ORIGIN,
    now: () => clock,
    log: (line) => logLines.push(line),
    ...over,
  });
}

const request = (over: Partial<NewBooking> = {}): NewBooking => ({
  desk,
  start: slots[0]!,
  firstName: 'Amina',
  email: null,
  phone: '+393331234567',
  topic: 'school',
  note: null,
  locale: 'ar',
  submissionKey: null,
  source: 'public',
  ...over,
});

async function book(over: Partial<NewBooking> = {}) {
  const outcome = await createBooking(t.db, request(over), new Date());
  if (!outcome.ok) throw new Error(`not booked: ${outcome.reason}`);
  return outcome;
}

/** An online booking in Italian, held until its code (sent by SMS to `phone`) confirms it. */
async function holdInItalian(start: Date, phone: string) {
  const outcome = await createBooking(t.db, request({ locale: 'it', start, phone }), new Date(), {
    hold: { client: `client-of-${phone}` },
  });
  if (!outcome.ok) throw new Error(`not held: ${outcome.reason}`);
  return outcome;
}

/**
 * The rule of a day-before reminder, read on the wall clock in Rome: the calendar day before the
 * appointment, at REMINDER_TIME. `sendAfter` is the reminder row's time.
 */
function expectDayBeforeAtReminderTime(sendAfter: Date, start: Date) {
  const s = romeParts(start);
  const dayBefore = new Date(Date.UTC(s.year, s.month - 1, s.day - 1));
  const at = romeParts(sendAfter);
  expect([at.year, at.month, at.day]).toEqual([
    dayBefore.getUTCFullYear(),
    dayBefore.getUTCMonth() + 1,
    dayBefore.getUTCDate(),
  ]);
  const [hour, minute] = getConfig().reminderTime.split(':').map(Number);
  expect([at.hour, at.minute, at.second]).toEqual([hour, minute, 0]);
}

/** The worker's runs up to the due time: nothing a minute before, the message at it. */
async function runUntilDue(w: RunningWorker, due: Date) {
  clock = new Date(due.getTime() - 60_000);
  expect(await w.runOnce()).toEqual({ sent: 0, failed: 0 });
  clock = due;
  expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
}

async function smsRows() {
  return t.db
    .selectFrom('outbox')
    .select(['id', 'kind', 'recipient', 'status', 'encoding', 'segments', 'provider_message_id', 'attempts'])
    .where('channel', '=', 'sms')
    .orderBy('id')
    .execute();
}

/** Verification codes to distinct phones: each message is recognisable by its code on the server. */
async function queueCodes(count: number, phone = (i: number) => `+39333${String(1_000_000 + i).slice(-7)}`) {
  for (let i = 0; i < count; i++)
    await enqueueMessage(t.db, {
      kind: 'verification_code',
      channel: 'sms',
      recipient: phone(i),
      locale: 'it',
      payload: { code: String(100_000 + i) },
    });
}

describe(`SMS over SMPP (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('a phone-only booking in Arabic gets its confirmation as UCS-2 in concatenated parts; Italian goes as GSM-7', async () => {
    const ar = await book();
    const it_ = await book({ locale: 'it', phone: '+393339876543', start: slots[1]! });
    const w = worker();
    expect(await w.runOnce()).toEqual({ sent: 2, failed: 0 });
    await w.stop();
    expect(server.binds).toBe(1);
    const messages = server.messages();
    const arabic = messages.find((m) => m.to === '393331234567')!;
    expect(arabic.dataCoding).toBe(8);
    expect(arabic.parts).toBe(2);
    expect(arabic.text).toContain('تم تأكيد الموعد');
    expect(arabic.text).toContain(ar.booking.reference);
    expect(arabic.text).toContain(desk.phone);
    expect(arabic.text).toContain(`${ORIGIN}/g/${ar.manageToken}`);
    const italian = messages.find((m) => m.to === '393339876543')!;
    expect(italian.dataCoding).toBe(0);
    expect(italian.text).toContain(`appuntamento ${it_.booking.reference} confermato`);
    const parts = server.submits.filter((s) => s.concat);
    expect(parts.every((s) => (s.esmClass & 0x40) !== 0)).toBe(true);
    // The receipt is asked for the first part, whose id the row keeps.
    expect(parts.map((s) => [s.concat![2], s.registeredDelivery]).sort()).toEqual([
      [1, 1],
      [1, 1],
      [2, 0],
      [2, 0],
    ]);
    const rows = await smsRows();
    expect(rows.filter((r) => r.kind === 'booking_confirmation')).toEqual([
      expect.objectContaining({ status: 'sent', encoding: 'ucs2', segments: 2, provider_message_id: arabic.firstId }),
      expect.objectContaining({ status: 'sent', encoding: 'gsm7', provider_message_id: italian.firstId }),
    ]);
    // The reminders wait for the day before, at REMINDER_TIME.
    expect(rows.filter((r) => r.kind === 'booking_reminder').map((r) => r.status)).toEqual(['pending', 'pending']);
  });

  it('a pledge by a donor with a mobile gets its confirmation by SMS, with the window, the point and the link', async () => {
    const window = await t.db
      .selectFrom('collection_window')
      .innerJoin('drop_off_point', 'drop_off_point.id', 'collection_window.drop_off_point_id')
      .select(['collection_window.id', 'drop_off_point.name'])
      .where('collection_window.starts_at', '>', new Date(Date.now() + 2 * DAY))
      .orderBy('collection_window.starts_at')
      .executeTakeFirstOrThrow();
    const made = await createPledge(
      t.db,
      {
        campaignSlug: 'zaino-sospeso',
        lines: [{ item: 'zaino', quantity: 1 }],
        collectionWindowId: window.id,
        firstName: 'Wei',
        email: null,
        phone: '+393478889999',
        locale: 'zh',
        submissionKey: null,
      },
      new Date(),
    );
    if (!made.ok) throw new Error('pledge refused');
    const w = worker();
    expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
    await w.stop();
    const [sms] = server.messages();
    expect(sms).toMatchObject({ to: '393478889999', dataCoding: 8 });
    expect(sms!.text).toContain(`您的捐赠 ${made.pledge.reference} 已确认`);
    expect(sms!.text).toContain(window.name);
    expect(sms!.text).toContain(`${ORIGIN}/g/${made.manageToken}`);
    const rows = await smsRows();
    expect(rows.map((r) => [r.kind, r.status])).toEqual([
      ['pledge_confirmation', 'sent'],
      ['pledge_reminder', 'pending'],
    ]);
  });

  it('delivery receipts mark each message delivered or undelivered', async () => {
    await queueCodes(2);
    const w = worker();
    await w.runOnce();
    await w.stop();
    const [first, second] = await smsRows();
    server.receipt(first!.provider_message_id!, 'ENROUTE');
    server.receipt(first!.provider_message_id!, 'DELIVRD');
    server.receipt(second!.provider_message_id!, 'UNDELIV');
    await expect
      .poll(async () => (await smsRows()).map((r) => r.status), { timeout: 5000 })
      .toEqual(['delivered', 'undelivered']);
  });

  it('a family’s code is claimed before a backlog of other messages queued earlier', async () => {
    // A day closed by staff: 30 cancellations queued, then a family asks for its code.
    for (let i = 0; i < 30; i++)
      await enqueueMessage(t.db, {
        kind: 'booking_cancelled',
        channel: 'sms',
        recipient: `+39334${String(1_000_000 + i).slice(-7)}`,
        locale: 'it',
        payload: {},
      });
    await queueCodes(1);
    const batch = await claimDueMessages(t.db, new Date(Date.now() + 60_000), 5);
    // The code, and the four oldest of the rest (the batch comes back in id order).
    expect(batch.filter((m) => m.kind === 'verification_code')).toHaveLength(1);
    const others = batch.filter((m) => m.kind !== 'verification_code').map((m) => m.id);
    const oldest = await t.db
      .selectFrom('outbox')
      .select('id')
      .where('kind', '=', 'booking_cancelled')
      .orderBy('id')
      .limit(4)
      .execute();
    expect(others).toEqual(oldest.map((r) => r.id));
  });

  it('a family’s code queued while the SMS before it are still out is sent then, not after them', async () => {
    // A slow SMS centre: it answers no submit until the test lets it.
    server.holdAnswers = true;
    await queueCodes(5);
    // Runs on its own (a round a minute): only the nudges below start it.
    const w = worker({ intervalMs: 60_000 });
    try {
      w.wake(true);
      await expect.poll(() => server.submits.length, { timeout: 5_000 }).toBe(5);
      // The run now waits for the centre's answers; the family's code is committed meanwhile.
      await queueCodes(1, () => '+393369999999');
      w.wake(true);
      await expect.poll(() => server.submits.map((s) => s.to).join(' '), { timeout: 5_000 }).toContain('393369999999');
      expect(server.submits).toHaveLength(6);
      server.releaseAnswers();
      await expect
        .poll(async () => (await smsRows()).map((row) => row.status), { timeout: 5_000 })
        .toEqual(Array(6).fill('sent'));
    } finally {
      server.releaseAnswers();
      await w.stop();
    }
  });

  it('a burst of receipts marks every message, each by its own last receipt', async () => {
    await queueCodes(12);
    const w = worker();
    await w.runOnce();
    await w.stop();
    const rows = await smsRows();
    expect(rows).toHaveLength(12);
    // All at once, as an SMS centre sends them: the even ones delivered, the odd ones first
    // delivered then reported undelivered (the last receipt counts).
    for (const [i, row] of rows.entries()) {
      server.receipt(row.provider_message_id!, 'DELIVRD');
      if (i % 2) server.receipt(row.provider_message_id!, 'UNDELIV');
    }
    await expect
      .poll(async () => (await smsRows()).map((r) => r.status), { timeout: 5000 })
      .toEqual(rows.map((_, i) => (i % 2 ? 'undelivered' : 'delivered')));
    expect(logLines.join('\n')).not.toContain('receipt for an unknown message');
  });

  it('the receipt of a code SMS that comes after the family typed the code still marks it delivered', async () => {
    const held = await holdInItalian(slots[2]!, '+393339990001');
    const w = worker();
    await w.runOnce();
    await w.stop();
    const code = /\b(\d{6})\b/.exec(server.messages().at(-1)!.text)?.[1];
    expect(await confirmHold(t.db, held.booking.id, code, { now: new Date() })).toMatchObject({ ok: true });
    const codeRow = async () =>
      t.db
        .selectFrom('outbox')
        .select(['status', 'provider_message_id', 'payload'])
        .where('booking_id', '=', held.booking.id)
        .where('kind', '=', 'verification_code')
        .executeTakeFirst();
    // Sent, so kept (without its code) for the receipt the SMS centre sends later.
    const sent = await codeRow();
    expect(sent?.status).toBe('sent');
    expect(JSON.stringify(sent?.payload)).not.toContain(code);
    server.receipt(sent!.provider_message_id!, 'DELIVRD');
    await expect.poll(async () => (await codeRow())?.status, { timeout: 5000 }).toBe('delivered');
    expect(logLines.join('\n')).not.toContain('receipt for an unknown message');
  });

  it('a code message not sent yet when the family confirms (the code they got another way) is dropped, never sent', async () => {
    const held = await holdInItalian(slots[3]!, '+393339990002');
    const code = await latestCodeFromOutbox(t.db, '+393339990002');
    expect(await confirmHold(t.db, held.booking.id, code, { now: new Date() })).toMatchObject({ ok: true });
    const kinds = await t.db.selectFrom('outbox').select('kind').where('booking_id', '=', held.booking.id).execute();
    expect(kinds.map((k) => k.kind)).not.toContain('verification_code');
    const w = worker();
    await w.runOnce();
    await w.stop();
    expect(
      server
        .messages()
        .map((m) => m.text)
        .join('\n'),
    ).not.toContain(code);
  });

  it('an outage of the SMS centre during a load: every message is delivered exactly once after', async () => {
    const N = 40;
    await queueCodes(N);
    server.outageAfter = 15;
    const w = worker();
    let first: { sent: number; failed: number };
    try {
      first = await w.runOnce();
    } finally {
      server.outageAfter = undefined;
      await server.start(); // back, on the same port
    }
    expect(first.sent).toBe(15);
    expect(first.failed).toBeGreaterThan(0);
    clock = new Date(clock.getTime() + 2 * 3600_000);
    for (let round = 0; round < 5 && (await smsRows()).some((r) => r.status !== 'sent'); round++) await w.runOnce();
    await w.stop();
    const rows = await smsRows();
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    const codes = server.submits.map((s) => /\d{6}/.exec(s.text)![0]).sort();
    expect(codes).toEqual(Array.from({ length: N }, (_, i) => String(100_000 + i)).sort());
    expect(logLines.some((l) => l.includes('SMPP connection dropped'))).toBe(true);
  });

  it('ESME_RTHROTTLED backs off and sends the same message again, once', async () => {
    await queueCodes(1);
    server.throttleNext = 3;
    const w = worker();
    const started = Date.now();
    expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
    await w.stop();
    // 50 + 100 + 200 ms of pauses, doubling.
    expect(Date.now() - started).toBeGreaterThanOrEqual(340);
    expect(server.submits).toHaveLength(1);
    expect(logLines.filter((l) => l.includes('slow down'))).toHaveLength(3);
    expect((await smsRows())[0]).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('"ANNULLA <reference>" from the booking phone cancels it and answers with the cancellation', async () => {
    const made = await book({ locale: 'it', phone: '+393335550001', start: slots[2]! });
    const w = worker();
    await w.runOnce();
    server.reply('+393335550001', `annulla ${made.booking.reference.toLowerCase()}`);
    await expect
      .poll(
        async () =>
          (await t.db.selectFrom('booking').select('status').where('id', '=', made.booking.id).executeTakeFirst())
            ?.status,
        { timeout: 5000 },
      )
      .toBe('cancelled');
    // The answer is queued once the cancellation is written; the worker's next round sends it.
    await expect
      .poll(async () => (await smsRows()).filter((r) => r.kind === 'booking_cancelled').length, { timeout: 5000 })
      .toBeGreaterThan(0);
    await w.runOnce();
    await w.stop();
    const answered = () => server.messages().find((m) => m.to === '393335550001' && m.text.includes('annullato'));
    await expect.poll(() => answered()?.text, { timeout: 5000 }).toContain(made.booking.reference);
    const rows = await smsRows();
    expect(rows.find((r) => r.kind === 'booking_reminder')?.status).toBe('cancelled');
  });

  it('a phone-only family in Arabic, all by SMS: code, confirmation, reminder the day before at REMINDER_TIME as UCS-2, cancelled by replying "إلغاء <reference>"', async () => {
    const phone = '+393335550010';
    const to = phone.slice(1);
    const start = slots[1]!;
    const held = await createBooking(t.db, request({ start, phone, email: null, locale: 'ar' }), new Date(), {
      hold: { client: 'client-of-amina' },
    });
    if (!held.ok) throw new Error(`not held: ${held.reason}`);
    const w = worker();
    try {
      // The code, in Arabic (UCS-2), is the only message until the family types it.
      expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
      const codeSms = server.messages().find((m) => m.to === to)!;
      expect(codeSms.dataCoding).toBe(8);
      expect(codeSms.text).toContain('رمزك');
      const code = /\b(\d{6})\b/.exec(codeSms.text)?.[1];
      expect(await confirmHold(t.db, held.booking.id, code, { reminderAt: getConfig().reminderTime })).toMatchObject({
        ok: true,
      });
      // The confirmation, with the reference, the desk's phone and the short link to the booking.
      expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
      const confirmation = server.messages().find((m) => m.to === to && m.text.includes('تم تأكيد الموعد'))!;
      expect(confirmation.dataCoding).toBe(8);
      expect(confirmation.text).toContain(held.booking.reference);
      expect(confirmation.text).toContain(desk.phone);
      expect(confirmation.text).toContain(`${ORIGIN}/g/`);
      // The reminder waits for the day before at REMINDER_TIME, and goes then, in Arabic as UCS-2.
      const reminder = await t.db
        .selectFrom('outbox')
        .select(['send_after', 'status', 'channel'])
        .where('booking_id', '=', held.booking.id)
        .where('kind', '=', 'booking_reminder')
        .executeTakeFirstOrThrow();
      expect(reminder).toMatchObject({ status: 'pending', channel: 'sms' });
      expectDayBeforeAtReminderTime(reminder.send_after, start);
      const before = server.messages().length;
      await runUntilDue(w, reminder.send_after);
      const reminded = server.messages().slice(before);
      expect(reminded).toHaveLength(1);
      expect(reminded[0]).toMatchObject({ to, dataCoding: 8 });
      expect(reminded[0]!.text).toContain(`موعدك ${held.booking.reference} غدًا`);
      expect(reminded[0]!.text).toContain(desk.phone);
      // The family answers the reminder from the booking's phone with the Arabic cancel word.
      server.reply(phone, `إلغاء ${held.booking.reference}`);
      await expect
        .poll(
          async () =>
            (await t.db.selectFrom('booking').select('status').where('id', '=', held.booking.id).executeTakeFirst())
              ?.status,
          { timeout: 5000 },
        )
        .toBe('cancelled');
      await expect
        .poll(async () => (await smsRows()).filter((r) => r.kind === 'booking_cancelled').length, { timeout: 5000 })
        .toBe(1);
      expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
    } finally {
      await w.stop();
    }
    const cancelled = server.messages().find((m) => m.to === to && m.text.includes('أُلغي الموعد'));
    expect(cancelled).toMatchObject({ dataCoding: 8 });
    expect(cancelled!.text).toContain(held.booking.reference);
    expect((await smsRows()).map((r) => [r.kind, r.status])).toEqual([
      ['verification_code', 'sent'],
      ['booking_confirmation', 'sent'],
      ['booking_reminder', 'sent'],
      ['booking_cancelled', 'sent'],
    ]);
    // Every part reached the SMS centre from the sender name SMS_FROM, as an alphanumeric address.
    const parts = server.submits.filter((s) => s.to === to);
    expect(parts.length).toBeGreaterThanOrEqual(4);
    expect(new Set(parts.map((s) => `${s.from}/${s.fromTon}`))).toEqual(new Set(['QuBi Milano/5']));
  });

  it('a pledge’s reminder by SMS goes through the worker the day before at REMINDER_TIME, in the donor’s language', async () => {
    const window = await t.db
      .selectFrom('collection_window')
      .innerJoin('drop_off_point', 'drop_off_point.id', 'collection_window.drop_off_point_id')
      .select(['collection_window.id', 'collection_window.starts_at', 'drop_off_point.name'])
      .where('collection_window.starts_at', '>', new Date(Date.now() + 2 * DAY))
      .orderBy('collection_window.starts_at')
      .executeTakeFirstOrThrow();
    const made = await createPledge(
      t.db,
      {
        campaignSlug: 'zaino-sospeso',
        lines: [{ item: 'zaino', quantity: 1 }],
        collectionWindowId: window.id,
        firstName: 'Olena',
        email: null,
        phone: '+393478880001',
        locale: 'uk',
        submissionKey: null,
      },
      new Date(),
    );
    if (!made.ok) throw new Error('pledge refused');
    const w = worker();
    try {
      expect(await w.runOnce()).toEqual({ sent: 1, failed: 0 });
      const reminder = await t.db
        .selectFrom('outbox')
        .select(['send_after', 'status'])
        .where('pledge_id', '=', made.pledge.id)
        .where('kind', '=', 'pledge_reminder')
        .executeTakeFirstOrThrow();
      expect(reminder.status).toBe('pending');
      expectDayBeforeAtReminderTime(reminder.send_after, window.starts_at);
      await runUntilDue(w, reminder.send_after);
    } finally {
      await w.stop();
    }
    const [confirmation, reminded] = server.messages();
    expect(confirmation!.text).toContain(`Підтверджено ${made.pledge.reference}`);
    // Ukrainian: Cyrillic, so UCS-2; the reference, the day and the drop-off point.
    expect(reminded).toMatchObject({ to: '393478880001', dataCoding: 8 });
    expect(reminded!.text).toContain(`Завтра збір ${made.pledge.reference}`);
    expect(reminded!.text).toContain(window.name);
    expect((await smsRows()).map((r) => [r.kind, r.status])).toEqual([
      ['pledge_confirmation', 'sent'],
      ['pledge_reminder', 'sent'],
    ]);
  });

  it('a family who wanted no SMS but texts "ANNULLA <reference>" gets the cancellation answered by SMS', async () => {
    const made = await book({ locale: 'it', phone: '+393335550004', start: slots[2]!, smsConfirmation: false });
    const binds = server.binds;
    const w = worker();
    await w.runOnce();
    // Nothing to send, but the worker binds to hear replies: the family's SMS arrives once it has.
    await expect.poll(() => server.binds, { timeout: 5000 }).toBeGreaterThan(binds);
    expect(server.messages().filter((m) => m.to === '393335550004')).toEqual([]);
    server.reply('+393335550004', `ANNULLA ${made.booking.reference}`);
    await expect
      .poll(async () => (await smsRows()).filter((r) => r.kind === 'booking_cancelled').length, { timeout: 5000 })
      .toBeGreaterThan(0);
    await w.runOnce();
    await w.stop();
    const answer = () => server.messages().find((m) => m.to === '393335550004');
    await expect.poll(() => answer()?.text, { timeout: 5000 }).toContain('annullat');
    expect(answer()?.text).toContain(made.booking.reference);
  });

  it('a reply from another phone, or anything else, changes nothing and gets the help text with the desk number', async () => {
    const made = await book({ locale: 'es', phone: '+393335550002', start: slots[3]! });
    const w = worker();
    await w.runOnce();
    server.reply('+393335559999', `CANCELAR ${made.booking.reference}`);
    server.reply('+393335550002', 'gracias, hasta mañana');
    await expect.poll(async () => (await smsRows()).filter((r) => r.kind === 'sms_help').length).toBe(2);
    await w.runOnce();
    await w.stop();
    const status = await t.db
      .selectFrom('booking')
      .select('status')
      .where('id', '=', made.booking.id)
      .executeTakeFirst();
    expect(status?.status).toBe('confirmed');
    const helpToStranger = server.messages().find((m) => m.to === '393335559999');
    expect(helpToStranger?.text).toContain('CANCELAR');
    expect(helpToStranger?.text).toContain(ORIGIN); // no booking from that phone: the site's address
    const helpToFamily = server.messages().find((m) => m.to === '393335550002' && m.text.includes('Info'));
    expect(helpToFamily?.text).toContain(desk.phone);
  });

  it('SMS_DAILY_LIMIT: past the day’s segments a message waits for the next day, and staff are warned from 80 %', async () => {
    await queueCodes(4);
    const w = worker({ smsDailyLimit: 3 });
    expect(await w.runOnce()).toEqual({ sent: 3, failed: 0 });
    await w.stop();
    const rows = await smsRows();
    const waiting = rows.find((r) => r.status === 'pending')!;
    expect(waiting.attempts).toBe(0);
    const row = await t.db.selectFrom('outbox').select('send_after').where('id', '=', waiting.id).executeTakeFirst();
    expect(row?.send_after.getTime()).toBe(nextRomeDay(clock).getTime());
    expect(await smsUsageToday(t.db, 3, clock)).toEqual({ used: 3, limit: 3, nearLimit: true });
    expect(await smsUsageToday(t.db, 10, clock)).toEqual({ used: 3, limit: 10, nearLimit: false });
    expect(server.submits).toHaveLength(3);
  });

  it('messages to one phone past MESSAGES_PER_RECIPIENT_PER_DAY are dropped, never sent', async () => {
    await queueCodes(12, () => '+393337770000');
    const w = worker();
    expect(await w.runOnce()).toEqual({ sent: 10, failed: 0 });
    await w.stop();
    const statuses = (await smsRows()).map((r) => r.status);
    expect(statuses.filter((s) => s === 'sent')).toHaveLength(10);
    expect(statuses.filter((s) => s === 'dropped')).toHaveLength(2);
    expect(server.submits).toHaveLength(10);
  });
});

describe('smpps:// (SMPP over TLS)', () => {
  let tlsServer: SmppTestServer;
  let dir: string;
  let cert: string;
  beforeAll(async () => {
    // A self-signed certificate for 127.0.0.1, made now: nothing secret is kept in the repository.
    dir = await mkdtemp(path.join(tmpdir(), 'qubi-smpps-'));
    const [keyFile, certFile] = [path.join(dir, 'key.pem'), path.join(dir, 'cert.pem')];
    const args = 'req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1';
    execFileSync('openssl', [...args.split(' '), '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    cert = await readFile(certFile, 'utf8');
    tlsServer = await startSmppServer(0, { key: await readFile(keyFile, 'utf8'), cert });
  });
  afterAll(async () => {
    await tlsServer?.stop();
    await rm(dir, { recursive: true, force: true });
  });
  const secureSender = (options: { ca?: string } = {}) =>
    createSmppSender({
      url: tlsServer.url,
      from: 'QuBi Milano',
      tps: 50,
      reconnectDelayMs: 50,
      maxBackoffMs: 200,
      bindTimeoutMs: 1000,
      log: (line) => logLines.push(line),
      ...options,
    });

  it('binds over TLS to a server whose certificate it trusts, and delivers each message once', async () => {
    expect(tlsServer.url).toMatch(/^smpps:\/\/qubi:[^@]+@127\.0\.0\.1:\d+$/);
    await queueCodes(2);
    const secure = secureSender({ ca: cert });
    try {
      const w = worker({ sms: secure });
      expect(await w.runOnce()).toEqual({ sent: 2, failed: 0 });
      await w.stop();
    } finally {
      await secure.close();
    }
    expect(tlsServer.binds).toBe(1);
    expect(
      tlsServer
        .messages()
        .map((m) => m.text.match(/\d{6}/)?.[0])
        .sort(),
    ).toEqual(['100000', '100001']);
    expect(server.submits).toEqual([]); // nothing went over the plain connection
    expect((await smsRows()).map((r) => r.status)).toEqual(['sent', 'sent']);
  });

  it('refuses a server whose certificate it does not trust: nothing is sent, the message waits for a retry', async () => {
    await queueCodes(1);
    const binds = tlsServer.binds;
    const untrusting = secureSender(); // the system's CAs only: a self-signed certificate is refused
    try {
      const w = worker({ sms: untrusting });
      expect(await w.runOnce()).toMatchObject({ sent: 0 });
      await w.stop();
    } finally {
      await untrusting.close();
    }
    expect(tlsServer.binds).toBe(binds);
    const [row] = await smsRows();
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    // Why, for the operator: the bind failed on the certificate (the message only knows it got no bind).
    expect(logLines.some((line) => /SMPP bind failed: .*certificate/i.test(line))).toBe(true);
  });
});
