// The 6-digit code last sent to a contact, as the person would read it: from the outbox row's
// payload (integration tests, which share the database), or from the .eml the file mailer or the
// .txt the file SMS sender wrote (HTTP tests: the server's database is its own).
import { readFile } from 'node:fs/promises';
import { setTimeout } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import type { Database } from '#/server/db/database.ts';
import { parseMime, type MimePart } from './mime.ts';
import { decryptAtRest } from '#/server/security/at-rest.ts';

/** The code in the newest verification_code message to `recipient` (phone in E.164 or email). */
export async function latestCodeFromOutbox(db: Kysely<Database>, recipient: string): Promise<string> {
  const row = await db
    .selectFrom('outbox')
    .select('payload')
    .where('kind', '=', 'verification_code')
    .where('recipient', '=', recipient)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  // Sealed in the row (holds.ts): opened with the site's key, as the worker's renderer does.
  const sealed = (row?.payload as { code?: string } | undefined)?.code;
  const code = sealed && decryptAtRest(sealed);
  if (!code) throw new Error(`no verification code queued for ${recipient}`);
  return code;
}

const textOf = (part: MimePart): string => (part.parts.length ? part.parts.map(textOf).join('\n') : part.body);

/** Written code messages (.eml emails, .txt SMS), by outbox id, from the server's output. */
function codeMails(output: string): { id: number; file: string }[] {
  return [...output.matchAll(/\[(?:mail|sms)\] verification_code #(\d+) written to (\S+\.(?:eml|txt))/g)].map((m) => ({
    id: Number(m[1]),
    file: m[2]!,
  }));
}

/** The text a person reads: an email's parts, or the SMS file's text. */
async function readCodeMessage(file: string): Promise<string> {
  const raw = await readFile(file, 'utf8');
  return file.endsWith('.eml') ? textOf(parseMime(raw)) : raw;
}

/** The id of the newest code message the server has written so far (0: none). */
export const lastCodeMailId = (output: string): number => Math.max(0, ...codeMails(output).map((m) => m.id));

/**
 * The newest code message written with an id above `afterId` (waits for the worker to send it).
 * Outbox ids grow with each hold, so the newest is the last hold's code, once it is written; a
 * caller that finds its code refused (an earlier hold's message written late) asks again above it.
 * A phone's code is an SMS (.txt), an email's an .eml.
 */
export async function nextCodeFromMail(
  output: () => string,
  afterId: number,
  timeoutMs = 20_000,
): Promise<{ id: number; code: string }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mail = codeMails(output())
      .filter((m) => m.id > afterId)
      .sort((a, b) => b.id - a.id)[0];
    if (mail) {
      const code = /\b([0-9]{6})\b/.exec(await readCodeMessage(mail.file))?.[1];
      if (!code) throw new Error(`no code in ${mail.file}`);
      return { id: mail.id, code };
    }
    if (Date.now() > deadline) throw new Error('no verification code was written');
    await setTimeout(50);
  }
}

/**
 * The newest code message written to `recipient` (a phone in E.164 or an email), waiting for the
 * worker to write it: for tests where several holds' codes are written at once.
 */
export async function codeSentTo(output: () => string, recipient: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const mail of codeMails(output()).sort((a, b) => b.id - a.id)) {
      const raw = await readFile(mail.file, 'utf8');
      if (!new RegExp(`^To: .*${recipient.replace(/[.+]/g, '\\$&')}`, 'mi').test(raw)) continue;
      const code = /\b([0-9]{6})\b/.exec(await readCodeMessage(mail.file))?.[1];
      if (code) return code;
    }
    if (Date.now() > deadline) throw new Error(`no verification code was written to ${recipient}`);
    await setTimeout(50);
  }
}
