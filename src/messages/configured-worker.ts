// The outbox worker as the configuration asks for it, for the two processes that run one: `npm start`
// (scripts/serve.ts, unless WORKER=off) and `npm run worker` (scripts/worker.ts).
import type { Kysely } from 'kysely';
import type { AppConfig } from '#/server/config.ts';
import type { Database } from '#/server/db/database.ts';
import { workerFeatures } from './index.ts';
import { createSmsSender } from '#/server/sms/create-sender.ts';
import { createMailer } from '#/server/mail/mailer.ts';
import { startWorker } from '#/server/mail/worker.ts';

/** A round every 5 s; a message queued in between wakes it at once (outbox.ts onMessageQueued). */
const INTERVAL_MS = 5000;

/**
 * Mail by SMTP or as files, SMS by SMPP or as files, every feature's messages and housekeeping.
 * `origin`: the site's address in the links, read at each run. stop() finishes the message being
 * sent, then closes the SMS connection.
 */
export function startConfiguredWorker(db: Kysely<Database>, config: AppConfig, origin: () => string) {
  const sms = createSmsSender(config);
  const worker = startWorker({
    db,
    mailer: createMailer(config, config.publicUrl),
    sms,
    features: workerFeatures(),
    intervalMs: INTERVAL_MS,
    origin,
  });
  return {
    wake: (committed?: boolean) => worker.wake(committed),
    async stop() {
      await worker.stop();
      await sms.close();
    },
  };
}
