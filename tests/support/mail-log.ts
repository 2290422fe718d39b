// Links of the emails the file mailer wrote. Its log line names the .eml file and never the link
// (a token in a log is a token anyone reading the log can use), so the link is read from the file.
import { readFile } from 'node:fs/promises';
import { parseMime, type MimePart } from './mime.ts';

export interface LoggedMail {
  id: number;
  file: string;
  /** The first link of the email matching the pattern asked for ('' if none). */
  url: string;
  raw: string;
}

const textOf = (part: MimePart): string => (part.parts.length ? part.parts.map(textOf).join('\n') : part.body);

/** Every email of `kind` in the server output, with its link matching `link` (e.g. /\/gestisci\?token=/). */
export async function loggedMails(output: string, kind: string, link: RegExp): Promise<LoggedMail[]> {
  const mails: LoggedMail[] = [];
  for (const m of output.matchAll(new RegExp(`\\[mail\\] ${kind} #(\\d+) written to (\\S+\\.eml)`, 'g'))) {
    const raw = await readFile(m[2]!, 'utf8');
    const urls = textOf(parseMime(raw)).match(/https?:\/\/[^\s"<>]+/g) ?? [];
    mails.push({ id: Number(m[1]), file: m[2]!, url: urls.find((u) => link.test(u)) ?? '', raw });
  }
  return mails;
}
