// PGlite with named prepared statements. PGlite's own `query` sends every statement as an unnamed
// one in five protocol calls into its WebAssembly (Parse, Describe, Bind, Describe, Execute, then
// Sync), so the embedded server parses, analyses and plans each statement again every time. Here a
// statement is parsed once per database handle under a name (Parse + Describe, kept with its
// parameter types and row description), and each run is ONE call: Bind + Execute + Sync. The site
// sends the same few dozen statement texts over and over (Kysely compiles the same shape to the same
// SQL), so this saves the parse and, after PostgreSQL's first five custom plans, the planning.
//
// Kysely's PGliteDialect gets an object with PGlite's `query` and `transaction` (all it uses); the
// locking is PGlite's own: a statement outside a transaction waits for any transaction and then
// for the statement in flight, one inside a transaction only for the statement in flight, exactly
// as PGlite's `query` and its transaction's `query` do.
import { PGlite, parse as results, protocol } from '@electric-sql/pglite';
import type { PGliteDialectConfig } from 'kysely';
import { isStalePlan, nameableEmbedded } from './prepared-statements.ts';

type Results = { rows: unknown[]; affectedRows?: number; fields: { name: string; dataTypeID: number }[] };
type BackendMessage = { name: string; dataTypeIDs?: number[] };
type Prepared = { name: string; paramTypes: number[]; rowDescription: BackendMessage | undefined };
type Transaction = Parameters<Parameters<PGlite['transaction']>[0]>[0];

/** Statements kept per handle; past it the least recently used is closed (the site uses ~100). */
export const PREPARED_LIMIT = 500;

export function preparedPGlite(pglite: PGlite): PGliteDialectConfig['pglite'] {
  const { serialize } = protocol;
  const kept = new Map<string, Prepared>();
  // Names of statements forgotten since the last call: closed in the next message sent.
  const toClose: string[] = [];
  let counter = 0;

  function forget(text: string): void {
    const entry = kept.get(text);
    if (!entry) return;
    kept.delete(text);
    toClose.push(entry.name);
  }

  function closing(): Uint8Array[] {
    return toClose.splice(0).map((name) => serialize.close({ type: 'S', name }));
  }

  async function send(message: Uint8Array): Promise<BackendMessage[]> {
    return (await pglite.execProtocolStream(message, { syncToFs: false })) as BackendMessage[];
  }

  async function prepare(text: string): Promise<Prepared> {
    const name = `qubi_${(counter++).toString(36)}`;
    const answer = await send(
      Buffer.concat([
        ...closing(),
        serialize.parse({ name, text }),
        serialize.describe({ type: 'S', name }),
        serialize.sync(),
      ]),
    );
    const parameters = answer.find((message) => message.name === 'parameterDescription');
    const entry: Prepared = {
      name,
      paramTypes: parameters?.dataTypeIDs ?? [],
      rowDescription: answer.find((message) => message.name === 'rowDescription'),
    };
    kept.set(text, entry);
    if (kept.size > PREPARED_LIMIT) forget(kept.keys().next().value as string);
    return entry;
  }

  async function run(text: string, params: unknown[]): Promise<Results> {
    let entry = kept.get(text);
    if (entry) {
      // Most recently used last: the Map's first key is the one to drop.
      kept.delete(text);
      kept.set(text, entry);
    } else {
      entry = await prepare(text);
    }
    const { paramTypes } = entry;
    const values = params.map((value, index) => {
      if (value == null) return null;
      const serializer = pglite.serializers[paramTypes[index]!];
      return serializer ? serializer(value) : String(value);
    });
    let answer;
    try {
      answer = await send(
        Buffer.concat([
          ...closing(),
          serialize.bind({ statement: entry.name, values: values as string[] }),
          serialize.execute({}),
          serialize.sync(),
        ]),
      );
    } catch (error) {
      if (isStalePlan(error)) forget(text);
      throw error;
    }
    const messages = entry.rowDescription ? [entry.rowDescription, ...answer] : answer;
    return results.parseResults(messages as never, pglite.parsers, { rowMode: 'object' })[0] as Results;
  }

  /** A kept statement, under PGlite's statement lock; `inTransaction`: no file sync after it. */
  function statement(text: string, params: unknown[] = [], inTransaction: boolean): Promise<Results> {
    return pglite._runExclusiveQuery(async () => {
      const answer = await run(text, params);
      if (!inTransaction) await pglite.syncToFs();
      return answer;
    });
  }

  async function outside(text: string, params?: unknown[], retried = false): Promise<Results> {
    if (!nameableEmbedded(text)) return pglite.query(text, params, { rowMode: 'object' }) as Promise<Results>;
    await pglite._checkReady();
    try {
      return await pglite._runExclusiveTransaction(() => statement(text, params, false));
    } catch (error) {
      // Outside a transaction a stale plan is simply tried again, once, freshly parsed.
      if (!retried && isStalePlan(error)) return outside(text, params, true);
      throw error;
    }
  }

  return {
    get closed() {
      return pglite.closed;
    },
    get ready() {
      return pglite.ready;
    },
    get waitReady() {
      return pglite.waitReady;
    },
    close: () => pglite.close(),
    query: ((text: string, params?: unknown[]) => outside(text, params)) as never,
    transaction: ((callback: (tx: unknown) => Promise<unknown>) =>
      pglite.transaction((tx: Transaction) =>
        callback({
          rollback: () => tx.rollback(),
          query: (text: string, params?: unknown[]) =>
            nameableEmbedded(text) ? statement(text, params, true) : tx.query(text, params, { rowMode: 'object' }),
        }),
      )) as never,
  };
}
