// Every line of an email ends in CRLF (RFC 5322 §2.3), the bodies' own lines included, over SMTP to
// a real server (smtp-server) and in the .eml files of the file mailer alike: a text, an HTML part
// and a calendar file written with bare LFs arrive with CRLFs only.
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSink, type Sink } from '../support/smtp-sink.ts';
import { createFileMailer, createSmtpMailer, type OutgoingMessage } from '#/server/mail/mailer.ts';

const options = { from: 'QuBì Milano <noreply@qubi.test>', origin: 'http://qubi.test' };
const message: OutgoingMessage = {
  outboxId: 7,
  kind: 'booking_confirmation',
  to: 'amina@example.org',
  locale: 'it',
  subject: 'Prenotazione confermata',
  text: 'Ciao Amina,\nla tua prenotazione è confermata.\n\nA presto\n',
  html: '<p>Ciao Amina,</p>\n<p>la tua prenotazione è confermata.</p>\n',
  ics: 'BEGIN:VCALENDAR\nVERSION:2.0\nEND:VCALENDAR\n',
};

/** Line feeds not preceded by a carriage return. */
const bareLineFeeds = (raw: string) => (raw.match(/(?<!\r)\n/g) ?? []).length;

let sink: Sink;
let dir: string;
beforeAll(async () => {
  sink = await startSink();
  dir = await mkdtemp(path.join(tmpdir(), 'qubi-crlf-'));
});
afterAll(async () => {
  await sink?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('email line endings', () => {
  it('sends CRLF line endings only over SMTP', async () => {
    await createSmtpMailer(`smtp://127.0.0.1:${sink.port}`, options).send(message);
    const raw = sink.received.at(-1)!;
    expect(raw).toContain('Subject: Prenotazione confermata\r\n');
    expect(raw.split('\r\n').length).toBeGreaterThan(20);
    expect(bareLineFeeds(raw)).toBe(0);
  });

  it('writes CRLF line endings only in the .eml files', async () => {
    await createFileMailer(dir, { ...options, log: () => {} }).send(message);
    const [file] = await readdir(dir);
    const raw = await readFile(path.join(dir, file!), 'utf8');
    expect(raw).toContain('Subject: Prenotazione confermata\r\n');
    expect(bareLineFeeds(raw)).toBe(0);
  });
});
