// Without SMS_URL: each SMS is written to DATA_DIR/sms/<outboxId>-<kind>.txt, so `npm start` shows
// what a phone would get with no provider. The log names the file only (the text may carry a link
// with a token, the recipient is personal data).
import { renameSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { SmsSender } from './sender.ts';

export function createFileSmsSender(dir: string, options: { log?: (line: string) => void } = {}): SmsSender {
  const log = options.log ?? console.log;
  // Made once, not before every message (a system call each time on the write path of every code);
  // made again if someone removed it meanwhile (see write below).
  let made: Promise<unknown> | undefined;
  const makeDir = () =>
    (made ??= mkdir(dir, { recursive: true }).catch((error: unknown) => ((made = undefined), Promise.reject(error))));
  return {
    async send(message) {
      await makeDir();
      const file = path.join(dir, `${message.outboxId}-${message.kind.replace(/[^a-z0-9_-]/gi, '_')}.txt`);
      const body = [
        `To: ${message.to}`,
        `Encoding: ${message.encoding === 'gsm7' ? 'GSM-7' : 'UCS-2'}`,
        `Segments: ${message.parts.length}`,
        '',
        message.text,
        '',
      ].join('\n');
      // Write then rename, so a reader never sees half a message. Synchronous: a few hundred bytes,
      // and the promise API's open, write, close and rename each went through the thread pool (3 %
      // of the server's CPU on the write path of every code, in the profiles of docs/performance.md).
      const partial = `${file}.${process.pid}.tmp`;
      try {
        writeFileSync(partial, body);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        made = undefined;
        await makeDir();
        writeFileSync(partial, body);
      }
      renameSync(partial, file);
      log(`[sms] ${message.kind} #${message.outboxId} written to ${file}`);
      return {};
    },
    onInbound() {},
    async close() {},
  };
}
