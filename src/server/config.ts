// Runtime configuration, read from environment variables and validated once at start.
// Pure: takes the environment as an argument so scripts, the server and tests share it.
import path from 'node:path';
import { parseTrustedProxies, NO_PROXY, type TrustedProxies } from '#/server/http/client-address.ts';

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
  /**
   * Whether an empty database is seeded with the demo (sample desks, events, campaign): always but in
   * production, where only the municipi are written unless SEED_SAMPLES=yes (the budget, Lighthouse
   * and bench scripts measure production builds on the demo). Issue #14.
   */
  seedSamples: boolean;
  /** Rome wall-clock time ("HH:MM") at which the day-before reminder goes out. */
  reminderTime: string;
  /** Days after an appointment at which the booking's personal data is erased. */
  bookingRetentionDays: number;
  /** Hours after a collection window when a pledge still open expires and gives its quantities back. */
  pledgeGraceHours: number;
  /** Days after a collection window when the donors' personal data is erased. */
  pledgeRetentionDays: number;
  /** PLEDGE_MAX_SHARE: the largest part of an item's target one pledge may take (0.25 for "25"). */
  pledgeMaxShare: number;
  /** PLEDGE_HOLD_MINUTES: how long a new pledge is held, its quantities counted, waiting for its code. */
  pledgeHoldMinutes: number;
  /** CODE_RESEND_SECONDS: how long after a 6-digit code "send again" may send the next one. */
  codeResendSeconds: number;
  /** False with WORKER=off: the outbox worker then runs apart (`npm run worker`). */
  workerEnabled: boolean;
  /** The reverse proxies in front of the server, whose X-Forwarded-For and -Proto are believed. */
  trustedProxies: TrustedProxies;
  /** APP_SECRET: signs links and form stamps and encrypts secrets at rest; required in production. */
  appSecret: string | undefined;
  /** Seconds a public form must have been open before it is sent (a bot answers at once). */
  formMinFillSeconds: number;
  /** False with LIVE_PAGE_CACHE=off: live pages are rendered for every request. */
  livePageCache: boolean;
  /** SMS_URL: smpp://system_id:password@host:2775 (smpps:// for TLS); undefined writes SMS as text files. */
  smsUrl: string | undefined;
  /** SMS_FROM: the sender shown on the phone (alphanumeric, up to 11 characters, or a number). */
  smsFrom: string;
  /** SMS_TPS: the provider's rate in messages a second, also the window of submits awaiting an answer. */
  smsTps: number;
  /** SMS_DAILY_LIMIT: SMS segments a day; past it, messages wait for the next day. */
  smsDailyLimit: number;
  /** MESSAGES_PER_RECIPIENT_PER_DAY: messages of every kind to one phone or address a day; more are dropped. */
  messagesPerRecipientPerDay: number;
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

/**
 * APP_SECRET of the throwaway servers that tests and measurement scripts start with
 * NODE_ENV=production. Public, so never for real data.
 */
export const THROWAWAY_APP_SECRET = '7175626920746573747320616e64206d6561737572656d656e7473206f6e6c79';

