// Families told when a date they signed up for is cancelled or moved (date-notices.ts), against the
// real database engine (PGlite, and PostgreSQL with TEST_DATABASE_URL): an event cancelled by staff,
// a series date cancelled by a desk's closure or by hand, a series date moved. Each confirmed
// sign-up gets exactly one message, in its language, on its confirmation's channel, rendered by the
// outbox's own renderers; reminders are withdrawn (or follow the new start); a pending hold is
// released and the waiting list closed and told; a date nobody signed up for queues nothing. A moved
// date's waiting list stays, and each family waiting or offered seats is told once, with its own
// text; an offer keeps its seats and deadline, or is fitted to a nearer start, or ends when the new
// start leaves no time to answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seriesTemplate } from '../support/series-template.ts';
import { insertPartyEvent } from '../support/party-event.ts';
import { latestCodeFromOutbox } from '../support/codes.ts';
import { staffActor } from '../support/staff-actor.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { registerParty } from '#/features/events/registrations.ts';
import { cancelRegistrationById, confirmRegistration } from '#/features/events/registration-holds.ts';
import { joinEventWaitlist } from '#/features/waitlist/join-event.ts';
import { confirmWaitEntry } from '#/features/waitlist/wait-holds.ts';
import { findWaitByToken, positionOf } from '#/features/waitlist/wait-status.ts';
import { acceptOffer, declineOrLeave } from '#/features/waitlist/respond.ts';
import { waitToken } from '#/features/waitlist/wait-token.ts';
import { waitlistRenderers } from '#/features/waitlist/wait-renderers.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { cancelEvent, createEvent, publishEvent, submitEvent, updateEvent } from '#/features/events/event-workflow.ts';
import { checkEventForm, emptyEventForm, type EventFormValues } from '#/features/events/event-form.ts';
import { cancelSeriesDate, createSeries, moveSeriesDate } from '#/features/events/series.ts';
import { addClosure } from '#/features/agenda/closures.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { registrationRenderers } from '#/features/events/outbox-renderers.ts';
import { reminderTime } from '#/server/mail/outbox.ts';
import { WITHDRAWN, type ClaimedMessage } from '#/server/mail/renderers.ts';
import type { RenderedEmail } from '#/server/mail/email-layout.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import type { Locale } from '#/lib/locales.ts';
import type { Party } from '#/features/events/party.ts';

let t: TestDatabase;
let admin: Actor;
let operatorId: number;
let quarto: number;
const now = new Date();
const later = (minutes: number) => new Date(now.getTime() + minutes * 60000);
const ORIGIN = 'https://qubi.example.org';

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, now);
  admin = await staffActor(t.db, 'admin.notices@comune.example', 'admin');
  quarto = (await t.db.selectFrom('desk').select('id').where('slug', '=', 'quarto-oggiaro').executeTakeFirstOrThrow())
    .id;
  operatorId = await createUser(t.db, {
    email: 'op.notices@example.org',
    displayName: 'Operatrice',
    role: 'desk_operator',
    desks: [quarto],
  });
});
afterAll(() => t.close());

let contacts = 0;
const party = (contact: { sms?: boolean; locale: Locale; adults?: number }): Party => ({
  adults: contact.adults ?? 2,
  children: { '0-3': 0, '3-6': 0, '6-11': 0, '11-14': 0 },
  name: 'Famiglia Rossi',
  phone: contact.sms ? `+39336${String(++contacts).padStart(7, '0')}` : null,
  email: contact.sms ? null : `famiglia${++contacts}@example.org`,
  locale: contact.locale,
});

/** A party signed up and confirmed with the code it was sent, as the family does it. */
async function confirmed(eventId: number, p: Party) {
  const held = await registerParty(t.db, eventId, p, { client: `notices-${contacts}`, now });
  if (!held.ok) throw new Error(`not held: ${held.reason}`);
  const code = await latestCodeFromOutbox(t.db, p.phone ?? p.email!);
  expect((await confirmRegistration(t.db, held.registration.id, code, { now: later(1) })).ok).toBe(true);
  return held.registration;
}

