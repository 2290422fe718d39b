// npm run bench:sms — does the outbox worker keep up with SMS_TPS? Queues N verification codes to
// distinct phones, then one worker (as in `npm start`) sends them through the SMPP transport to a
// real SMPP server in this process (the `smpp` package's server, as in tests/integration/sms-smpp),
// which answers each submit_sm at once and sends a delivery receipt. Reports the rate achieved
// against the rate asked for, and how long until every receipt was recorded.
//
//   node scripts/bench-sms.ts [--tps 100] [--messages 1000] [--database memory|<postgres url>]
import { parseArgs } from 'node:util';
import { openDatabase } from '#/server/db/connection.ts';
import { migrateToLatest } from '#/server/db/migrate.ts';
import { enqueueMessage } from '#/server/mail/outbox.ts';
import { startWorker } from '#/server/mail/worker.ts';
import { createSmppSender } from '#/server/sms/smpp-sender.ts';
import { workerFeatures } from '#/messages/index.ts';
import { startSmppServer } from '../tests/support/smpp-server.ts';

const { values } = parseArgs({
  options: {
    tps: { type: 'string', default: '100' },
    messages: { type: 'string', default: '1000' },
    database: { type: 'string', default: 'memory' },
  },
});
const tps = Number(values.tps);
const count = Number(values.messages);

const db = await openDatabase(
  values.database === 'memory' ? { kind: 'pglite', dataDir: 'memory' } : { kind: 'postgres', url: values.database },
);
await migrateToLatest(db);
await db.deleteFrom('outbox').execute();
await db.deleteFrom('sms_day').execute();
const server = await startSmppServer();
server.autoReceipt = true;
const sender = createSmppSender({ url: server.url, from: 'QuBi', tps, log: () => {} });

for (let i = 0; i < count; i++)
  await enqueueMessage(db, {
    kind: 'verification_code',
    channel: 'sms',
    recipient: `+39333${String(1_000_000 + i).slice(-7)}`,
    locale: i % 5 === 0 ? 'ar' : 'it',
    payload: { code: String(100_000 + (i % 900_000)) },
  });

const worker = startWorker({
  db,
  mailer: { send: async () => {} },
  sms: sender,
  features: workerFeatures(),
  intervalMs: 0,
  origin: () => 'https://qubi.comune.milano.it',
  smsDailyLimit: 10_000_000,
  batchSize: Math.max(20, tps),
  log: () => {},
});
const started = performance.now();
const result = await worker.runOnce();
const sentMs = performance.now() - started;
const delivered = async () =>
  Number(
    (
      await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('status', '=', 'delivered')
        .executeTakeFirstOrThrow()
    ).n,
  );
while ((await delivered()) < count && performance.now() - started < sentMs + 30_000)
  await new Promise((resolve) => setTimeout(resolve, 50));
const receiptsMs = performance.now() - started;
const achieved = (result.sent / sentMs) * 1000;

console.log(
  [
    `SMS worker against an in-process SMPP server, ${values.database === 'memory' ? 'embedded database' : 'PostgreSQL'}:`,
    `  ${result.sent} of ${count} sent (${result.failed} failed) in ${(sentMs / 1000).toFixed(2)} s: ${achieved.toFixed(1)} messages/s for SMS_TPS=${tps} (${((achieved / tps) * 100).toFixed(0)} %)`,
    `  submits received: ${server.submits.length}; all ${await delivered()} receipts recorded after ${(receiptsMs / 1000).toFixed(2)} s`,
  ].join('\n'),
);
await worker.stop();
await sender.close();
await server.stop();
await db.destroy();