function blankToUndefined(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

export interface ParseOptions {
  /**
   * Set by the commands that serve or change data (scripts/config-or-exit.ts): they need
   * APP_SECRET in production. Not by the build, which renders pages with NODE_ENV=production.
   */
  requireSecrets?: boolean;
}

export function parseConfig(env: Env, cwd: string = process.cwd(), options: ParseOptions = {}): AppConfig {
  const problems: string[] = [];

  const databaseUrl = blankToUndefined(env.DATABASE_URL);
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    problems.push(
      'DATABASE_URL must start with postgres:// or postgresql:// (leave it unset for the embedded database)',
    );
  }

  const smtpUrl = blankToUndefined(env.SMTP_URL);
  if (smtpUrl && !/^smtps?:\/\//.test(smtpUrl)) {
    problems.push('SMTP_URL must start with smtp:// or smtps:// (leave it unset to write emails as .eml files)');
  }

  const mailFrom = blankToUndefined(env.MAIL_FROM) ?? 'QuBì Milano <noreply@qubi.localhost>';
  if (!/@/.test(mailFrom)) problems.push('MAIL_FROM must contain an email address, e.g. "QuBì <qubi@example.org>"');

  const rawPort = blankToUndefined(env.PORT) ?? '4321';
  const port = Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    problems.push(`PORT must be a whole number from 0 to 65535, not "${rawPort}"`);

  const host = blankToUndefined(env.HOST) ?? 'localhost';

  let publicUrl = blankToUndefined(env.PUBLIC_URL) ?? `http://localhost:${port}`;
  try {
    const u = new URL(publicUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
    publicUrl = u.origin;
  } catch {
    problems.push(
      `PUBLIC_URL must be an absolute http(s) URL such as https://qubi.comune.milano.it, not "${publicUrl}"`,
    );
  }

  const dataDir = path.resolve(cwd, blankToUndefined(env.DATA_DIR) ?? 'data');

  const reminderTime = blankToUndefined(env.REMINDER_TIME) ?? '17:00';
  if (!/^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(reminderTime))
    problems.push(`REMINDER_TIME must be a time of day as HH:MM, e.g. 17:00, not "${reminderTime}"`);

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

  const rawShare = (blankToUndefined(env.PLEDGE_MAX_SHARE) ?? '25').replace(/\s*%$/, '');
  const pledgeMaxShare = Number(rawShare) / 100;
  if (!/^[0-9]{1,3}$/.test(rawShare) || pledgeMaxShare <= 0 || pledgeMaxShare > 1) {
    problems.push(`PLEDGE_MAX_SHARE must be a whole percentage from 1 to 100, e.g. 25, not "${env.PLEDGE_MAX_SHARE}"`);
  }

  const rawHold = blankToUndefined(env.PLEDGE_HOLD_MINUTES) ?? '30';
  const pledgeHoldMinutes = Number(rawHold);
  if (!/^[0-9]{1,4}$/.test(rawHold) || pledgeHoldMinutes < 5 || pledgeHoldMinutes > 1440) {
    problems.push(`PLEDGE_HOLD_MINUTES must be a whole number of minutes from 5 to 1440, not "${rawHold}"`);
  }

  // 0 lets a test server show "send again" succeed without waiting a minute.
  const codeResendSeconds = wholeNumber(
    env.CODE_RESEND_SECONDS,
    60,
    0,
    600,
    'CODE_RESEND_SECONDS',
    'seconds',
    problems,
  );

  const rawWorker = (blankToUndefined(env.WORKER) ?? 'on').toLowerCase();
  if (!['on', 'off'].includes(rawWorker)) problems.push(`WORKER must be "on" or "off", not "${env.WORKER}"`);
  const workerEnabled = rawWorker !== 'off';

  const trusted = parseTrustedProxies(env.TRUSTED_PROXIES);
  if ('problem' in trusted) problems.push(trusted.problem);
  const trustedProxies = 'problem' in trusted ? NO_PROXY : trusted;
  // The old switch trusted the client's own first hop: refused, so no deployment keeps it unknowingly.
  if (env.TRUST_PROXY !== undefined) {
    problems.push(
      'TRUST_PROXY is no longer read: set TRUSTED_PROXIES instead, to the number of proxies in front of the server (1 for one nginx) or their addresses (e.g. 127.0.0.1)',
    );
  }

  const production = env.NODE_ENV === 'production';
  const seedSamples = !production || env.SEED_SAMPLES === 'yes';
  const appSecret = blankToUndefined(env.APP_SECRET);
  for (const [name, value] of [
    ['APP_SECRET', appSecret],
    ['APP_SECRET_PREVIOUS', blankToUndefined(env.APP_SECRET_PREVIOUS)],
  ] as const) {
    if (value !== undefined && !isStrongSecret(value)) {
      problems.push(
        `${name} must be at least 32 random bytes written as base64 or hex, e.g. the output of \`openssl rand -base64 32\``,
      );
    }
  }
  if (options.requireSecrets && production && !appSecret)
    problems.push(
      'APP_SECRET is required with NODE_ENV=production: make one with `openssl rand -base64 32` and keep it apart from the database',
    );

  const rawMinFill = blankToUndefined(env.FORM_MIN_FILL_SECONDS) ?? '3';
  const formMinFillSeconds = Number(rawMinFill);
  if (!/^[0-9]+$/.test(rawMinFill) || formMinFillSeconds > 600) {
    problems.push(`FORM_MIN_FILL_SECONDS must be a whole number of seconds from 0 to 600, not "${rawMinFill}"`);
  }

  // Lower case only: live-page.ts compares the variable as it is.
  const rawLiveCache = blankToUndefined(env.LIVE_PAGE_CACHE) ?? 'on';
  if (!['on', 'off'].includes(rawLiveCache))
    problems.push(`LIVE_PAGE_CACHE must be "on" or "off", not "${env.LIVE_PAGE_CACHE}"`);

  const smsUrl = blankToUndefined(env.SMS_URL);
  if (smsUrl) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(smsUrl);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !['smpp:', 'smpps:'].includes(parsed.protocol) || !parsed.hostname || !parsed.username)
      problems.push(
        'SMS_URL must look like smpp://system_id:password@host:2775 (smpps:// for TLS); leave it unset to write SMS as text files',
      );
  }
  const smsFrom = blankToUndefined(env.SMS_FROM) ?? 'QuBi Milano';
  if (!/^([A-Za-z0-9 .-]{1,11}|\+?[0-9]{3,15})$/.test(smsFrom))
    problems.push(
      `SMS_FROM must be up to 11 letters, digits, spaces, dots or dashes (e.g. "QuBi Milano"), or a phone number, not "${smsFrom}"`,
    );
  const smsTps = wholeNumber(env.SMS_TPS, 10, 1, 1000, 'SMS_TPS', 'messages a second', problems);
  const smsDailyLimit = wholeNumber(env.SMS_DAILY_LIMIT, 2000, 1, 10_000_000, 'SMS_DAILY_LIMIT', 'segments', problems);
  const messagesPerRecipientPerDay = wholeNumber(
    env.MESSAGES_PER_RECIPIENT_PER_DAY,
    10,
    1,
    1000,
    'MESSAGES_PER_RECIPIENT_PER_DAY',
    'messages',
    problems,
  );

  // Every rate limit is read where it is counted (request-guard.ts, auth/throttle.ts); each one set is checked here.
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('RATE_LIMIT_') || value === undefined) continue;
    if (!/^[0-9]+$/.test(value.trim()) || Number(value) < 1)
      problems.push(`${name} must be a whole number above 0, not "${value}"`);
  }

  if (problems.length > 0) throw new ConfigError(problems);
  return {
    databaseUrl,
    dataDir,
    smtpUrl,
    mailFrom,
    publicUrl,
    port,
    host,
    production,
    seedSamples,
    reminderTime,
    bookingRetentionDays,
    pledgeGraceHours,
    pledgeRetentionDays,
    pledgeMaxShare,
    pledgeHoldMinutes,
    codeResendSeconds,
    workerEnabled,
    trustedProxies,
    appSecret,
    formMinFillSeconds,
    livePageCache: rawLiveCache !== 'off',
    smsUrl,
    smsFrom,
    smsTps,
    smsDailyLimit,
    messagesPerRecipientPerDay,
  };
}

