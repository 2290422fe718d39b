// `npm run worker`: the outbox worker on its own (emails, retries, hourly erasure of expired
// personal data), for PostgreSQL deployments. Start the web instances with WORKER=off, or keep
// their workers too: claims never collide. With the embedded database the worker runs inside
// `npm start`, because one PGlite folder can be opened by one process only.
import path from 'node:path';
import { configOrExit } from './config-or-exit.ts';

const config = configOrExit();
if (!config.databaseUrl) {
  console.error(
    'npm run worker needs DATABASE_URL (PostgreSQL). With the embedded database the worker already runs inside `npm start`.',
  );
  process.exit(1);
}

const { openDatabase, targetFromConfig } = await import('#/server/db/connection.ts');
const { migrateToLatest } = await import('#/server/db/migrate.ts');
const { startConfiguredWorker } = await import('#/messages/configured-worker.ts');
const { describeSmsTransport } = await import('#/server/sms/create-sender.ts');

const db = await openDatabase(targetFromConfig(config));
// The worker may start before any web instance: make sure the outbox table exists (under
// Kysely's migration lock, so concurrent starts are safe).
await migrateToLatest(db);
const worker = startConfiguredWorker(db, config, () => config.publicUrl);
console.log(
  `Outbox worker running (mail: ${config.smtpUrl ? 'SMTP' : `.eml files in ${path.join(config.dataDir, 'mail')}`}; SMS: ${describeSmsTransport(config)})`,
);

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`${signal} received: finishing the message being sent…`);
  await worker.stop();
  await db.destroy();
  console.log('Stopped cleanly.');
  process.exit(0);
}
process.on('SIGTERM', () => void stop('SIGTERM'));
process.on('SIGINT', () => void stop('SIGINT'));
