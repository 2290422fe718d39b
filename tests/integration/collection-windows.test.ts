// Collection windows edited by coordinators (issue #15), on the real database (PGlite, or
// PostgreSQL with TEST_DATABASE_URL): the seed offers no window on a public holiday; a pledge for a
// day the desks are closed (a holiday, a desk closure, a cancelled window) is refused by the
// statement that writes it; adding a window on such a day is refused; moving or cancelling one tells
// each donor once, in their language, and they choose another window from their manage link; a
// pledge still waiting for its code on that window is released, its items given back, and its donor
// told it was not recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { staffActor } from '../support/staff-actor.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import type { Role } from '#/server/db/database.ts';
import { createPledge, type NewPledge } from '#/features/campaign/create-pledge.ts';
import { getCampaign } from '#/features/campaign/campaigns.ts';
import { addWindow, cancelWindow, listWindowsForActor, moveWindow } from '#/features/campaign/collection-windows.ts';
import { changePledgeWindow } from '#/features/campaign/pledge-window-change.ts';
import { confirmPledgeHold } from '#/features/campaign/pledge-holds.ts';
import { parseWindowNotice, renderWindowEmail, renderWindowSms } from '#/features/campaign/window-notice.ts';
import { isHoliday } from '#/lib/holidays.ts';
import { romeToInstant } from '#/lib/time.ts';
import { romeDayOf } from '#/features/campaign/window-days.ts';

let t: TestDatabase;
// Seeded on 20 December: the four weeks ahead hold Christmas, Santo Stefano, New Year and Epiphany.
const now = new Date('2026-12-20T09:00:00Z');
const actors = {} as Record<'admin' | 'coord8' | 'coord2' | 'partner' | 'operator', Actor>;
let point: { id: number; slug: string };

const makeActor = (email: string, role: Role, scope?: Parameters<typeof staffActor>[3]) =>
  staffActor(t.db, email, role, scope);

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, now);
  point = await t.db.selectFrom('drop_off_point').select(['id', 'slug']).orderBy('id').executeTakeFirstOrThrow();
  const org = await t.db.selectFrom('organisation').select('id').orderBy('id').executeTakeFirstOrThrow();
  actors.admin = await makeActor('admin@comune.example', 'admin');
  actors.coord8 = await makeActor('coord8@comune.example', 'coordinator', { municipi: [8] });
  actors.coord2 = await makeActor('coord2@comune.example', 'coordinator', { municipi: [2] });
  actors.partner = await makeActor('p@partner.example', 'partner_editor', { organisationId: org.id });
  actors.operator = await makeActor('op@comune.example', 'desk_operator');
});
afterAll(() => t.close());

let donors = 0;
const pledge = (windowId: number, over: Partial<NewPledge> = {}): NewPledge => ({
  campaignSlug: 'zaino-sospeso',
  lines: [{ item: 'astuccio', quantity: 1 }],
  collectionWindowId: windowId,
  firstName: 'Luca',
  email: null,
  phone: `+39340${String(2000000 + donors++).slice(-7)}`,
  locale: 'it',
  submissionKey: null,
  ...over,
});