/** A whole number within bounds, or `fallback` when unset; a problem is recorded otherwise. */
function wholeNumber(
  raw: string | undefined,
  fallback: number,
  min: number,
  max: number,
  name: string,
  unit: string,
  problems: string[],
): number {
  const value = blankToUndefined(raw);
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^[0-9]+$/.test(value) || n < min || n > max) {
    problems.push(`${name} must be a whole number of ${unit} from ${min} to ${max}, not "${value}"`);
    return fallback;
  }
  return n;
}

/** At least 32 bytes, written as hex or as base64 (either alphabet, padding optional). */
function isStrongSecret(value: string): boolean {
  if (/^[0-9a-f]+$/i.test(value) && value.length % 2 === 0) return value.length >= 64;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return false;
  return Buffer.from(value, 'base64').length >= 32;
}

let runtimeConfig: AppConfig | undefined;
/** The server's configuration, parsed once from process.env (the start script has validated it). */
export function getConfig(): AppConfig {
  return (runtimeConfig ??= parseConfig(process.env));
}

/**
 * Tests only: the integration files run one after the other in a process (tests/support/
 * per-file-state.ts), and each must read the environment it runs with, as in a process of its own.
 */
export function forgetConfigForTests(): void {
  runtimeConfig = undefined;
}

/** Origin for absolute links (canonical, hreflang, feeds, emails): PUBLIC_URL at run time. */
export function publicOrigin(): string {
  return getConfig().publicUrl;
}