const messagesOf = (kind: string, eventSlug: string) =>
  t.db
    .selectFrom('outbox')
    .selectAll()
    .where('kind', '=', kind)
    .where(({ ref }) => ref('payload', '->>').key('eventSlug' as never), '=', eventSlug)
    .orderBy('id')
    .execute();

const remindersOf = (registrationId: number) =>
  t.db
    .selectFrom('outbox')
    .select(['status', 'send_after'])
    .where('registration_id', '=', registrationId)
    .where('kind', '=', 'event_registration_reminder')
    .orderBy('id')
    .execute();

/** The message as the worker would send it, through the outbox's renderer of its kind and channel. */
async function render(row: {
  id: number;
  kind: string;
  channel: string;
  recipient: string;
  locale: string;
  payload: unknown;
}) {
  const message: ClaimedMessage = {
    id: row.id,
    kind: row.kind,
    channel: row.channel as 'email' | 'sms',
    recipient: row.recipient,
    locale: row.locale,
    payload: row.payload,
    bookingId: null,
    pledgeId: null,
    volunteerId: null,
    attempts: 1,
    createdAt: now,
  };
  const renderers = row.kind.startsWith('waitlist_') ? waitlistRenderers : registrationRenderers;
  const table = row.channel === 'sms' ? renderers.sms : renderers.email;
  return table[row.kind]!({ db: t.db, message, locale: row.locale as Locale, origin: ORIGIN });
}

let made = 0;
/** A weekly series at the Quarto Oggiaro desk, Tuesdays 17:00–18:30, three dates from `firstDay`. */
async function newSeries(firstDay: string, untilDay: string, seats = 10) {
  const slug = `serie-avvisi-${++made}`;
  const { seriesId } = await createSeries(t.db, {
    slug,
    rule: {
      frequency: 'weekly',
      weekday: 2,
      weekOfMonth: null,
      firstDay,
      untilDay,
      startsTime: '17:00',
      endsTime: '18:30',
    },
    deskId: quarto,
    template: seriesTemplate({ seats }),
    organisationIds: [],
  });
  const dates = await t.db
    .selectFrom('event')
    .select(['id', 'slug', 'occurrence_date', 'starts_at'])
    .where('series_id', '=', seriesId)
    .orderBy('occurrence_date')
    .execute();
  return { seriesId, slug, dates };
}