const windowOn = async (day: [number, number, number]) =>
  (
    await t.db
      .insertInto('collection_window')
      .values({
        drop_off_point_id: point.id,
        starts_at: romeToInstant(...day, 9, 0),
        ends_at: romeToInstant(...day, 12, 0),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;

async function snapshot() {
  const windows = await t.db.selectFrom('collection_window').selectAll().orderBy('id').execute();
  const outbox = await t.db.selectFrom('outbox').select('id').orderBy('id').execute();
  const audit = await t.db.selectFrom('audit_log').select('id').orderBy('id').execute();
  return JSON.stringify({ windows, outbox, audit });
}

const notices = (pledgeIds: number[]) =>
  t.db
    .selectFrom('outbox')
    .select(['pledge_id', 'channel', 'recipient', 'locale', 'payload', 'status'])
    .where('kind', '=', 'pledge_window_changed')
    .where('pledge_id', 'in', pledgeIds)
    .orderBy('id')
    .execute();

describe(`collection windows (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('the seed offers no window on a public holiday', async () => {
    const windows = await t.db.selectFrom('collection_window').select('starts_at').execute();
    expect(windows.length).toBeGreaterThan(0);
    expect(windows.map((w) => romeDayOf(w.starts_at)).filter(isHoliday)).toEqual([]);
  });

  it('a pledge for Christmas Day or a day the desk is closed is refused, and not offered', async () => {
    const christmas = await windowOn([2026, 12, 25]);
    expect(await createPledge(t.db, pledge(christmas), now)).toEqual({ ok: false, reason: 'invalid_window' });
    // Through the multi-statement path too (an email: an outbox row, a transaction).
    expect(await createPledge(t.db, pledge(christmas, { email: 'x@example.org' }), now)).toEqual({
      ok: false,
      reason: 'invalid_window',
    });
    const closedDay = await windowOn([2026, 12, 29]);
    await t.db
      .insertInto('desk_closure')
      .values({
        desk_id: (await t.db.selectFrom('desk').select('id').where('slug', '=', point.slug).executeTakeFirstOrThrow())
          .id,
        day: '2026-12-29',
        reason: 'sciopero',
      })
      .execute();
    expect(await createPledge(t.db, pledge(closedDay), now)).toEqual({ ok: false, reason: 'invalid_window' });
    const offered = (await getCampaign(t.db, 'zaino-sospeso', now))!.dropOffPoints.flatMap((p) =>
      p.windows.map((w) => w.id),
    );
    expect(offered).not.toContain(christmas);
    expect(offered).not.toContain(closedDay);
    expect(
      await t.db
        .selectFrom('pledge')
        .select('id')
        .where('collection_window_id', 'in', [christmas, closedDay])
        .execute(),
    ).toEqual([]);
    // The staff list marks a window already on a holiday, so a coordinator moves or cancels it.
    const listed = (await listWindowsForActor(t.db, actors.coord8, now)).flatMap((p) => p.windows);
    expect(listed.find((w) => w.id === christmas)?.closedDay).toBe('holiday');
  });

  it('adding a window on a holiday or a closed day is refused with the reason; outside the scope, 403 and nothing changed', async () => {
    const before = await snapshot();
    expect(
      await addWindow(t.db, actors.coord8, point.id, { day: '2026-12-25', opens: '09:00', closes: '12:00' }, now),
    ).toEqual({
      ok: false,
      reason: 'invalid',
      errors: { day: 'partners.windows.error.holiday' },
    });
    expect(
      await addWindow(t.db, actors.coord8, point.id, { day: '29/12/2026', opens: '09:00', closes: '12:00' }, now),
    ).toEqual({
      ok: false,
      reason: 'invalid',
      errors: { day: 'partners.windows.error.deskClosed' },
    });
    expect(
      await addWindow(t.db, actors.coord8, point.id, { day: '2026-12-30', opens: '12:00', closes: '09:00' }, now),
    ).toMatchObject({
      reason: 'invalid',
      errors: { closes: 'partners.windows.error.endBeforeStart' },
    });
    for (const actor of [actors.coord2, actors.partner, actors.operator])
      expect(
        await addWindow(t.db, actor, point.id, { day: '2026-12-30', opens: '09:00', closes: '12:00' }, now),
      ).toEqual({
        ok: false,
        reason: 'forbidden',
      });
    expect(await snapshot()).toBe(before);
    const added = await addWindow(
      t.db,
      actors.coord8,
      point.id,
      { day: '2026-12-30', opens: '09:00', closes: '12:00' },
      now,
    );
    expect(added.ok).toBe(true);
    const offered = (await getCampaign(t.db, 'zaino-sospeso', now))!.dropOffPoints.flatMap((p) =>
      p.windows.map((w) => w.id),
    );
    expect(offered).toContain(added.ok && added.windowId);
  });

  it('moving a window tells each donor once, in their language, and withdraws the old reminder', async () => {
    const windowId = await windowOn([2027, 1, 12]);
    const made = [
      await createPledge(t.db, pledge(windowId, { email: 'ana@example.org', phone: null, locale: 'es' }), now),
      await createPledge(t.db, pledge(windowId, { locale: 'ar', phone: '+393401112233' }), now),
      await createPledge(
        t.db,
        pledge(windowId, { email: 'li@example.org', phone: '+393409998877', locale: 'zh' }),
        now,
      ),
    ];
    const ids = made.map((m) => (m.ok ? m.pledge.id : 0));
    expect(ids.every((id) => id > 0)).toBe(true);
    const before = await snapshot();
    expect(
      await moveWindow(t.db, actors.coord2, windowId, { day: '2027-01-13', opens: '09:00', closes: '12:00' }, now),
    ).toEqual({
      ok: false,
      reason: 'forbidden',
    });
    expect(
      await moveWindow(t.db, actors.coord8, windowId, { day: '2027-01-06', opens: '09:00', closes: '12:00' }, now),
    ).toMatchObject({
      reason: 'invalid',
      errors: { day: 'partners.windows.error.holiday' },
    });
    expect(await snapshot()).toBe(before);
    const moved = await moveWindow(
      t.db,
      actors.coord8,
      windowId,
      { day: '2027-01-13', opens: '15:00', closes: '18:00' },
      now,
    );
    expect(moved).toEqual({ ok: true, windowId, told: 3 });
    const told = await notices(ids);
    // One message per donor: email when there is one, else SMS; in the donor's language.
    expect(told.map((n) => [n.pledge_id, n.channel, n.recipient, n.locale])).toEqual([
      [ids[0], 'email', 'ana@example.org', 'es'],
      [ids[1], 'sms', '+393401112233', 'ar'],
      [ids[2], 'email', 'li@example.org', 'zh'],
    ]);
    const es = renderWindowEmail(parseWindowNotice(told[0]!.payload), 'es', 'Ana');
    expect(es.subject).toBe('Ha cambiado el horario de tu entrega');
    expect(es.text).toContain('13 de enero de 2027');
    const ar = renderWindowSms(parseWindowNotice(told[1]!.payload), 'ar');
    expect(ar).toContain('13/1 15:00');
    // The reminders of the old time will not go.
    const reminders = await t.db
      .selectFrom('outbox')
      .select('status')
      .where('kind', '=', 'pledge_reminder')
      .where('pledge_id', 'in', ids)
      .execute();
    expect(reminders.length).toBeGreaterThan(0);
    expect(reminders.every((r) => r.status === 'cancelled')).toBe(true);
  });

  it('cancelling a window tells its donors once; they choose another from their link; the cancelled one takes no pledge', async () => {
    const windowId = await windowOn([2027, 1, 14]);
    const other = await windowOn([2027, 1, 15]);
    const made = await createPledge(t.db, pledge(windowId, { email: 'marta@example.org', phone: null }), now);
    if (!made.ok) throw new Error('not pledged');
    const cancelled = await cancelWindow(t.db, actors.admin, windowId, now);
    expect(cancelled).toEqual({ ok: true, windowId, told: 1 });
    // Twice (a double click, another coordinator): nothing more, nobody told again.
    expect(await cancelWindow(t.db, actors.coord8, windowId, now)).toEqual({ ok: false, reason: 'conflict' });
    const told = await notices([made.pledge.id]);
    expect(told.map((n) => [n.channel, n.locale, parseWindowNotice(n.payload).change])).toEqual([
      ['email', 'it', 'cancelled'],
    ]);
    expect(renderWindowEmail(parseWindowNotice(told[0]!.payload), 'it', 'Marta').subject).toBe(
      'La tua consegna è stata annullata',
    );
    expect(await createPledge(t.db, pledge(windowId), now)).toEqual({ ok: false, reason: 'invalid_window' });
    expect(await changePledgeWindow(t.db, made.pledge.id, windowId, now)).toEqual({
      ok: false,
      reason: 'invalid_window',
    });
    expect(await changePledgeWindow(t.db, made.pledge.id, other, now)).toEqual({ ok: true });
    const row = await t.db
      .selectFrom('pledge')
      .select('collection_window_id')
      .where('id', '=', made.pledge.id)
      .executeTakeFirstOrThrow();
    expect(row.collection_window_id).toBe(other);
  });

  it('a pledge still waiting for its code on a moved or cancelled window is released, its items given back, its donor told', async () => {
    const counter = async () =>
      (
        await t.db
          .selectFrom('campaign_item')
          .select('pledged')
          .where('slug', '=', 'astuccio')
          .executeTakeFirstOrThrow()
      ).pledged;
    const released = (recipient: string) =>
      t.db
        .selectFrom('outbox')
        .select(['channel', 'locale', 'payload', 'pledge_id'])
        .where('kind', '=', 'pledge_window_changed')
        .where('recipient', '=', recipient)
        .execute();
    for (const change of ['moved', 'cancelled'] as const) {
      const windowId = await windowOn(change === 'moved' ? [2027, 1, 19] : [2027, 1, 20]);
      const before = await counter();
      const email = `held-${change}@example.org`;
      const phone = change === 'moved' ? '+393405550001' : '+393405550002';
      const heldByEmail = await createPledge(t.db, pledge(windowId, { email, phone: null, locale: 'es' }), now, {
        hold: { client: `c-${change}-1` },
      });
      const heldByPhone = await createPledge(t.db, pledge(windowId, { phone, locale: 'ar' }), now, {
        hold: { client: `c-${change}-2` },
      });
      const confirmed = await createPledge(t.db, pledge(windowId, { email: `kept-${change}@example.org` }), now);
      if (!heldByEmail.ok || !heldByPhone.ok || !confirmed.ok) throw new Error('not pledged');
      expect(await counter()).toBe(before + 3);

      const result =
        change === 'moved'
          ? await moveWindow(t.db, actors.coord8, windowId, { day: '2027-01-21', opens: '15:00', closes: '18:00' }, now)
          : await cancelWindow(t.db, actors.coord8, windowId, now);
      // Three people written to: the two whose pledges were released, and the confirmed donor.
      expect(result).toEqual({ ok: true, windowId, told: 3 });
      expect(await counter()).toBe(before + 1);
      const rows = await t.db
        .selectFrom('pledge')
        .select(['status', 'email', 'phone'])
        .where('id', 'in', [heldByEmail.pledge.id, heldByPhone.pledge.id])
        .execute();
      expect(rows).toEqual([
        { status: 'lapsed', email: null, phone: null },
        { status: 'lapsed', email: null, phone: null },
      ]);
      // Told once each, on the contact the code went to, in their language; bound to no pledge row.
      const byEmail = await released(email);
      expect(byEmail.map((m) => [m.channel, m.locale, m.pledge_id, m.payload.released, m.payload.change])).toEqual([
        ['email', 'es', null, true, change],
      ]);
      const mail = renderWindowEmail(parseWindowNotice(byEmail[0]!.payload), 'es', null, 'https://qubi.example.org');
      expect(mail.subject).toBe('Tu donación a la mochila solidaria no se registró');
      expect(mail.text).toContain('https://qubi.example.org/es/zaino-sospeso');
      if (change === 'moved') expect(mail.text).toContain('21 de enero de 2027');
      const byPhone = await released(phone);
      expect(byPhone.map((m) => [m.channel, m.locale])).toEqual([['sms', 'ar']]);
      expect(renderWindowSms(parseWindowNotice(byPhone[0]!.payload), 'ar', 'https://qubi.example.org')).toContain(
        'https://qubi.example.org/ar/zaino-sospeso',
      );
      // The code cannot confirm a released pledge any more.
      const code = await confirmPledgeHold(t.db, heldByPhone.pledge.id, '000000', { now });
      expect(code).toEqual({ ok: false, reason: 'expired' });
    }
  });
});
