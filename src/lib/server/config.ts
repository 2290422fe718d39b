// Runtime configuration, read from environment variables and validated once at start.
// Pure: takes the environment as an argument so scripts, the server and tests share it.
import path from 'node:path';

export interface AppConfig {
  /** PostgreSQL connection string; undefined means the embedded PGlite database. */
  databaseUrl: string | undefined;
  /** Folder for the embedded database, outgoing .eml files and other local state. */
  dataDir: string;
  smtpUrl: string | undefined;
  mailFrom: string;
  /** Public origin of the site, used in emails, feeds and canonical links. */
  publicUrl: string;
  port: number;
  host: string;
  production: boolean;
  /** Rome wall-clock time ("HH:MM") at which the day-before reminder goes out. */
  reminderTime: string;
  /** Days after an appointment at which the booking's personal data is erased. */
  bookingRetentionDays: number;
  /** Hours after a collection window when a pledge still open expires and gives its quantities back. */
  pledgeGraceHours: number;
  /** Days after a collection window when the donors' personal data is erased. */
  pledgeRetentionDays: number;
  /** False with WORKER=off: the outbox worker then runs apart (`npm run worker`). */
  workerEnabled: boolean;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Configuration is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

function blankToUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

export function parseConfig(env: Env, cwd: string = process.cwd()): AppConfig {
  const problems: string[] = [];

  const databaseUrl = blankToUndefined(env.DATABASE_URL);
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push('DATABASE_URL must start with postgres:// or postgresql:// (leave it unset for the embedded database)');
  }

  const smtpUrl = blankToUndefined(env.SMTP_URL);
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) {
    problems.push('SMTP_URL must start with smtp:// or smtps:// (leave it unset to write emails as .eml files)');
  }

  const mailFrom = blankToUndefined(env.MAIL_FROM) ?? 'QuBì Milano <noreply@qubi.localhost>';
  if (!/@/.test(mailFrom)) problems.push('MAIL_FROM must contain an email address, e.g. "QuBì <qubi@example.org>"');

  const rawPort = blankToUndefined(env.PORT) ?? '4321';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) problems.push(`PORT must be a whole number from 0 to 65535, not "${rawPort}"`);

  const host = blankToUndefined(env.HOST) ?? 'localhost';

  let publicUrl = blankToUndefined(env.PUBLIC_URL) ?? `http://localhost:${port}`;
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    publicUrl = u.origin;
  } catch {
    problems.push(`PUBLIC_URL must be an absolute http(s) URL such as https://qubi.comune.milano.it, not "${publicUrl}"`);
  }

  const dataDir = path.resolve(cwd, blankToUndefined(env.DATA_DIR) ?? 'data');

  const reminderTime = blankToUndefined(env.REMINDER_TIME) ?? '17:00';
  if (!/^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(reminderTime)) problems.push(`REMINDER_TIME must be a time of day as HH:MM, e.g. 17:00, not "${reminderTime}"`);

  const rawRetention = blankToUndefined(env.BOOKING_RETENTION_DAYS) ?? '30';
  const bookingRetentionDays = Number(rawRetention);
  if (!/^[0-9]+$/.test(rawRetention) || bookingRetentionDays < 1 || bookingRetentionDays > 3650) {
    problems.push(`BOOKING_RETENTION_DAYS must be a whole number of days from 1 to 3650, not "${rawRetention}"`);
  }

  const rawGrace = blankToUndefined(env.PLEDGE_GRACE_HOURS) ?? '48';
  const pledgeGraceHours = Number(rawGrace);
  if (!/^[0-9]+$/.test(rawGrace) || pledgeGraceHours > 720) {
    problems.push(`PLEDGE_GRACE_HOURS must be a whole number of hours from 0 to 720, not "${rawGrace}"`);
  }

  const rawPledgeRetention = blankToUndefined(env.PLEDGE_RETENTION_DAYS) ?? '60';
  const pledgeRetentionDays = Number(rawPledgeRetention);
  if (!/^[0-9]+$/.test(rawPledgeRetention) || pledgeRetentionDays < 1 || pledgeRetentionDays > 3650) {
    problems.push(`PLEDGE_RETENTION_DAYS must be a whole number of days from 1 to 3650, not "${rawPledgeRetention}"`);
  }

  const rawWorker = (blankToUndefined(env.WORKER) ?? 'on').toLowerCase();
  if (!['on', 'off'].includes(rawWorker)) problems.push(`WORKER must be "on" or "off", not "${env.WORKER}"`);
  const workerEnabled = rawWorker !== 'off';

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    databaseUrl,
    dataDir,
    smtpUrl,
    mailFrom,
    publicUrl,
    port,
    host,
    production: env.NODE_ENV === 'production',
    reminderTime,
    bookingRetentionDays,
    pledgeGraceHours,
    pledgeRetentionDays,
    workerEnabled,
  };
}

let runtimeConfig: AppConfig | undefined;
/** The server's configuration, parsed once from process.env (the start script has validated it). */
export function getConfig(): AppConfig {
  return (runtimeConfig ??= parseConfig(process.env));
}

/** Origin for absolute links (canonical, hreflang, feeds, emails): PUBLIC_URL at run time. */
export function publicOrigin(): string {
  return getConfig().publicUrl;
}