describe('an event cancelled by staff', () => {
  it('tells each confirmed family once, in its language and channel, and withdraws their reminders', async () => {
    const event = await insertPartyEvent(t.db, { slug: 'festa-annullata', startsAt: later(10 * 24 * 60), seats: 10 });
    const bySms = await confirmed(event.id, party({ sms: true, locale: 'en' }));
    const byEmail = await confirmed(event.id, party({ locale: 'ar' }));
    // A hold not confirmed yet, and a family on the waiting list.
    const pendingParty = party({ sms: true, locale: 'it' });
    const pending = await registerParty(t.db, event.id, pendingParty, { client: 'notices-pending', now });
    if (!pending.ok) throw new Error('not held');
    const pendingCode = await latestCodeFromOutbox(t.db, pendingParty.phone!);
    const waiting = await t.db
      .insertInto('wait_entry')
      .values({
        reference: 'QW-AVVISO-1',
        event_id: event.id,
        adults: 1,
        seats: 1,
        phone: '+393370000001',
        locale: 'es',
        status: 'waiting',
      })
      .returning('id')
      .executeTakeFirstOrThrow();

    expect((await cancelEvent(t.db, admin, event.id, later(2))).ok).toBe(true);

    const sent = await messagesOf('event_date_cancelled', event.slug);
    expect(sent.map((m) => [m.recipient.startsWith('+') ? 'phone' : 'email', m.channel, m.locale, m.status])).toEqual([
      ['phone', 'sms', 'en', 'pending'],
      ['email', 'email', 'ar', 'pending'],
      ['phone', 'sms', 'es', 'pending'],
    ]);
    const sms = (await render(sent[0]!)) as string;
    expect(sms).toContain('"Party"');
    expect(sms).toContain('is cancelled');
    expect(sms).toContain(bySms.reference);
    const email = (await render(sent[1]!)) as RenderedEmail;
    expect(email.subject).toBe('تم الإلغاء: حفلة');
    expect(email.text).toContain(byEmail.reference);
    expect(email.html).toContain('dir="rtl"');
    expect(await render(sent[2]!)).toContain('se ha cancelado');

    // The reminders will not go out.
    for (const r of [bySms, byEmail]) expect((await remindersOf(r.id)).map((m) => m.status)).toEqual(['cancelled']);
    // The pending hold is released: its seats back, its code no longer confirms anything.
    const hold = await t.db
      .selectFrom('event_registration')
      .select(['status', 'phone'])
      .where('id', '=', pending.registration.id)
      .executeTakeFirstOrThrow();
    expect(hold).toEqual({ status: 'expired', phone: null });
    expect((await confirmRegistration(t.db, pending.registration.id, pendingCode, { now: later(3) })).ok).toBe(false);
    const seats = await t.db
      .selectFrom('event')
      .select('seats_taken')
      .where('id', '=', event.id)
      .executeTakeFirstOrThrow();
    expect(seats.seats_taken).toBe(4);
    // The waiting family's entry is closed (no offer can go out), its phone erased.
    const entry = await t.db
      .selectFrom('wait_entry')
      .select(['status', 'phone'])
      .where('id', '=', waiting.id)
      .executeTakeFirstOrThrow();
    expect(entry).toEqual({ status: 'closed', phone: null });
  });

  it('a date nobody signed up for queues nothing', async () => {
    const event = await insertPartyEvent(t.db, { slug: 'festa-vuota', startsAt: later(10 * 24 * 60), seats: 10 });
    const count = async () =>
      Number(
        (
          await t.db
            .selectFrom('outbox')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    expect((await cancelEvent(t.db, admin, event.id, later(2))).ok).toBe(true);
    expect(await count()).toBe(before);
  });
});

describe('series dates', () => {
  it('a desk closure tells the families of the date it cancels, with the link to the other dates', async () => {
    const { slug, dates } = await newSeries('2027-03-02', '2027-03-16');
    const date = dates[1]!;
    const r = await confirmed(date.id, party({ sms: true, locale: 'it' }));
    const result = await addClosure(
      t.db,
      quarto,
      { day: date.occurrence_date!, reason: 'Sciopero' },
      { actorUserId: operatorId, now: later(2) },
    );
    expect(result.ok).toBe(true);
    const sent = await messagesOf('event_date_cancelled', date.slug);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ channel: 'sms', locale: 'it', registration_id: r.id });
    const sms = (await render(sent[0]!)) as string;
    expect(sms).toContain('"Spazio mamma-bambino" del mar 9 mar 17:00 è annullato');
    expect(sms).toContain(`qubi.example.org/it/eventi/${slug}`);
    expect((await remindersOf(r.id)).map((m) => m.status)).toEqual(['cancelled']);
    // The other dates' families are not written to.
    expect(await messagesOf('event_date_cancelled', dates[0]!.slug)).toHaveLength(0);
  });

  it('a date cancelled by hand, with families signed up, tells them', async () => {
    const { seriesId, dates } = await newSeries('2027-04-06', '2027-04-20');
    const r = await confirmed(dates[0]!.id, party({ locale: 'zh' }));
    expect(await cancelSeriesDate(t.db, seriesId, '2027-04-06', later(2))).toEqual({ ok: true, slug: dates[0]!.slug });
    const sent = await messagesOf('event_date_cancelled', dates[0]!.slug);
    expect(sent.map((m) => [m.channel, m.locale, m.registration_id])).toEqual([['email', 'zh', r.id]]);
    const email = (await render(sent[0]!)) as RenderedEmail;
    expect(email.subject).toBe('已取消：Spazio mamma-bambino');
    expect(email.text).toContain('查看其他日期');
  });

  it('a moved date tells its families the new day and time, and the reminder follows the new start', async () => {
    const { seriesId, dates } = await newSeries('2027-05-04', '2027-05-18');
    const r = await confirmed(dates[0]!.id, party({ sms: true, locale: 'es' }));
    expect((await remindersOf(r.id)).map((m) => m.send_after)).toEqual([reminderTime(dates[0]!.starts_at)]);
    const moved = await moveSeriesDate(
      t.db,
      seriesId,
      '2027-05-04',
      { day: '2027-05-06', startsTime: '10:00' },
      later(2),
    );
    expect(moved.ok).toBe(true);
    const newStart = new Date('2027-05-06T08:00:00Z'); // 10:00 in Milan (summer time)
    const sent = await messagesOf('event_date_moved', dates[0]!.slug);
    expect(sent.map((m) => [m.channel, m.locale, m.registration_id])).toEqual([['sms', 'es', r.id]]);
    expect(await render(sent[0]!)).toContain('pasa al jue, 6 may 10:00');
    const reminders = await remindersOf(r.id);
    expect(reminders).toEqual([{ status: 'pending', send_after: reminderTime(newStart) }]);
    // Cancelled later, the "moved" not yet sent is withdrawn and the cancellation goes instead.
    expect((await cancelSeriesDate(t.db, seriesId, '2027-05-04', later(3))).ok).toBe(true);
    expect((await messagesOf('event_date_moved', dates[0]!.slug)).map((m) => m.status)).toEqual(['cancelled']);
    expect(await messagesOf('event_date_cancelled', dates[0]!.slug)).toHaveLength(1);
  });

  it('a date moved with nobody signed up queues nothing', async () => {
    const { seriesId, dates } = await newSeries('2027-06-01', '2027-06-15');
    expect((await moveSeriesDate(t.db, seriesId, '2027-06-01', { day: '2027-06-02' }, later(2))).ok).toBe(true);
    expect(await messagesOf('event_date_moved', dates[0]!.slug)).toHaveLength(0);
  });
});

