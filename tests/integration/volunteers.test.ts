// Volunteer sign-up with double opt-in, updates by email, withdrawal and clean-up.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { volunteerSchema } from '#/features/volunteers/vocabulary.ts';
import { latestCodeFromOutbox } from '../support/codes.ts';
import { LOCALES } from '#/lib/locales.ts';
import {
  confirmVolunteer,
  confirmVolunteerByCode,
  deleteUnconfirmedVolunteers,
  findPendingConfirmation,
  resendVolunteerCode,
  signUpVolunteer,
  withdrawVolunteer,
} from '#/features/volunteers/volunteers.ts';

let t: TestDatabase;
const now = new Date('2026-11-24T10:00:00Z');
beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, now);
});
afterAll(() => t.close());

const form = (over: Record<string, unknown> = {}) =>
  volunteerSchema.parse({
    name: 'Giulia',
    email: 'Giulia@Example.org',
    phone: '',
    municipi: ['8', '2'],
    skills: ['homework', 'translation'],
    languages: ['ar', 'fr'],
    availability: ['tue-afternoon'],
    note: '',
    locale: 'it',
    consent: true,
    ...over,
  });

async function messagesFor(email: string) {
  return t.db
    .selectFrom('outbox')
    .select(['kind', 'payload', 'recipient'])
    .where('recipient', '=', email)
    .orderBy('id')
    .execute();
}

