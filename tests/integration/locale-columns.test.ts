// Eight languages in the database (issue #14): the locale columns take every language the site
// speaks — a Bengali volunteer's row and its email, a Ukrainian message — and still refuse what is
// not a language code, inside the statement that writes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { volunteerSchema } from '#/features/volunteers/vocabulary.ts';
import { signUpVolunteer } from '#/features/volunteers/volunteers.ts';
import { LOCALES } from '#/lib/locales.ts';

let t: TestDatabase;
const now = new Date('2026-11-24T10:00:00Z');
beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, now);
});
afterAll(() => t.close());

const form = (locale: string, email: string) =>
  volunteerSchema.parse({
    name: 'Rahima',
    email,
    phone: '',
    municipi: ['8'],
    skills: ['translation'],
    languages: ['bn', 'it'],
    availability: [],
    note: '',
    locale,
    consent: true,
  });

const outboxRow = (locale: string) =>
  t.db
    .insertInto('outbox')
    .values({ kind: 'volunteer_confirm_address', recipient: `x.${locale}@example.org`, locale, payload: '{}' })
    .execute();

describe('locale columns', () => {
  it('keep a sign-up in each of the site’s languages, with its email in that language', async () => {
    for (const locale of LOCALES) {
      const email = `rahima.${locale}@example.org`;
      expect(await signUpVolunteer(t.db, form(locale, email), now)).toEqual({ status: 'confirmation_sent' });
      const volunteer = await t.db
        .selectFrom('volunteer')
        .select('locale')
        .where('email', '=', email)
        .executeTakeFirstOrThrow();
      const message = await t.db
        .selectFrom('outbox')
        .select('locale')
        .where('recipient', '=', email)
        .executeTakeFirstOrThrow();
      expect([volunteer.locale, message.locale]).toEqual([locale, locale]);
    }
  });

  it('refuse what is not a language code, writing nothing', async () => {
    const before = await t.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    for (const bad of ['', 'BN', 'bn-BD', 'bengali', "it'; --"])
      await expect(outboxRow(bad), bad).rejects.toThrow(/check/i);
    await outboxRow('uk');
    const after = await t.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n) - Number(before.n)).toBe(1);
  });
});
