// The statements that run for every message and every delivery receipt read the rows they need
// through an index, on an outbox of the size a busy season leaves (sent messages kept until their
// booking is erased, reminders queued for the coming weeks). Their plans are read as PostgreSQL
// runs a prepared statement after its first five runs (the generic plan: parameters unknown),
// which is how both databases run them here (src/server/db/pglite-prepared.ts, pg-prepared.ts).
// On the embedded database, which has no autovacuum, statistics come from analyzeGrownTables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql, type CompiledQuery } from 'kysely';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from '../support/db.ts';
import { claimStatement } from '#/server/mail/worker.ts';
import { receiptStatement } from '#/server/sms/receipts.ts';
import { analyzeGrownTables, keepStatisticsFresh } from '#/server/db/embedded-statistics.ts';

const SENT = 8000;
const REMINDERS = 1000;
let t: TestDatabase;
let analyzedFirst: string[];
const now = new Date();

beforeAll(async () => {
  t = await createTestDatabase();
  await sql`
    INSERT INTO outbox (kind, channel, recipient, locale, payload, status, send_after, sent_at, provider_message_id)
    SELECT CASE WHEN g % 3 = 0 THEN 'booking_confirmation' ELSE 'verification_code' END, 'sms',
           '+39333' || (1000000 + g), 'it', '{}'::jsonb, 'sent', ${now}::timestamptz - interval '1 day',
           ${now}::timestamptz - interval '1 day', 'centre-' || g
      FROM generate_series(1, ${SENT}::int) AS g`.execute(t.db);
  await sql`
    INSERT INTO outbox (kind, channel, recipient, locale, payload, status, send_after)
    SELECT 'booking_reminder', 'sms', '+39334' || (1000000 + g), 'it', '{}'::jsonb, 'pending',
           ${now}::timestamptz + interval '7 days'
      FROM generate_series(1, ${REMINDERS}::int) AS g`.execute(t.db);
  await sql`
    INSERT INTO outbox (kind, channel, recipient, locale, payload, status, send_after)
    VALUES ('verification_code', 'sms', '+393350000001', 'it', '{}'::jsonb, 'pending', ${now}::timestamptz),
           ('booking_confirmation', 'sms', '+393350000002', 'it', '{}'::jsonb, 'pending', ${now}::timestamptz)`.execute(
    t.db,
  );
  analyzedFirst = await analyzeGrownTables(t.db);
});
afterAll(() => t.close());

type PlanNode = {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
};

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return `${typeOf(value[0])}[]`;
  if (value instanceof Date) return 'timestamptz';
  if (typeof value === 'number') return 'int';
  if (typeof value === 'boolean') return 'boolean';
  return 'text';
}

function literal(value: unknown): string {
  if (Array.isArray(value)) return `ARRAY[${value.map(literal).join(', ')}]::${typeOf(value)}`;
  if (value instanceof Date) return `'${value.toISOString()}'`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return `'${String(value).replaceAll("'", "''")}'`;
}

/**
 * Runs `query` under EXPLAIN ANALYZE as a prepared statement with its generic plan, in a
 * transaction rolled back after (an UPDATE explained is an UPDATE run); answers the plan's nodes.
 */