describe('volunteers', () => {
  it('validates the form with clear message keys', () => {
    const r = volunteerSchema.safeParse({
      name: '',
      email: 'x',
      municipi: [],
      skills: [],
      locale: 'it',
      consent: false,
    });
    expect(r.success).toBe(false);
    const messages = r.error!.issues.map((i) => i.message);
    expect(messages).toEqual(
      expect.arrayContaining([
        'volunteer.error.nameRequired',
        'volunteer.error.emailInvalid',
        'volunteer.error.municipiRequired',
        'volunteer.error.skillsRequired',
        'volunteer.error.consentRequired',
      ]),
    );
  });

  it('confirms the address with a single-use link, then tells the coordinators', async () => {
    expect(await signUpVolunteer(t.db, form(), now)).toEqual({ status: 'confirmation_sent' });
    const [confirm] = await messagesFor('giulia@example.org');
    expect(confirm!.kind).toBe('volunteer_confirm_address');
    const token = confirm!.payload.confirmToken as string;
    // Reading what the link would confirm (its page's GET) changes nothing, however often.
    for (let i = 0; i < 2; i++)
      expect(await findPendingConfirmation(t.db, token, now)).toEqual({
        change: false,
        name: 'Giulia',
        municipi: [2, 8],
        skills: ['homework', 'translation'],
      });
    expect(await findPendingConfirmation(t.db, token, new Date(now.getTime() + 8 * 86400000))).toBeUndefined();
    expect(await confirmVolunteer(t.db, token, new Date(now.getTime() + 3600000))).toBe('confirmed');
    expect(await findPendingConfirmation(t.db, token, now)).toBeUndefined();
    expect(await confirmVolunteer(t.db, token, new Date(now.getTime() + 7200000))).toBe('invalid');
    const v = await t.db
      .selectFrom('volunteer')
      .select(['status', 'municipi'])
      .where('email', '=', 'giulia@example.org')
      .executeTakeFirstOrThrow();
    expect(v).toEqual({ status: 'new', municipi: [2, 8] });
    const notices = await t.db
      .selectFrom('outbox')
      .select('recipient')
      .where('kind', '=', 'volunteer_coordinator_notice')
      .orderBy('recipient')
      .execute();
    expect(notices.map((n) => n.recipient)).toEqual([
      'rete.municipio2@qubi.example.org',
      'rete.municipio8@qubi.example.org',
    ]);
  });

  it('keeps a confirmed volunteer’s details until a new sign-up with the address is confirmed from it', async () => {
    const before = await t.db
      .selectFrom('volunteer')
      .select(['name', 'skills', 'status', 'phone'])
      .where('email', '=', 'giulia@example.org')
      .executeTakeFirstOrThrow();
    // Anyone may type Giulia's address: the details she confirmed stay.
    expect(
      await signUpVolunteer(
        t.db,
        form({ name: 'Not Giulia', email: 'giulia@example.org', skills: ['events'], phone: '+393339990000' }),
        now,
      ),
    ).toEqual({ status: 'change_sent' });
    const details = () =>
      t.db
        .selectFrom('volunteer')
        .select(['name', 'skills', 'status', 'phone'])
        .where('email', '=', 'giulia@example.org')
        .execute();
    expect(await details()).toEqual([before]);
    const change = (await messagesFor('giulia@example.org')).at(-1)!;
    expect(change.kind).toBe('volunteer_confirm_address');
    expect(change.payload.change).toBe(true);
    // A wrong or expired token applies nothing; the address's own link does, once.
    expect(await confirmVolunteer(t.db, 'x'.repeat(43), now)).toBe('invalid');
    const token = change.payload.confirmToken as string;
    expect(await findPendingConfirmation(t.db, token, now)).toEqual({
      change: true,
      name: 'Not Giulia',
      municipi: [2, 8],
      skills: ['events'],
    });
    expect(await details()).toEqual([before]);
    expect(await confirmVolunteer(t.db, token, new Date(now.getTime() + 8 * 86400000))).toBe('invalid');
    expect(await details()).toEqual([before]);
    expect(await confirmVolunteer(t.db, token, new Date(now.getTime() + 3600000))).toBe('confirmed');
    expect(await confirmVolunteer(t.db, token, new Date(now.getTime() + 3600000))).toBe('invalid');
    expect(await details()).toEqual([
      { name: 'Not Giulia', skills: ['events'], status: 'new', phone: '+393339990000' },
    ]);
    expect((await messagesFor('giulia@example.org')).at(-1)!).toMatchObject({
      kind: 'volunteer_welcome',
      payload: { updated: true },
    });
  });

  it('forgets a change never confirmed, keeping the volunteer', async () => {
    await signUpVolunteer(t.db, form({ name: 'Someone else', email: 'giulia@example.org' }), now);
    expect(await deleteUnconfirmedVolunteers(t.db, new Date(now.getTime() + 8 * 86400000))).toBe(0);
    const row = await t.db
      .selectFrom('volunteer')
      .select(['name', 'pending_details', 'confirm_token_hash'])
      .where('email', '=', 'giulia@example.org')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'Not Giulia', pending_details: null, confirm_token_hash: null });
  });

  it('expires confirmation links after 7 days and deletes unconfirmed sign-ups', async () => {
    await signUpVolunteer(t.db, form({ email: 'late@example.org' }), now);
    const token = (await messagesFor('late@example.org'))[0]!.payload.confirmToken as string;
    const eightDays = new Date(now.getTime() + 8 * 86400000);
    expect(await confirmVolunteer(t.db, token, eightDays)).toBe('invalid');
    expect(await deleteUnconfirmedVolunteers(t.db, eightDays)).toBe(1);
    expect(await t.db.selectFrom('volunteer').select('id').where('email', '=', 'late@example.org').execute()).toEqual(
      [],
    );
  });

  it('deletes all data through the withdraw link of any email, and only through a valid one', async () => {
    await signUpVolunteer(t.db, form({ email: 'bye@example.org' }), now);
    const token = (await messagesFor('bye@example.org'))[0]!.payload.withdrawToken as string;
    expect(
      await withdrawVolunteer(
        t.db,
        token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      ),
    ).toBe(false);
    expect(await withdrawVolunteer(t.db, 'nonsense')).toBe(false);
    expect(await withdrawVolunteer(t.db, token)).toBe(true);
    expect(await t.db.selectFrom('volunteer').select('id').where('email', '=', 'bye@example.org').execute()).toEqual(
      [],
    );
    expect(await messagesFor('bye@example.org')).toEqual([]);
  });

  it('confirms a first sign-up with the code sent to its mobile phone, five tries, once', async () => {
    const phone = '+393331234567';
    const outcome = await signUpVolunteer(t.db, form({ email: 'sms@example.org', phone }), now, { code: true });
    expect(outcome).toMatchObject({ status: 'confirmation_sent', codeTo: { phone } });
    const id = outcome.codeTo!.volunteerId;
    const code = await latestCodeFromOutbox(t.db, phone);
    const sms = await t.db
      .selectFrom('outbox')
      .select(['channel', 'volunteer_id'])
      .where('kind', '=', 'verification_code')
      .where('recipient', '=', phone)
      .executeTakeFirstOrThrow();
    expect(sms).toEqual({ channel: 'sms', volunteer_id: id });
    const wrong = code === '000000' ? '111111' : '000000';
    const later = new Date(now.getTime() + 60000);
    expect(await confirmVolunteerByCode(t.db, id, wrong, later)).toEqual({ ok: false, reason: 'wrong', triesLeft: 4 });
    expect(await confirmVolunteerByCode(t.db, id, ` ${code.slice(0, 3)} ${code.slice(3)} `, later)).toEqual({
      ok: true,
    });
    expect(await confirmVolunteerByCode(t.db, id, code, later)).toMatchObject({ ok: false, reason: 'gone' });
    const v = await t.db.selectFrom('volunteer').select('status').where('id', '=', id).executeTakeFirstOrThrow();
    expect(v.status).toBe('new');
    expect((await messagesFor('sms@example.org')).map((m) => m.kind)).toEqual([
      'volunteer_confirm_address',
      'volunteer_welcome',
    ]);
    // The emailed link is spent with it.
    const token = (await messagesFor('sms@example.org'))[0]!.payload.confirmToken as string;
    expect(await confirmVolunteer(t.db, token, later)).toBe('invalid');
  });

  it('sends the code again to the same phone: a minute apart, three codes in all, the old one no longer valid', async () => {
    const phone = '+393331234571';
    const outcome = await signUpVolunteer(t.db, form({ email: 'again@example.org', phone, locale: 'uk' }), now, {
      code: true,
    });
    const id = outcome.codeTo!.volunteerId;
    const first = await latestCodeFromOutbox(t.db, phone);
    const state = async () => ({
      volunteer: await t.db
        .selectFrom('volunteer')
        .select(['status', 'phone', 'confirm_token_hash'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow(),
      code: await t.db
        .selectFrom('verification_code')
        .select(['code_hash', 'sends', 'attempts', 'expires_at'])
        .where('volunteer_id', '=', id)
        .executeTakeFirst(),
      messages: await t.db
        .selectFrom('outbox')
        .select(['id', 'status'])
        .where('volunteer_id', '=', id)
        .orderBy('id')
        .execute(),
    });
    // At once: refused, with how long to wait; nothing changes, no message queued.
    const untouched = await state();
    expect(await resendVolunteerCode(t.db, id, new Date(now.getTime() + 10_000))).toEqual({
      ok: false,
      reason: 'too_soon',
      retryAfterSeconds: 50,
    });
    expect(await state()).toEqual(untouched);
    // A wrong try still counts after the new code.
    const wrong = first === '000000' ? '111111' : '000000';
    expect(await confirmVolunteerByCode(t.db, id, wrong, new Date(now.getTime() + 30_000))).toMatchObject({
      triesLeft: 4,
    });
    // A minute later: a new code by SMS to the same phone, in the sign-up's language, the first's
    // unsent message withdrawn (without its code), the expiry unchanged.
    const second = new Date(now.getTime() + 61_000);
    expect(await resendVolunteerCode(t.db, id, second)).toEqual({ ok: true });
    const sms = await t.db
      .selectFrom('outbox')
      .select(['status', 'channel', 'locale', 'payload', 'recipient'])
      .where('volunteer_id', '=', id)
      .where('kind', '=', 'verification_code')
      .orderBy('id')
      .execute();
    expect(sms.map((m) => [m.status, m.channel, m.locale, m.recipient])).toEqual([
      ['cancelled', 'sms', 'uk', phone],
      ['pending', 'sms', 'uk', phone],
    ]);
    expect(sms[0]!.payload).not.toHaveProperty('code');
    expect(sms[1]!.payload).toMatchObject({ minutes: 14 });
    const renewed = await latestCodeFromOutbox(t.db, phone);
    expect((await state()).code).toMatchObject({ sends: 2, attempts: 1, expires_at: untouched.code!.expires_at });
    // A third code a minute later; then no more (three in all), said as such, nothing changes.
    const third = new Date(now.getTime() + 122_000);
    expect(await resendVolunteerCode(t.db, id, third)).toEqual({ ok: true });
    const last = await latestCodeFromOutbox(t.db, phone);
    const spent = await state();
    expect(await resendVolunteerCode(t.db, id, new Date(now.getTime() + 200_000))).toEqual({
      ok: false,
      reason: 'no_more',
    });
    expect(await state()).toEqual(spent);
    // The earlier codes no longer work (each try counted); the last one confirms.
    const at = new Date(now.getTime() + 210_000);
    if (first !== last) expect(await confirmVolunteerByCode(t.db, id, first, at)).toMatchObject({ reason: 'wrong' });
    if (renewed !== last)
      expect(await confirmVolunteerByCode(t.db, id, renewed, at)).toMatchObject({ reason: 'wrong' });
    expect(await confirmVolunteerByCode(t.db, id, last, at)).toEqual({ ok: true });
    expect((await state()).volunteer.status).toBe('new');
    // Spent: nothing to send again.
    expect(await resendVolunteerCode(t.db, id, new Date(now.getTime() + 300_000))).toEqual({
      ok: false,
      reason: 'gone',
    });
  });

  it('sends the code again within its 15 minutes only, and to the phone a confirmed volunteer’s change gave', async () => {
    const phone = '+393331234572';
    const outcome = await signUpVolunteer(t.db, form({ email: 'late@example.org', phone }), now, { code: true });
    expect(await resendVolunteerCode(t.db, outcome.codeTo!.volunteerId, new Date(now.getTime() + 15 * 60000))).toEqual({
      ok: false,
      reason: 'gone',
    });
    // Confirmed with the link, then a new sign-up with this address and another mobile: the code
    // went to that mobile, and "send again" sends there too (the same answer as for a first sign-up).
    const token = (await messagesFor('late@example.org'))[0]!.payload.confirmToken as string;
    expect(await confirmVolunteer(t.db, token, now)).toBe('confirmed');
    const other = '+393331234573';
    const change = await signUpVolunteer(t.db, form({ email: 'late@example.org', phone: other }), now, { code: true });
    expect(change).toMatchObject({ status: 'change_sent', codeTo: { phone: other } });
    expect(await resendVolunteerCode(t.db, change.codeTo!.volunteerId, new Date(now.getTime() + 61_000))).toEqual({
      ok: true,
    });
    const sent = await t.db
      .selectFrom('outbox')
      .select(['recipient', 'status'])
      .where('volunteer_id', '=', change.codeTo!.volunteerId)
      .where('kind', '=', 'verification_code')
      .where('status', '=', 'pending')
      .execute();
    expect(sent).toEqual([{ recipient: other, status: 'pending' }]);
  });

  it('locks a code after five wrong tries and lets it lapse; the link still confirms', async () => {
    const phone = '+393331234568';
    const outcome = await signUpVolunteer(t.db, form({ email: 'locked@example.org', phone }), now, { code: true });
    const id = outcome.codeTo!.volunteerId;
    const code = await latestCodeFromOutbox(t.db, phone);
    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i++) await confirmVolunteerByCode(t.db, id, wrong, now);
    expect(await confirmVolunteerByCode(t.db, id, code, now)).toMatchObject({ ok: false, reason: 'locked' });
    const token = (await messagesFor('locked@example.org'))[0]!.payload.confirmToken as string;
    expect(await confirmVolunteer(t.db, token, now)).toBe('confirmed');
  });

  it('sends no code without a mobile phone, nor through the API; a code never applies a confirmed volunteer’s change', async () => {
    expect(
      await signUpVolunteer(t.db, form({ email: 'landline@example.org', phone: '+390212345678' }), now, { code: true }),
    ).toEqual({ status: 'confirmation_sent' });
    expect(await signUpVolunteer(t.db, form({ email: 'api@example.org', phone: '+393331234569' }), now)).toEqual({
      status: 'confirmation_sent',
    });
    // Giulia is confirmed; someone types her address and their own mobile: the same page (a code
    // went out), and the right code changes nothing until her address confirms.
    const before = await t.db
      .selectFrom('volunteer')
      .select(['name', 'phone', 'pending_details'])
      .where('email', '=', 'giulia@example.org')
      .executeTakeFirstOrThrow();
    const phone = '+393331234570';
    const outcome = await signUpVolunteer(t.db, form({ name: 'Intruder', email: 'giulia@example.org', phone }), now, {
      code: true,
    });
    expect(outcome).toMatchObject({ status: 'change_sent', codeTo: { phone } });
    const code = await latestCodeFromOutbox(t.db, phone);
    expect(await confirmVolunteerByCode(t.db, outcome.codeTo!.volunteerId, code, now)).toEqual({ ok: true });
    const after = await t.db
      .selectFrom('volunteer')
      .select(['name', 'phone'])
      .where('email', '=', 'giulia@example.org')
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ name: before.name, phone: before.phone });
  });
});

