// "Close this day" against the real database engine (PGlite, and PostgreSQL with
// TEST_DATABASE_URL): the families booked in the closed part are cancelled and told once each, in
// their language, through the outbox; the hours left stay bookable; the day shows closed on the
// public page's list; the audit log has one row; a refused closure changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookedByStaff } from '../support/staff-booking.ts';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import type { NewBooking } from '#/features/booking/create-booking.ts';
import { listDeskSlots } from '#/features/booking/slot-availability.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { closeDay, bookingsInPart, subtractInterval } from '#/features/agenda/close-day.ts';
import { removeClosure, upcomingClosures } from '#/features/agenda/closures.ts';
import { rangeOpening } from '#/features/agenda/open-days.ts';
import { romeToInstant } from '#/lib/time.ts';
import { findBookingByToken, moveBooking } from '#/features/booking/manage-booking.ts';
import { joinListAfterClosure } from '#/features/agenda/displaced-families.ts';

let t: TestDatabase;
let quarto: Desk; // Tuesdays 10:00–13:00, 30-minute slots, capacity 1
let operatorId: number;
const now = new Date('2026-12-01T09:00:00Z'); // Tuesday 1 December 2026, 10:00 in Milan

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, now);
  quarto = (await getDeskBySlug(t.db, 'quarto-oggiaro'))!;
  operatorId = await createUser(t.db, {
    email: 'op.chiusura@example.org',
    displayName: 'Operatrice',
    role: 'desk_operator',
    desks: [quarto.id],
  });
});
afterAll(() => t.close());

const book = (over: Partial<NewBooking>) =>
  bookedByStaff(t.db, { desk: quarto, start: romeToInstant(2026, 12, 22, 10, 0), ...over }, now);

