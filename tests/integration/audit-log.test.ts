// The audit log as the staff read it (issue #15), on the real database (PGlite, or PostgreSQL with
// TEST_DATABASE_URL): rows read as sentences in Italian and English, not codes and JSON, and the
// filters by who, what and when return exactly the rows they name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { listAuditActors, listAuditLog } from '#/features/staff-accounts/audit-log.ts';
import { auditFacts, auditSentence } from '#/features/audit/audit-sentences.ts';
import { readAuditFilters } from '#/features/audit/audit-filters.ts';
import { getTranslator } from '#/lib/i18n.ts';

let t: TestDatabase;
let anna = 0;
let marco = 0;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, new Date('2026-11-24T08:00:00Z'));
  anna = await createUser(t.db, { email: 'anna@comune.example', displayName: 'Anna Rossi', role: 'admin' });
  marco = await createUser(t.db, {
    email: 'marco@comune.example',
    displayName: 'Marco Bianchi',
    role: 'coordinator',
    municipi: [8],
  });
  // Rows as writeAudit leaves them, at chosen times.
  const at = async (
    iso: string,
    entry: { actorUserId: number | null; action: string; subject: string | null; detail?: Record<string, unknown> },
  ) => {
    await t.db
      .insertInto('audit_log')
      .values({
        at: new Date(iso),
        actor_user_id: entry.actorUserId,
        action: entry.action,
        subject: entry.subject,
        detail: JSON.stringify(entry.detail ?? {}),
      })
      .execute();
  };
  await at('2026-12-01T09:00:00Z', {
    actorUserId: anna,
    action: 'event.publish',
    subject: 'event:festa-di-natale-2026',
    detail: { id: 3, from: 'submitted' },
  });
  await at('2026-12-02T09:00:00Z', {
    actorUserId: marco,
    action: 'campaign.window_cancel',
    subject: 'drop_off_point:quarto-oggiaro',
    detail: { window: 7 },
  });
  await at('2026-12-03T23:30:00Z', {
    actorUserId: marco,
    action: 'event.approve_change',
    subject: 'event:merenda-2026',
  });
  await at('2026-12-04T09:00:00Z', { actorUserId: null, action: 'something.new', subject: null });
});
afterAll(() => t.close());

describe(`the audit log (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('reads as sentences in the staff language', async () => {
    const { rows } = await listAuditLog(t.db, 1);
    const it_ = getTranslator('it');
    const en = getTranslator('en');
    expect(rows.map((r) => auditSentence(r, it_))).toEqual([
      'Il sistema: something.new',
      'Marco Bianchi ha approvato la modifica dell’evento merenda-2026',
      'Marco Bianchi ha annullato un giorno di raccolta a quarto-oggiaro',
      'Anna Rossi ha pubblicato l’evento festa-di-natale-2026',
    ]);
    expect(auditSentence(rows[3]!, en)).toBe('Anna Rossi published the event festa-di-natale-2026');
    expect(auditFacts(rows[3]!.detail)).toBe('id: 3 · from: submitted');
  });

  it('filters by who, what and when (Rome days, the last day whole)', async () => {
    const list = async (query: string) => {
      const { filters } = readAuditFilters(new URLSearchParams(query));
      return (await listAuditLog(t.db, 1, 50, filters)).rows.map((r) => r.action);
    };
    expect(await list(`chi=${marco}`)).toEqual(['event.approve_change', 'campaign.window_cancel']);
    expect(await list('cosa=event')).toEqual(['event.approve_change', 'event.publish']);
    expect(await list(`chi=${marco}&cosa=event`)).toEqual(['event.approve_change']);
    // 23:30 UTC on 3 December is already 4 December in Rome.
    expect(await list('dal=2026-12-02&al=2026-12-03')).toEqual(['campaign.window_cancel']);
    expect(await list('dal=04/12/2026')).toEqual(['something.new', 'event.approve_change']);
    expect(readAuditFilters(new URLSearchParams('dal=ieri')).badDate).toBe(true);
    expect(await list('cosa=nothing%25')).toHaveLength(4);
    expect((await listAuditActors(t.db)).map((a) => a.name)).toEqual(['Anna Rossi', 'Marco Bianchi']);
  });
});