// Eight languages in the database (issue #14): the locale columns take every language the site
// speaks and still refuse what is not a language code, inside the statement that writes.
describe('locale columns', () => {
  const outboxRow = (locale: string) =>
    t.db
      .insertInto('outbox')
      .values({ kind: 'volunteer_confirm_address', recipient: `x.${locale}@example.org`, locale, payload: '{}' })
      .execute();
  const outboxCount = async () =>
    Number(
      (
        await t.db
          .selectFrom('outbox')
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('keep a sign-up in each of the site’s languages, with its email in that language', async () => {
    for (const locale of LOCALES) {
      const email = `rahima.${locale}@example.org`;
      expect(await signUpVolunteer(t.db, form({ name: 'Rahima', email, locale }), now)).toEqual({
        status: 'confirmation_sent',
      });
      const volunteer = await t.db
        .selectFrom('volunteer')
        .select('locale')
        .where('email', '=', email)
        .executeTakeFirstOrThrow();
      const [message] = await t.db.selectFrom('outbox').select('locale').where('recipient', '=', email).execute();
      expect([volunteer.locale, message?.locale]).toEqual([locale, locale]);
    }
  });

  it('refuse what is not a language code, writing nothing', async () => {
    const before = await outboxCount();
    for (const bad of ['', 'BN', 'bn-BD', 'bengali', "it'; --"])
      await expect(outboxRow(bad), bad).rejects.toThrow(/check/i);
    await outboxRow('uk');
    expect((await outboxCount()) - before).toBe(1);
  });
});