const statusOf = async (id: number) =>
  (await t.db.selectFrom('booking').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
/** The "cancelled" messages queued for a booking: channel and language, one row each. */
const cancellations = (bookingId: number) =>
  t.db
    .selectFrom('outbox')
    .select(['channel', 'locale', 'recipient'])
    .where('booking_id', '=', bookingId)
    .where('kind', '=', 'booking_cancelled')
    .orderBy('channel')
    .execute();
const slotTimes = async (day: number) =>
  (await listDeskSlots(t.db, quarto, `2026-12-${day}`, `2026-12-${day}`, now)).map((s) =>
    s.start.toISOString().slice(11, 16),
  );
/** The link a closure's SMS carries for a booking. */
const smsToken = async (bookingId: number) =>
  (
    await t.db
      .selectFrom('outbox')
      .select('payload')
      .where('booking_id', '=', bookingId)
      .where('kind', '=', 'booking_cancelled')
      .where('channel', '=', 'sms')
      .executeTakeFirst()
  )?.payload.manageToken;
const audits = () =>
  t.db
    .selectFrom('audit_log')
    .select(['actor_user_id', 'subject', 'detail'])
    .where('action', '=', 'desk.day_closed')
    .orderBy('id')
    .execute();

describe(`close this day (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('takes the closed part out of the hours', () => {
    const open = { opens: '10:00', closes: '13:00' };
    expect(subtractInterval(open, { opens: '10:00', closes: '12:00' })).toEqual([{ opens: '12:00', closes: '13:00' }]);
    expect(subtractInterval(open, { opens: '11:00', closes: '12:00' })).toEqual([
      { opens: '10:00', closes: '11:00' },
      { opens: '12:00', closes: '13:00' },
    ]);
    expect(subtractInterval(open, { opens: '08:00', closes: '14:00' })).toEqual([]);
    expect(subtractInterval(open, { opens: '14:00', closes: '15:00' })).toEqual([open]);
  });

  it('closes part of a day: the families in it cancelled and told once each in their language, the rest kept', async () => {
    const italian = await book({
      start: romeToInstant(2026, 12, 22, 10, 0),
      phone: '+393331110001',
      email: 'a@example.org',
    });
    const arabic = await book({ start: romeToInstant(2026, 12, 22, 10, 30), phone: '+393331110002', locale: 'ar' });
    const chinese = await book({ start: romeToInstant(2026, 12, 22, 11, 30), email: 'c@example.org', locale: 'zh' });
    const later = await book({ start: romeToInstant(2026, 12, 22, 12, 30), phone: '+393331110004', locale: 'es' });
    expect(await bookingsInPart(t.db, quarto.id, '2026-12-22', { opens: '10:00', closes: '12:00' }, now)).toBe(3);

    const result = await closeDay(
      t.db,
      quarto.id,
      { day: '2026-12-22', from: '10:00', until: '12:00', reason: 'Sciopero' },
      { actorUserId: operatorId, now },
    );
    expect(result).toMatchObject({ ok: true, day: '2026-12-22', cancelled: 3 });

    for (const b of [italian, arabic, chinese]) expect(await statusOf(b.id)).toBe('cancelled');
    expect(await statusOf(later.id)).toBe('confirmed');
    expect(await cancellations(italian.id)).toEqual([
      { channel: 'email', locale: 'it', recipient: 'a@example.org' },
      { channel: 'sms', locale: 'it', recipient: '+393331110001' },
    ]);
    expect(await cancellations(arabic.id)).toEqual([{ channel: 'sms', locale: 'ar', recipient: '+393331110002' }]);
    expect(await cancellations(chinese.id)).toEqual([{ channel: 'email', locale: 'zh', recipient: 'c@example.org' }]);
    expect(await cancellations(later.id)).toEqual([]);
    // Their reminders will not go out.
    const reminders = await t.db
      .selectFrom('outbox')
      .select('status')
      .where('booking_id', 'in', [italian.id, arabic.id])
      .where('kind', '=', 'booking_reminder')
      .execute();
    expect(reminders.every((r) => r.status === 'cancelled')).toBe(true);

    // The hours after the closed part stay bookable (12:00 free; 12:30 taken but offered), none before.
    expect(await slotTimes(22)).toEqual(['11:00', '11:30']); // UTC: 12:00 and 12:30 in Milan
    expect(await upcomingClosures(t.db, quarto.id, '2026-12-01')).toContainEqual({
      day: '2026-12-22',
      from: '10:00',
      until: '12:00',
    });
    const [audit] = await audits();
    expect(audit).toMatchObject({
      actor_user_id: operatorId,
      subject: `desk:${quarto.id}`,
      detail: { day: '2026-12-22', from: '10:00', until: '12:00', cancelled: 3 },
    });
    expect(JSON.stringify(audit!.detail)).not.toMatch(/Amina|333|example\.org/);
    // Each family's booking is recorded as cancelled by the desk (the figures count it so), not by the family.
    const byDesk = await t.db
      .selectFrom('audit_log')
      .select('subject')
      .where('action', '=', 'booking.cancelled_by_staff')
      .where(
        'subject',
        'in',
        [italian, arabic, chinese, later].map((b) => `booking:${b.id}`),
      )
      .execute();
    expect(byDesk.map((r) => r.subject).sort()).toEqual(
      [italian, arabic, chinese].map((b) => `booking:${b.id}`).sort(),
    );
  });

  it('closes a whole day: no slot left, shown closed; closing it again is refused and changes nothing', async () => {
    const one = await book({ start: romeToInstant(2026, 12, 29, 10, 0), phone: '+393331110005' });
    const two = await book({ start: romeToInstant(2026, 12, 29, 12, 30), email: 'e@example.org', locale: 'en' });
    const result = await closeDay(
      t.db,
      quarto.id,
      { day: '2026-12-29', from: '', until: '', reason: 'Allagamento' },
      { actorUserId: operatorId, now },
    );
    expect(result).toMatchObject({ ok: true, day: '2026-12-29', cancelled: 2 });
    expect([await statusOf(one.id), await statusOf(two.id)]).toEqual(['cancelled', 'cancelled']);
    expect(await cancellations(two.id)).toEqual([{ channel: 'email', locale: 'en', recipient: 'e@example.org' }]);
    expect(await slotTimes(29)).toEqual([]);
    expect(await upcomingClosures(t.db, quarto.id, '2026-12-01')).toContainEqual({
      day: '2026-12-29',
      from: null,
      until: null,
    });

    const outboxBefore = await t.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const again = await closeDay(
      t.db,
      quarto.id,
      { day: '2026-12-29', from: '10:00', until: '11:00', reason: '' },
      { actorUserId: operatorId, now },
    );
    expect(again).toEqual({ ok: false, errors: { day: 'staff.desk.error.closureExists' } });
    const outboxAfter = await t.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(outboxAfter.n).toBe(outboxBefore.n);
    expect(await audits()).toHaveLength(2);
  });

  it('refuses a past day, a part that ends before it starts, half a part: nothing changes', async () => {
    const kept = await book({ start: romeToInstant(2027, 1, 5, 10, 0), phone: '+393331110006' });
    const tries = [
      [{ day: '2026-11-30', from: '', until: '', reason: '' }, { day: 'staff.desk.error.dayPast' }],
      [
        { day: '2027-01-05', from: '12:00', until: '10:00', reason: '' },
        { until: 'staff.desk.error.closesBeforeOpens' },
      ],
      [{ day: '2027-01-05', from: '10:00', until: '', reason: '' }, { until: 'staffDay.close.error.untilMissing' }],
      [
        { day: '2027-01-05', from: '', until: '', reason: 'x'.repeat(201) },
        { reason: 'staff.desk.error.reasonTooLong' },
      ],
    ] as const;
    for (const [input, errors] of tries)
      expect(await closeDay(t.db, quarto.id, input, { actorUserId: operatorId, now })).toEqual({ ok: false, errors });
    expect(await statusOf(kept.id)).toBe('confirmed');
    expect(await upcomingClosures(t.db, quarto.id, '2027-01-01')).toEqual([]);
    expect(await audits()).toHaveLength(2);
  });

  it("the week view's days: only those the desk opens, a part-closed day still open, a closed one not", async () => {
    const week = async (from: string, to: string) => {
      const opening = await rangeOpening(t.db, quarto, from, to);
      return { open: [...opening.open].sort(), closed: Object.fromEntries(opening.closed) };
    };
    expect(await week('2026-12-14', '2026-12-20')).toEqual({ open: ['2026-12-15'], closed: {} });
    expect(await week('2026-12-21', '2026-12-27')).toEqual({
      open: ['2026-12-22'],
      closed: { '2026-12-22': { from: '10:00', until: '12:00' } },
    });
    expect(await week('2026-12-28', '2027-01-03')).toEqual({
      open: [],
      closed: { '2026-12-29': { from: null, until: null } },
    });
  });

  it('removing a part-day closure gives the day its hours back, each slot once', async () => {
    const day = async () =>
      (await listDeskSlots(t.db, quarto, '2027-01-12', '2027-01-12', now)).map((s) => s.start.toISOString());
    const whole = await day();
    expect(whole).toHaveLength(6);
    const closed = await closeDay(
      t.db,
      quarto.id,
      { day: '2027-01-12', from: '11:00', until: '12:00', reason: '' },
      { actorUserId: operatorId, now },
    );
    expect(closed).toMatchObject({ ok: true });
    expect(await day()).toHaveLength(4);
    const row = await t.db
      .selectFrom('desk_closure')
      .select('id')
      .where('desk_id', '=', quarto.id)
      .where('day', '=', '2027-01-12')
      .executeTakeFirstOrThrow();
    expect(await removeClosure(t.db, quarto.id, row.id, { actorUserId: operatorId })).toEqual({
      ok: true,
      day: '2027-01-12',
    });
    expect(await day()).toEqual(whole);
  });

  it('each family told gets a fresh link: another time at the same desk, or its waiting list for some days, once', async () => {
    const moving = await book({
      start: romeToInstant(2027, 1, 19, 10, 0),
      phone: '+393331110007',
      email: 'm@example.org',
    });
    const waiting = await book({ start: romeToInstant(2027, 1, 19, 10, 30), phone: '+393331110008', locale: 'ar' });
    const unreachable = await book({ start: romeToInstant(2027, 1, 19, 11, 0) });
    const closed = await closeDay(
      t.db,
      quarto.id,
      { day: '2027-01-19', from: '', until: '', reason: 'Malattia' },
      { actorUserId: operatorId, now },
    );
    expect(closed).toMatchObject({ ok: true, day: '2027-01-19', cancelled: 3 });

    // The email and the SMS carry the same short link, marked as the desk's closure.
    const told = await t.db
      .selectFrom('outbox')
      .select(['channel', 'payload'])
      .where('booking_id', '=', moving.id)
      .where('kind', '=', 'booking_cancelled')
      .orderBy('channel')
      .execute();
    expect(told.map((m) => [m.channel, m.payload.dayClosed])).toEqual([
      ['email', true],
      ['sms', true],
    ]);
    const token = String(told[0]!.payload.manageToken);
    expect(token).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(told[1]!.payload.manageToken).toBe(token);
    const linked = await findBookingByToken(t.db, token);
    expect(linked).toMatchObject({ id: moving.id, status: 'cancelled', displaced: true });
    // A family with no contact is called by the desk: no message, no link.
    expect(await cancellations(unreachable.id)).toEqual([]);
    const unreachableRow = await t.db
      .selectFrom('booking')
      .select('displaced_at')
      .where('id', '=', unreachable.id)
      .executeTakeFirstOrThrow();
    expect(unreachableRow.displaced_at).toBeNull();

    // Another time at the same desk: confirmed again there, told as a move; the link cannot take a second place.
    const next = romeToInstant(2027, 1, 26, 10, 0);
    expect(await moveBooking(t.db, linked!, quarto, next, now)).toMatchObject({ ok: true, start: next });
    const after = await findBookingByToken(t.db, token);
    expect(after).toMatchObject({ status: 'confirmed', displaced: false, start: next });
    const slot = await t.db
      .selectFrom('booking_slot')
      .select('booked')
      .where('desk_id', '=', quarto.id)
      .where('starts_at', '=', next)
      .executeTakeFirstOrThrow();
    expect(slot.booked).toBe(1);
    const moved = await t.db
      .selectFrom('outbox')
      .select('channel')
      .where('booking_id', '=', moving.id)
      .where('kind', '=', 'booking_moved')
      .orderBy('channel')
      .execute();
    expect(moved.map((m) => m.channel)).toEqual(['email', 'sms']);
    expect(await joinListAfterClosure(t.db, moving.id, { fromDay: '2027-01-20', toDay: '2027-01-30' }, now)).toEqual({
      ok: false,
      reason: 'not_displaced',
    });

    // The waiting list: days refused with the public list's messages and nothing written, then joined once.
    const entries = () =>
      t.db
        .selectFrom('wait_entry')
        .select(['desk_id', 'from_day', 'to_day', 'name', 'phone', 'locale', 'status'])
        .where('phone', '=', '+393331110008')
        .execute();
    expect(await joinListAfterClosure(t.db, waiting.id, { fromDay: '2027-02-10', toDay: '2027-01-20' }, now)).toEqual({
      ok: false,
      errors: { toDay: 'waitlist.desk.error.order' },
    });
    expect(await joinListAfterClosure(t.db, waiting.id, { fromDay: '2027-01-20', toDay: '2027-04-20' }, now)).toEqual({
      ok: false,
      errors: { toDay: 'waitlist.desk.error.tooLong' },
    });
    expect(await entries()).toEqual([]);
    const joined = await joinListAfterClosure(t.db, waiting.id, { fromDay: '2027-01-20', toDay: '2027-02-10' }, now);
    expect(joined).toMatchObject({ ok: true, token: expect.stringMatching(/^[A-Za-z0-9_-]{20}$/) });
    expect(await entries()).toEqual([
      {
        desk_id: quarto.id,
        from_day: '2027-01-20',
        to_day: '2027-02-10',
        name: 'Amina',
        phone: '+393331110008',
        locale: 'ar',
        status: 'waiting',
      },
    ]);
    const joinedMessages = await t.db
      .selectFrom('outbox')
      .select(['channel', 'locale'])
      .where('kind', '=', 'waitlist_joined')
      .where('recipient', '=', '+393331110008')
      .execute();
    expect(joinedMessages).toEqual([{ channel: 'sms', locale: 'ar' }]);
    expect(await joinListAfterClosure(t.db, waiting.id, { fromDay: '2027-01-20', toDay: '2027-02-10' }, now)).toEqual({
      ok: false,
      reason: 'not_displaced',
    });
    expect(await entries()).toHaveLength(1);
    // Its link now shows a cancelled booking that can no longer take a place.
    const done = (await findBookingByToken(t.db, String(await smsToken(waiting.id))))!;
    expect(done.displaced).toBe(false);
    expect(await moveBooking(t.db, done, quarto, romeToInstant(2027, 1, 26, 10, 30), now)).toMatchObject({
      ok: false,
      reason: 'not_confirmed',
    });
  });
});
