// The outbox's nudge to the worker comes after the commit of the transaction that queued the
// message (src/server/db/transaction.ts afterCommit), so the worker can send at once instead of
// waiting for the row to become visible. Runs on PGlite and, with TEST_DATABASE_URL, on PostgreSQL,
// where another connection sees a row only once it is committed.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { afterCommit, runInTransaction } from '#/server/db/transaction.ts';
import { enqueueMessage, onMessageQueued, type NewMessage } from '#/server/mail/outbox.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 4 });
});
afterAll(() => t.close());

const message = (recipient: string): NewMessage => ({
  kind: 'verification_code',
  channel: 'sms',
  recipient,
  locale: 'it',
  payload: { code: '123456' },
});

/** Outbox rows to `recipient` that a new query (another connection on PostgreSQL) can see. */
const visibleRows = async (recipient: string) =>
  Number(
    (
      await t.db
        .selectFrom('outbox')
        .select(sql<number>`count(*)`.as('n'))
        .where('recipient', '=', recipient)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('afterCommit', () => {
  it('runs after the commit, once, and never after a rollback', async () => {
    const seen: string[] = [];
    await runInTransaction(t.db, async (trx) => {
      expect(afterCommit(trx, () => seen.push('first'))).toBe(true);
      // A nested call shares the outer transaction: its callbacks wait for the outer commit.
      await runInTransaction(trx, async (inner) => void afterCommit(inner, () => seen.push('nested')));
      expect(seen).toEqual([]);
    });
    expect(seen).toEqual(['first', 'nested']);

    await expect(
      runInTransaction(t.db, async (trx) => {
        afterCommit(trx, () => seen.push('rolled back'));
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(seen).toEqual(['first', 'nested']);
  });

  it('answers the committed result even when a callback after the commit fails', async () => {
    const seen: string[] = [];
    const result = await runInTransaction(t.db, async (trx) => {
      afterCommit(trx, () => {
        throw new Error('listener broke');
      });
      afterCommit(trx, () => seen.push('next one still runs'));
      return 'committed';
    });
    expect(result).toBe('committed');
    expect(seen).toEqual(['next one still runs']);
  });

  it('runs at once outside a transaction, and declines one it did not start', async () => {
    const seen: string[] = [];
    expect(afterCommit(t.db, () => seen.push('now'))).toBe(true);
    expect(seen).toEqual(['now']);
    await t.db.transaction().execute(async (trx) => {
      expect(afterCommit(trx, () => seen.push('never'))).toBe(false);
    });
    expect(seen).toEqual(['now']);
  });
});

describe('the outbox nudge', () => {
  it('comes once the queued row is committed and visible, telling the worker it may send at once', async () => {
    const nudges: { committed: boolean; visible: Promise<number> }[] = [];
    const recipient = '+393331110001';
    const unsubscribe = onMessageQueued((committed) => nudges.push({ committed, visible: visibleRows(recipient) }));
    try {
      await runInTransaction(t.db, async (trx) => {
        await enqueueMessage(trx, message(recipient));
        expect(nudges).toEqual([]);
      });
      expect(nudges).toHaveLength(1);
      expect(nudges[0]!.committed).toBe(true);
      expect(await nudges[0]!.visible).toBe(1);
    } finally {
      unsubscribe();
    }
  });

  it('is not sent for a message whose transaction rolled back', async () => {
    const nudges: boolean[] = [];
    const recipient = '+393331110002';
    const unsubscribe = onMessageQueued((committed) => nudges.push(committed));
    try {
      await expect(
        runInTransaction(t.db, async (trx) => {
          await enqueueMessage(trx, message(recipient));
          throw new Error('slot full');
        }),
      ).rejects.toThrow('slot full');
      expect(nudges).toEqual([]);
      expect(await visibleRows(recipient)).toBe(0);
    } finally {
      unsubscribe();
    }
  });

  it('comes at once, marked uncommitted, inside a transaction started elsewhere', async () => {
    const nudges: boolean[] = [];
    const unsubscribe = onMessageQueued((committed) => nudges.push(committed));
    try {
      await t.db.transaction().execute(async (trx) => {
        await enqueueMessage(trx, message('+393331110003'));
        expect(nudges).toEqual([false]);
      });
      await enqueueMessage(t.db, message('+393331110004'));
      expect(nudges).toEqual([false, true]);
    } finally {
      unsubscribe();
    }
  });
});
