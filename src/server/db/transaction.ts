// Helpers shared by every repository that writes.
import type { Kysely } from 'kysely';
import type { Database, Db } from './database.ts';

/** What waits for a transaction of runInTransaction to commit (see afterCommit). */
const committing = new WeakMap<Db, (() => void)[]>();

/** How many times a transaction PostgreSQL cancelled to break a deadlock is run in all. */
const DEADLOCK_ATTEMPTS = 3;

/**
 * Runs `fn` in a transaction, or inside the caller's transaction when `db` already is one.
 *
 * A transaction PostgreSQL cancels to break a deadlock (40P01: two writers each waiting for a row the
 * other has locked, as when staff cancel a date while a family declines its offer on it) is rolled
 * back whole and run again: the other one has gone through by then. Everything `fn` does outside
 * the database waits for the commit (afterCommit), so running it again repeats nothing.
 */
export async function runInTransaction<T>(db: Db, fn: (trx: Db) => Promise<T>): Promise<T> {
  if (db.isTransaction) return fn(db);
  for (let attempt = 1; ; attempt++) {
    const onCommit: (() => void)[] = [];
    let result: T;
    try {
      result = await (db as Kysely<Database>).transaction().execute((trx) => {
        committing.set(trx, onCommit);
        return fn(trx);
      });
    } catch (error) {
      if (attempt >= DEADLOCK_ATTEMPTS || !isDeadlock(error)) throw error;
      console.warn(`[db] a transaction was cancelled by a deadlock: running it again (attempt ${attempt + 1})`);
      continue;
    }
    // The write is committed: a failing callback must not make its caller believe otherwise.
    for (const callback of onCommit) {
      try {
        callback();
      } catch (error) {
        console.error('[db] a callback after a commit failed:', error instanceof Error ? error.message : error);
      }
    }
    return result;
  }
}

/** PostgreSQL's deadlock_detected (40P01). */
export function isDeadlock(error: unknown): boolean {
  return (error as { code?: string } | undefined)?.code === '40P01';
}

/**
 * Runs `callback` once what `db` wrote is committed: at once outside a transaction, after the
 * commit inside one of runInTransaction (never after a rollback). Answers false, running nothing,
 * inside a transaction started elsewhere, whose commit it cannot see.
 */
export function afterCommit(db: Db, callback: () => void): boolean {
  if (!db.isTransaction) {
    callback();
    return true;
  }
  const onCommit = committing.get(db);
  if (!onCommit) return false;
  onCommit.push(callback);
  return true;
}

/** PostgreSQL's unique_violation (23505), optionally on one named constraint. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = error as { code?: string; constraint?: string; message?: string } | undefined;
  if (e?.code !== '23505') return false;
  return !constraint || e.constraint === constraint || Boolean(e.message?.includes(constraint));
}
