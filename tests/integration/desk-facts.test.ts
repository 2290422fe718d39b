// A desk's facts for families (issue #14) on PGlite and PostgreSQL: the seed writes them (marked
// sample), the list filters on them, staff's change is one audited write that confirms them, and
// the database itself refuses what the form would: a language that is not a code, a mediator on
// day 8, a latitude without its longitude. A production seed writes no desk at all.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { getDeskBySlug, listDesks, listDeskLanguages } from '#/features/desks/desks.ts';
import { updateDeskFacts } from '#/features/desks/desk-facts.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db);
});
afterAll(() => t.close());

describe('desk facts', () => {
  it('are seeded as sample values and filter the list', async () => {
    const desk = (await getDeskBySlug(t.db, 'quarto-oggiaro'))!;
    expect(desk.facts).toMatchObject({
      languages: ['it', 'en', 'ar'],
      mediatorWeekdays: [2],
      stepFree: true,
      isSample: true,
      coordinates: { latitude: 45.5137, longitude: 9.1371 },
    });
    expect(await listDeskLanguages(t.db)).toEqual(['ar', 'en', 'es', 'it', 'zh']);
    expect((await listDesks(t.db, { language: 'es' })).map((d) => d.slug)).toEqual(['gallaratese']);
    expect((await listDesks(t.db, { stepFree: true, language: 'zh' })).map((d) => d.slug)).toEqual([]);
  });

  it('change in one audited write that confirms them; a new Italian text drops the old translations', async () => {
    const desk = (await getDeskBySlug(t.db, 'villapizzone'))!;
    const admin = await t.db
      .insertInto('app_user')
      .values({
        email: 'facts@example.org',
        display_name: 'Facts',
        role: 'admin',
        organisation_id: null,
        password_hash: null,
        totp_secret: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const kept = desk.facts.whatToBring!.it;
    await updateDeskFacts(
      t.db,
      desk.id,
      {
        languages: ['it', 'bn'],
        mediatorWeekdays: [],
        stepFree: true,
        whatToBring: kept,
        transit: null,
        coordinates: null,
      },
      { actorUserId: admin.id },
    );
    let after = (await getDeskBySlug(t.db, 'villapizzone'))!.facts;
    expect(after).toMatchObject({ languages: ['it', 'bn'], stepFree: true, coordinates: null, isSample: false });
    // The same Italian text keeps its translations.
    expect(after.whatToBring?.en).toBe(desk.facts.whatToBring!.en);
    await updateDeskFacts(
      t.db,
      desk.id,
      { ...after, whatToBring: 'Il codice fiscale.', coordinates: null },
      { actorUserId: admin.id },
    );
    after = (await getDeskBySlug(t.db, 'villapizzone'))!.facts;
    expect(after.whatToBring).toEqual({ it: 'Il codice fiscale.' });
    const audit = await t.db
      .selectFrom('audit_log')
      .select(['action', 'subject'])
      .where('action', '=', 'desk.facts_changed')
      .execute();
    expect(audit).toEqual([
      { action: 'desk.facts_changed', subject: `desk:${desk.id}` },
      { action: 'desk.facts_changed', subject: `desk:${desk.id}` },
    ]);
  });

  it('are guarded by the database itself', async () => {
    const refused = async (set: string) =>
      expect(sql.raw(`UPDATE desk SET ${set} WHERE slug = 'gallaratese'`).execute(t.db)).rejects.toThrow(/check/i);
    await refused(`languages = '{Arabic}'`);
    await refused(`languages = '{}'`);
    await refused(`mediator_weekdays = '{8}'`);
    await refused(`latitude = 45.5, longitude = NULL`);
    await refused(`latitude = 91, longitude = 9`);
    await refused(`transit = ''`);
    expect((await getDeskBySlug(t.db, 'gallaratese'))!.facts.languages).toEqual(['it', 'es']);
  });
});

describe('a production seed', () => {
  it('writes the municipi and nothing else', async () => {
    const empty = await createTestDatabase();
    try {
      await seedDatabase(empty.db, new Date(), { samples: false });
      const count = async (table: 'municipio' | 'network' | 'desk' | 'event' | 'campaign' | 'organisation') =>
        Number(
          (
            await empty.db
              .selectFrom(table)
              .select((eb) => eb.fn.countAll<string>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      expect(await count('municipio')).toBe(9);
      for (const table of ['network', 'desk', 'event', 'campaign', 'organisation'] as const)
        expect(await count(table), table).toBe(0);
    } finally {
      await empty.close();
    }
  });
});