describe("a moved date's waiting list", () => {
  /** Joins the date's list at `at` and confirms with the code its contact was sent, as a family does. */
  async function waits(eventId: number, p: Party, at: Date) {
    const joined = await joinEventWaitlist(t.db, eventId, p, { client: `notices-list-${contacts}`, now: at });
    if (!joined.ok) throw new Error(`join refused: ${joined.reason}`);
    const code = await latestCodeFromOutbox(t.db, p.phone ?? p.email!);
    expect((await confirmWaitEntry(t.db, joined.id, code, { now: at })).ok).toBe(true);
    return t.db
      .selectFrom('wait_entry')
      .select(['id', 'reference'])
      .where('id', '=', joined.id)
      .executeTakeFirstOrThrow();
  }
  /** A full date (two families of 2 on 4 seats) and its list: `first` is offered the seats the second family frees at `at`. */
  async function listWithOffer(eventId: number, first: Party, at: Date, then: Party[] = []) {
    await confirmed(eventId, party({ locale: 'it' }));
    const leaving = await confirmed(eventId, party({ locale: 'it' }));
    const offered = await waits(eventId, first, at);
    const waiting = [];
    for (const p of then) waiting.push(await waits(eventId, p, at));
    await runInTransaction(t.db, (trx) => cancelRegistrationById(trx, leaving.id, ['confirmed'], at));
    return { offered, waiting };
  }
  const entry = (id: number) =>
    t.db
      .selectFrom('wait_entry')
      .select(['status', 'offered_at', 'offer_expires_at'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
  const seatsTaken = async (eventId: number) =>
    (await t.db.selectFrom('event').select('seats_taken').where('id', '=', eventId).executeTakeFirstOrThrow())
      .seats_taken;
  const offerMessageOf = async (reference: string) =>
    t.db
      .selectFrom('outbox')
      .selectAll()
      .where('kind', '=', 'waitlist_offer')
      .where(({ ref }) => ref('payload', '->>').key('reference' as never), '=', reference)
      .executeTakeFirstOrThrow();

  it('tells a waiting family and an offered one once each, in their language, and nobody on other dates', async () => {
    const { seriesId, slug, dates } = await newSeries('2027-09-07', '2027-09-21', 4);
    const at = new Date('2027-09-06T08:00:00Z');
    const { offered, waiting } = await listWithOffer(dates[0]!.id, party({ sms: true, locale: 'ar' }), at, [
      party({ locale: 'zh' }),
    ]);
    const offerEnds = new Date('2027-09-06T20:00:00Z'); // 12 hours after the offer
    expect(await entry(offered.id)).toMatchObject({ status: 'offered', offer_expires_at: offerEnds });
    expect(await entry(waiting[0]!.id)).toMatchObject({ status: 'waiting' });
    // A family waiting for the next date, which does not move.
    await confirmed(dates[1]!.id, party({ locale: 'it', adults: 4 }));
    await waits(dates[1]!.id, party({ sms: true, locale: 'en' }), at);

    const moved = await moveSeriesDate(
      t.db,
      seriesId,
      '2027-09-07',
      { day: '2027-09-09', startsTime: '10:00' },
      later(2),
    );
    expect(moved.ok).toBe(true);

    const sent = await messagesOf('event_date_moved_waiting', dates[0]!.slug);
    expect(sent.map((m) => [m.channel, m.locale, m.wait_entry_id, m.registration_id, m.status])).toEqual([
      ['sms', 'ar', offered.id, null, 'pending'],
      ['email', 'zh', waiting[0]!.id, null, 'pending'],
    ]);
    // The offered family: the new day and time, and its seats held until the same deadline (22:00 in Milan).
    expect(await render(sent[0]!)).toBe(
      'QuBì: تم نقل «Spazio mamma-bambino» إلى 9/9 10:00. المقاعد المعروضة عليكم محجوزة لكم حتى 6/9 22:00، رقم ' +
        `${offered.reference}.`,
    );
    expect(await entry(offered.id)).toMatchObject({ status: 'offered', offer_expires_at: offerEnds });
    expect(await seatsTaken(dates[0]!.id)).toBe(4);
    // The waiting family: still on the list, with the link to its place on it.
    const email = (await render(sent[1]!)) as RenderedEmail;
    expect(email.subject).toBe('新的日期和时间：Spazio mamma-bambino');
    expect(email.text).toContain('您仍在候补名单上，位置不变');
    expect(email.text).toContain('10:00');
    expect(email.text).toContain(waiting[0]!.reference);
    expect(email.text).not.toContain('您的座位仍然有效');
    const token = waitToken(await getServerSecret(t.db), waiting[0]!);
    expect(email.text).toContain(`${ORIGIN}/zh/lista-attesa?token=${token}`);
    expect((await findWaitByToken(t.db, token))?.position).toBe(2);
    // Nobody on the other date's list is written to.
    expect(await messagesOf('event_date_moved_waiting', dates[1]!.slug)).toHaveLength(0);

    // Cancelled afterwards: the list closes and gets the cancellation's text; the "moved" not yet out is withdrawn.
    expect((await cancelSeriesDate(t.db, seriesId, '2027-09-07', later(3))).ok).toBe(true);
    const withdrawn = await messagesOf('event_date_moved_waiting', dates[0]!.slug);
    expect(withdrawn.map((m) => m.status)).toEqual(['cancelled', 'cancelled']);
    const cancelled = (await messagesOf('event_date_cancelled', dates[0]!.slug)).filter(
      (m) => m.registration_id === null,
    );
    expect(cancelled.map((m) => [m.channel, m.locale])).toEqual([
      ['sms', 'ar'],
      ['email', 'zh'],
    ]);
    const cancelSms = await render(cancelled[0]!);
    expect(cancelSms).toContain(`QuBì: ألغي «Spazio mamma-bambino» 9/9 10:00. رقم ${offered.reference}.`);
    expect(cancelSms).toContain(`/ar/eventi/${slug}`);
  });

  it('an offer whose deadline would pass the nearer start is held until an hour before it', async () => {
    const { seriesId, dates } = await newSeries('2027-10-05', '2027-10-12', 4);
    const at = new Date('2027-10-04T06:00:00Z');
    const { offered } = await listWithOffer(dates[0]!.id, party({ sms: true, locale: 'en' }), at);
    expect(await entry(offered.id)).toMatchObject({ offer_expires_at: new Date('2027-10-04T18:00:00Z') });
    // Moved to the same Monday, 14:00 in Milan (12:00 UTC): the seats are held until 13:00.
    const moveAt = new Date('2027-10-04T07:00:00Z');
    const moved = await moveSeriesDate(
      t.db,
      seriesId,
      '2027-10-05',
      { day: '2027-10-04', startsTime: '14:00' },
      moveAt,
    );
    expect(moved.ok).toBe(true);
    const heldUntil = new Date('2027-10-04T11:00:00Z');
    expect(await entry(offered.id)).toMatchObject({ status: 'offered', offer_expires_at: heldUntil });
    expect(await seatsTaken(dates[0]!.id)).toBe(4);
    const [notice, ...more] = await messagesOf('event_date_moved_waiting', dates[0]!.slug);
    expect(more).toHaveLength(0);
    expect(await render(notice!)).toBe(
      `QuBì: "Spazio mamma-bambino" has moved to Mon 4 Oct 14:00. The seats offered to you are held until Mon 4 Oct 13:00, ref. ${offered.reference}.`,
    );
    // The offer's own message, if not out yet, gives the new deadline too.
    expect(await render(await offerMessageOf(offered.reference))).toContain('Accept by Mon 4 Oct 13:00');
    // Past the new deadline (before the old one) the offer can no longer be accepted.
    const token = waitToken(await getServerSecret(t.db), offered);
    expect(await acceptOffer(t.db, token, { now: new Date('2027-10-04T11:30:00Z') })).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('an offer the new start leaves no time to answer ends: its seats back, the family waiting in its place', async () => {
    const { seriesId, dates } = await newSeries('2027-10-12', '2027-10-19', 4);
    const at = new Date('2027-10-11T06:00:00Z');
    const { offered, waiting } = await listWithOffer(dates[0]!.id, party({ locale: 'es' }), at, [
      party({ sms: true, locale: 'it' }),
    ]);
    expect(await seatsTaken(dates[0]!.id)).toBe(4);
    // Moved to 10:00 in Milan that same Monday, at 9:00: under the hour before the start any offer ends.
    const moveAt = new Date('2027-10-11T07:00:00Z');
    const moved = await moveSeriesDate(
      t.db,
      seriesId,
      '2027-10-12',
      { day: '2027-10-11', startsTime: '10:00' },
      moveAt,
    );
    expect(moved.ok).toBe(true);
    expect(await entry(offered.id)).toEqual({ status: 'waiting', offered_at: null, offer_expires_at: null });
    expect(await seatsTaken(dates[0]!.id)).toBe(2);
    expect(await positionOf(t.db, offered.id)).toBe(1);
    const sent = await messagesOf('event_date_moved_waiting', dates[0]!.slug);
    expect(sent.map((m) => [m.channel, m.locale, m.wait_entry_id])).toEqual([
      ['email', 'es', offered.id],
      ['sms', 'it', waiting[0]!.id],
    ]);
    const email = (await render(sent[0]!)) as RenderedEmail;
    expect(email.subject).toBe('Nuevo día y hora: Spazio mamma-bambino');
    expect(email.text).toContain('ahora es el lunes, 11 de octubre de 2027, 10:00');
    expect(email.text).toContain('demasiado cerca para seguir reservando las plazas que te ofrecimos');
    expect(email.text).toContain('Sigues en la lista de espera');
    expect(await render(sent[1]!)).toBe(
      `QuBì: "Spazio mamma-bambino" è spostato a lun 11 ott 10:00. Sei ancora in lista d'attesa, rif. ${waiting[0]!.reference}.`,
    );
    // The offer's own message, if not out yet, is not sent: there is no offer any more.
    expect(await render(await offerMessageOf(offered.reference))).toBe(WITHDRAWN);
  });

  it('a date moved later offers at once the seats its old start was too near to offer', async () => {
    const { seriesId, dates } = await newSeries('2027-11-02', '2027-11-09', 4);
    // Full, with a family of 2 waiting since the day before.
    await confirmed(dates[0]!.id, party({ locale: 'it' }));
    const leaving = await confirmed(dates[0]!.id, party({ locale: 'it' }));
    const waiting = await waits(dates[0]!.id, party({ sms: true, locale: 'en' }), new Date('2027-11-01T09:00:00Z'));
    // 16:30 in Milan, half an hour before the start: the seats freed are too near it to offer.
    const cancelAt = new Date('2027-11-02T15:30:00Z');
    await runInTransaction(t.db, (trx) => cancelRegistrationById(trx, leaving.id, ['confirmed'], cancelAt));
    expect(await entry(waiting.id)).toMatchObject({ status: 'waiting' });
    expect(await seatsTaken(dates[0]!.id)).toBe(2);

    // Moved to the next day, same time: the offer is made by the move, not by the next hourly round.
    const moveAt = new Date('2027-11-02T15:35:00Z');
    const moved = await moveSeriesDate(
      t.db,
      seriesId,
      '2027-11-02',
      { day: '2027-11-03', startsTime: '17:00' },
      moveAt,
    );
    expect(moved.ok).toBe(true);
    const heldUntil = new Date('2027-11-03T03:35:00Z'); // 12 hours
    expect(await entry(waiting.id)).toMatchObject({
      status: 'offered',
      offered_at: moveAt,
      offer_expires_at: heldUntil,
    });
    expect(await seatsTaken(dates[0]!.id)).toBe(4);
    expect(await render(await offerMessageOf(waiting.reference))).toContain('Accept by Wed 3 Nov 04:35');
    // The "moved" message, rendered when it goes, says the seats are held for them.
    const [notice, ...more] = await messagesOf('event_date_moved_waiting', dates[0]!.slug);
    expect(more).toHaveLength(0);
    expect(await render(notice!)).toBe(
      `QuBì: "Spazio mamma-bambino" has moved to Wed 3 Nov 17:00. The seats offered to you are held until Wed 3 Nov 04:35, ref. ${waiting.reference}.`,
    );
  });

  it('a family declining its offer while the date moves: both go through, and the seats add up', async () => {
    const { seriesId, dates } = await newSeries('2027-11-02', '2027-11-09', 4);
    const at = new Date('2027-11-01T06:00:00Z');
    const { offered } = await listWithOffer(dates[0]!.id, party({ sms: true, locale: 'en' }), at);
    const token = waitToken(await getServerSecret(t.db), offered);
    // The decline locks the entry and then the date's row, the move the other way round.
    const [moved, declined] = await Promise.all([
      moveSeriesDate(t.db, seriesId, '2027-11-02', { day: '2027-11-03' }, at),
      declineOrLeave(t.db, token, at),
    ]);
    expect(moved.ok).toBe(true);
    expect(declined).toEqual({ ok: true, was: 'offered' });
    expect((await entry(offered.id)).status).toBe('declined');
    expect(await seatsTaken(dates[0]!.id)).toBe(2);
  });
});

describe('an approved change of a published event', () => {
  const form = (startTime: string): EventFormValues => {
    const v = emptyEventForm();
    v.title.it = 'Laboratorio di maschere';
    v.summary.it = 'Maschere di carta.';
    v.description.it = 'Portate la colla.';
    v.venue = 'Spazio QuBì';
    v.address = 'Via Pascarella 5, Milano';
    v.startDate = '2027-08-10';
    v.startTime = startTime;
    v.municipioId = '8';
    v.seats = '10';
    return v;
  };
  const checked = (values: EventFormValues) => {
    const result = checkEventForm(values, { municipi: [8], organisations: [] });
    if (!result.ok) throw new Error(JSON.stringify(result.errors));
    return result.value;
  };

  it('a new start tells the families signed up, once approved, and moves their reminder', async () => {
    const made = await createEvent(t.db, admin, checked(form('15:00')), now);
    if (!made.ok) throw new Error('not created');
    await submitEvent(t.db, admin, made.event.id);
    await publishEvent(t.db, admin, made.event.id);
    const r = await confirmed(made.event.id, party({ locale: 'uk' }));
    // A family on the list, 9 people: more than the 8 seats still free, so the move offers it none.
    const waiting = await t.db
      .insertInto('wait_entry')
      .values({
        reference: 'QW-AVVISO-2',
        event_id: made.event.id,
        adults: 9,
        seats: 9,
        phone: '+8801712345678',
        locale: 'bn',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const edited = form('16:30');
    expect((await updateEvent(t.db, admin, made.event.id, checked(edited), later(2), edited)).ok).toBe(true);
    // Proposed only: nothing is said until a moderator approves it.
    expect(await messagesOf('event_date_moved', made.event.slug)).toHaveLength(0);
    expect(await messagesOf('event_date_moved_waiting', made.event.slug)).toHaveLength(0);
    expect((await publishEvent(t.db, admin, made.event.id, later(3))).ok).toBe(true);
    const sent = await messagesOf('event_date_moved', made.event.slug);
    expect(sent.map((m) => [m.channel, m.locale, m.registration_id])).toEqual([['email', 'uk', r.id]]);
    const email = (await render(sent[0]!)) as RenderedEmail;
    expect(email.subject).toBe('Новий день і час: Laboratorio di maschere');
    expect(email.text).toContain('16:30');
    const newStart = new Date('2027-08-10T14:30:00Z');
    expect(await remindersOf(r.id)).toEqual([{ status: 'pending', send_after: reminderTime(newStart) }]);
    const listed = await messagesOf('event_date_moved_waiting', made.event.slug);
    expect(listed.map((m) => [m.channel, m.locale, m.wait_entry_id])).toEqual([['sms', 'bn', waiting.id]]);
    expect(await render(listed[0]!)).toBe(
      'QuBì: “Laboratorio di maschere” সরিয়ে 10/8 16:30-এ নেওয়া হয়েছে। আপনি এখনও অপেক্ষার তালিকায় আছেন, নম্বর QW-AVVISO-2।',
    );
  });
});

describe('the renderers send only while the notice is true', () => {
  it('withdraws a "moved" message once the family has freed its seats', async () => {
    const { seriesId, dates } = await newSeries('2027-07-06', '2027-07-20');
    const r = await confirmed(dates[0]!.id, party({ sms: true, locale: 'en' }));
    await moveSeriesDate(t.db, seriesId, '2027-07-06', { day: '2027-07-07' }, later(2));
    const [row] = await messagesOf('event_date_moved', dates[0]!.slug);
    await t.db.updateTable('event_registration').set({ status: 'cancelled' }).where('id', '=', r.id).execute();
    expect(await render(row!)).toBe(WITHDRAWN);
  });
});
