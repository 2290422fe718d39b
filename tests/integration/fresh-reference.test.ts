// A reference drawn that another row already has is drawn again, inside the same transaction,
// instead of aborting it with a unique violation (insertUnderFreshReference, src/features/booking/
// reference.ts), proven here on a real table against PGlite and PostgreSQL. Its callers (a
// waiting-list entry, the sign-up of an accepted offer, the booking of an accepted desk offer) pass
// it an insert with ON CONFLICT (reference) DO NOTHING; the waiting-list tests run those inserts,
// where a conflict target without a unique index would fail.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { insertPartyEvent } from '../support/party-event.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { generateReference, insertUnderFreshReference } from '#/features/booking/reference.ts';

let t: TestDatabase;
const now = new Date();

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, now);
});
afterAll(() => t.close());

/** Draws `first` while it is offered, then fresh references; counts the draws. */
function drawsTaken(...first: string[]) {
  const draws: string[] = [];
  const draw = (prefix: string) => {
    const next = first[draws.length] ?? generateReference(prefix);
    draws.push(next);
    return next;
  };
  return { draw, draws };
}

describe('a new row under a reference already taken', () => {
  it('is written under the next one drawn, in the same transaction, which then commits', async () => {
    const event = await insertPartyEvent(t.db, {
      slug: 'festa-riferimenti',
      startsAt: new Date(now.getTime() + 864e5),
      seats: 10,
    });
    const entry = (reference: string) =>
      ({ reference, event_id: event.id, adults: 1, seats: 1, phone: '+393470000001', locale: 'it' }) as const;
    await t.db
      .insertInto('wait_entry')
      .values([entry('QW-TAKE-N1'), entry('QW-TAKE-N2')])
      .execute();

    const { draw, draws } = drawsTaken('QW-TAKE-N1', 'QW-TAKE-N2');
    const row = await runInTransaction(t.db, async (trx) => {
      const inserted = await insertUnderFreshReference(
        'QW',
        (reference) =>
          trx
            .insertInto('wait_entry')
            .values(entry(reference))
            .onConflict((oc) => oc.column('reference').doNothing())
            .returning(['id', 'reference'])
            .executeTakeFirst(),
        draw,
      );
      // The transaction is still usable after the two references that were taken.
      await trx.updateTable('wait_entry').set({ name: 'Famiglia Rossi' }).where('id', '=', inserted.id).execute();
      return inserted;
    });
    expect(draws).toHaveLength(3);
    expect(row.reference).toBe(draws[2]);
    const written = await t.db
      .selectFrom('wait_entry')
      .select(['reference', 'name'])
      .where('event_id', '=', event.id)
      .orderBy('id')
      .execute();
    expect(written).toEqual([
      { reference: 'QW-TAKE-N1', name: null },
      { reference: 'QW-TAKE-N2', name: null },
      { reference: draws[2], name: 'Famiglia Rossi' },
    ]);
  });

  it('gives up with an error after five references taken, rather than looping', async () => {
    let tries = 0;
    await expect(
      insertUnderFreshReference(
        'QE',
        async () => (tries++, undefined),
        () => 'QE-TAKE-N1',
      ),
    ).rejects.toThrow('five QE references drawn were all taken');
    expect(tries).toBe(5);
  });
});