async function genericPlan(query: CompiledQuery, db = t.db): Promise<PlanNode[]> {
  const rollback = new Error('rollback');
  let nodes: PlanNode[] = [];
  const name = `plan_${Math.random().toString(36).slice(2)}`;
  await db
    .transaction()
    .execute(async (trx) => {
      await sql`SET LOCAL plan_cache_mode = force_generic_plan`.execute(trx);
      const types = query.parameters.map(typeOf).join(', ');
      await sql.raw(`PREPARE ${name} (${types}) AS ${query.sql}`).execute(trx);
      const args = query.parameters.map(literal).join(', ');
      const { rows } = await sql
        .raw<{ 'QUERY PLAN': unknown }>(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE ${name} (${args})`)
        .execute(trx);
      await sql.raw(`DEALLOCATE ${name}`).execute(trx);
      const json = rows[0]!['QUERY PLAN'];
      const plan = (typeof json === 'string' ? JSON.parse(json) : json) as { Plan: PlanNode }[];
      const walk = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(walk)];
      nodes = walk(plan[0]!.Plan);
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
  return nodes;
}

/** Rows of the outbox the plan read: those it returned and those it read and left out. */
function outboxRowsRead(nodes: PlanNode[]): number {
  return nodes
    .filter((node) => node['Relation Name'] === 'outbox')
    .reduce(
      (sum, node) =>
        sum + (node['Actual Rows'] ?? 0) * (node['Actual Loops'] ?? 1) + (node['Rows Removed by Filter'] ?? 0),
      0,
    );
}

const seqScans = (nodes: PlanNode[]) =>
  nodes.filter((node) => node['Node Type'] === 'Seq Scan' && node['Relation Name'] === 'outbox');

describe('the outbox, with 8,000 sent messages and 1,000 reminders queued for next week', () => {
  it('analyzeGrownTables took the statistics of the outbox, and finds nothing more to do after', async () => {
    // (On PostgreSQL, autovacuum may have been first: then the outbox is not in the list.)
    if (!testDatabaseUrl) expect(analyzedFirst).toContain('outbox');
    const { rows } = await sql<{ reltuples: number }>`
      SELECT reltuples FROM pg_class WHERE oid = 'outbox'::regclass`.execute(t.db);
    expect(Number(rows[0]!.reltuples)).toBeGreaterThanOrEqual(SENT + REMINDERS);
    expect(await analyzeGrownTables(t.db)).toEqual([]);
  });

  it('the worker claims the two due messages reading a handful of rows, not the queue', async () => {
    const nodes = await genericPlan(claimStatement(t.db, now, 20).compile());
    expect(seqScans(nodes)).toEqual([]);
    // The two due messages, each read from its index and then updated: no reminder is read.
    expect(outboxRowsRead(nodes)).toBeLessThan(20);
  });

  it('a burst of 20 delivery receipts finds its 20 messages through their index', async () => {
    const receipts = Array.from({ length: 20 }, (_, i) => ({
      providerMessageId: `centre-${1 + i * 397}`,
      delivered: true,
      state: 'DELIVRD',
    }));
    const nodes = await genericPlan(receiptStatement(receipts, now).compile(t.db));
    expect(seqScans(nodes)).toEqual([]);
    expect(nodes.some((node) => node['Index Name'] === 'outbox_provider_message_idx')).toBe(true);
    expect(outboxRowsRead(nodes)).toBeLessThan(100);
  });
});

const burst = (ids: number[]) =>
  ids.map((n) => ({ providerMessageId: `centre-${n}`, delivered: true, state: 'DELIVRD' }));

describe('the outbox analyzed while its messages were queued, then sent', () => {
  // As a fresh database under load has it (the bench's): the last statistics saw the messages
  // pending, with no provider id yet, so they say no row is sent. Planned from them alone, the
  // receipts' join read the whole outbox once for each receipt of the burst.
  let q: TestDatabase;
  beforeAll(async () => {
    q = await createTestDatabase();
    await sql`
      INSERT INTO outbox (kind, channel, recipient, locale, payload, status, send_after)
      SELECT 'verification_code', 'sms', '+39333' || (1000000 + g), 'it', '{}'::jsonb, 'pending', ${now}::timestamptz
        FROM generate_series(1, 4000) AS g`.execute(q.db);
    await sql`ANALYZE outbox`.execute(q.db);
    await sql`
      UPDATE outbox SET status = 'sent', sent_at = ${now}::timestamptz,
             provider_message_id = 'centre-' || (substr(recipient, 7)::int - 1000000)`.execute(q.db);
  });
  afterAll(() => q.close());

  it('a burst of 20 delivery receipts still finds its messages through their index', async () => {
    const nodes = await genericPlan(
      receiptStatement(burst(Array.from({ length: 20 }, (_, i) => 1 + i * 199)), now).compile(q.db),
      q.db,
    );
    expect(seqScans(nodes)).toEqual([]);
    expect(nodes.some((node) => node['Index Name'] === 'outbox_provider_message_idx')).toBe(true);
    expect(outboxRowsRead(nodes)).toBeLessThan(100);
  });

  it('marks each message of the burst once, and answers which it found', async () => {
    const { rows } = await receiptStatement([...burst([7, 8]), ...burst([999999])], now).execute(q.db);
    expect(rows.map((r) => r.provider_message_id).sort()).toEqual(['centre-7', 'centre-8']);
    const marked = await sql<{ provider_message_id: string; status: string }>`
      SELECT provider_message_id, status FROM outbox WHERE status = 'delivered' ORDER BY provider_message_id`.execute(
      q.db,
    );
    expect(marked.rows).toEqual([
      { provider_message_id: 'centre-7', status: 'delivered' },
      { provider_message_id: 'centre-8', status: 'delivered' },
    ]);
  });
});

describe('keepStatisticsFresh', () => {
  it('checks every interval, says what it analyzed, and nothing once it is done', async () => {
    await sql`
      INSERT INTO rate_limit (key, window_started_at, hits)
      SELECT 'plans-test:' || g, ${now}::timestamptz, 1 FROM generate_series(1, 5000) AS g`.execute(t.db);
    const lines: string[] = [];
    const statistics = keepStatisticsFresh(t.db, { intervalMs: 50, log: (line) => lines.push(line) });
    try {
      expect(await statistics.nextCheck()).toEqual(['rate_limit']);
      expect(await statistics.nextCheck()).toEqual([]);
    } finally {
      await statistics.stop();
    }
    expect(lines).toEqual(['[statistics] analyzed rate_limit']);
  });
});
