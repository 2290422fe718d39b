// Sending email: over SMTP when SMTP_URL is set, otherwise into .eml files under DATA_DIR/mail so
// a developer (or an operator without a mail server yet) can open them.
//
// Every message has a Message-ID derived from its outbox row: if a message is ever delivered twice
// (a worker died after the server accepted it but before the row was marked sent), the receiving
// side can recognise the duplicate.
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface OutgoingMessage {
  outboxId: number;
  kind: string;
  to: string;
  locale: string;
  subject: string;
  text: string;
  html: string;
  ics?: string;
}

export interface Mailer {
  send(message: OutgoingMessage): Promise<void>;
}

export interface MailerOptions {
  from: string;
  /** Public origin of the site: its host name is the right-hand side of every Message-ID. */
  origin: string;
}

export function outboxMessageId(outboxId: number, origin: string): string {
  return `<outbox-${outboxId}@${new URL(origin).hostname}>`;
}

/** nodemailer's message fields, shared by both mailers so the .eml is what SMTP would carry. */
function toMailOptions(message: OutgoingMessage, options: MailerOptions) {
  return {
    from: options.from,
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    messageId: outboxMessageId(message.outboxId, options.origin),
    headers: {
      // RFC 3834: out-of-office and other auto-responders must not answer.
      'Auto-Submitted': 'auto-generated',
      'Content-Language': message.locale,
    },
    attachments: message.ics
      ? [
          {
            filename: message.kind.startsWith('pledge_') ? 'zaino-sospeso.ics' : 'appointment.ics',
            content: message.ics,
            contentType: 'text/calendar; charset=utf-8; method=PUBLISH',
          },
        ]
      : [],
  };
}

/**
 * nodemailer is loaded with the first message, not when the server starts: bundled or not, loading it
 * cost ~0.1 s of CPU on every start (docs/performance.md, "A server start"), mostly for nothing.
 */
function onFirstUse<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}
const nodemailer = async () => (await import('nodemailer')).default;

/** SMTP without a pool: one connection per message, and a dead server fails fast instead of hanging the worker. */
export function createSmtpMailer(smtpUrl: string, options: MailerOptions): Mailer {
  const transport = onFirstUse(async () =>
    (await nodemailer()).createTransport({
      url: smtpUrl,
      // Every line of the message ends in CRLF (RFC 5322), the bodies' own lines too: nodemailer
      // leaves a text's bare LF as it is unless told.
      newline: 'windows',
      pool: false,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    }),
  );
  return {
    async send(message) {
      await (await transport()).sendMail(toMailOptions(message, options));
    },
  };
}

/**
 * Writes each message to <dir>/<outboxId>-<kind>.eml and logs one line naming the file, without
 * personal data and without the links: they carry tokens (manage, confirmation, invitation, reset)
 * that anyone reading the log could use. Whoever may read the mail opens the file.
 */
export function createFileMailer(dir: string, options: MailerOptions & { log?: (line: string) => void }): Mailer {
  const transport = onFirstUse(async () =>
    (await nodemailer()).createTransport({ streamTransport: true, buffer: true, newline: 'windows' }),
  );
  const log = options.log ?? console.log;
  return {
    async send(message) {
      const info = await (await transport()).sendMail(toMailOptions(message, options));
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, `${message.outboxId}-${safeFilePart(message.kind)}.eml`);
      // Write then rename, so a reader never sees half a message.
      const partial = `${file}.${process.pid}.tmp`;
      await writeFile(partial, info.message as Buffer);
      await rename(partial, file);
      log(`[mail] ${message.kind} #${message.outboxId} written to ${file}`);
    },
  };
}

/** The mailer the configuration asks for. */
export function createMailer(
  config: { smtpUrl: string | undefined; mailFrom: string; dataDir: string },
  origin: string,
  log?: (line: string) => void,
): Mailer {
  const options = { from: config.mailFrom, origin };
  return config.smtpUrl
    ? createSmtpMailer(config.smtpUrl, options)
    : createFileMailer(path.join(config.dataDir, 'mail'), { ...options, ...(log ? { log } : {}) });
}

function safeFilePart(value: string): string {
  return value.replace(/[^a-z0-9_-]/gi, '_');
}
