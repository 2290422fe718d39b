// Without SMS_URL: each SMS is written to DATA_DIR/sms/<outboxId>-<kind>.txt, so `npm start` shows
// what a phone would get with no provider. The log names the file only (the text may carry a link
// with a token, the recipient is personal data).
import { mkdir, rename, writeFile } from 'node:fs/promises';
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
      // Write then rename, so a reader never sees half a message. In the thread pool, not synchronous:
      // creating a file on this machine's ext4 took 0.9–1.8 ms of wall time (0.3–0.6 ms of CPU), which
      // a synchronous write spent blocking the event loop, twice per booking (19 % of the server's
      // main-thread samples in a profile of 2026-12-06, docs/performance.md); the pool's hops cost less.
      const partial = `${file}.${process.pid}.tmp`;
      try {
        await writeFile(partial, body);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        made = undefined;
        await makeDir();
        await writeFile(partial, body);
      }
      await rename(partial, file);
      log(`[sms] ${message.kind} #${message.outboxId} written to ${file}`);
      return {};
    },
    onInbound() {},
    async close() {},
  };
}
