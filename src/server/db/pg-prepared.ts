// Named prepared statements for `pg`. Given a `name`, node-postgres parses a statement once per
// connection and afterwards sends only Bind/Describe/Execute, so the PostgreSQL server skips the
// parse and analysis of every repeat and, after its first five custom plans, usually the planning
// too (it shares the machine's cores with the site). Kysely's PostgresDialect calls
// `client.query(text, values)`; each pooled client's `query` is wrapped once, when it connects.
import type pg from 'pg';
import { isStalePlan, NAMEABLE } from './prepared-statements.ts';

/** Names given per connection; past it new texts go unnamed (the site uses ~100). */
export const NAMED_LIMIT = 500;

type Query = (...args: unknown[]) => unknown;

export function nameStatements(client: pg.PoolClient): void {
  const names = new Map<string, string>();
  let counter = 0;
  const query = client.query.bind(client) as Query;
  (client as unknown as { query: Query }).query = (...args: unknown[]) => {
    const [text, values] = args;
    // Only Kysely's form (text and an array of values, no callback) is named; anything else as is.
    if (typeof text !== 'string' || !Array.isArray(values) || args.length !== 2 || !NAMEABLE.test(text)) {
      return query(...args);
    }
    return run(text, values, false);
  };

  function run(text: string, values: unknown[], retried: boolean): Promise<unknown> {
    let name = names.get(text);
    if (!name) {
      // Counted by names given, not kept: a stale one stays on the server until the connection ends.
      if (counter >= NAMED_LIMIT) return query(text, values) as Promise<unknown>;
      name = `qubi_${(counter++).toString(36)}`;
      names.set(text, name);
    }
    const named = name;
    return (query({ name: named, text, values }) as Promise<unknown>).catch((error: unknown) => {
      if (!isStalePlan(error)) throw error;
      if (names.get(text) === named) names.delete(text);
      // Outside a transaction ('I': idle once it failed) it is simply tried again, once, freshly parsed.
      if (!retried && client.getTransactionStatus() === 'I') return run(text, values, true);
      throw error;
    });
  }
}
