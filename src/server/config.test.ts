import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

describe('parseConfig', () => {
  it('defaults to the embedded database in ./data and port 4321', () => {
    const c = parseConfig({}, '/srv/qubi');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.dataDir).toBe('/srv/qubi/data');
    expect(c.port).toBe(4321);
    expect(c.publicUrl).toBe('http://localhost:4321');
  });

  it('accepts a PostgreSQL URL and a public origin behind a proxy', () => {
    const c = parseConfig({
      DATABASE_URL: 'postgres://u@db/qubi',
      PUBLIC_URL: 'https://qubi.example.org/some/path',
      PORT: '8080',
    });
    expect(c.databaseUrl).toBe('postgres://u@db/qubi');
    expect(c.publicUrl).toBe('https://qubi.example.org');
    expect(c.port).toBe(8080);
  });

  it('lists every problem in one clear message', () => {
    let error: unknown;
    try {
      parseConfig({ DATABASE_URL: 'mysql://x', PORT: 'eighty', SMTP_URL: 'http://mail', PUBLIC_URL: 'not a url' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('DATABASE_URL must start with postgres://');
    expect(message).toContain('PORT must be a whole number');
    expect(message).toContain('SMTP_URL must start with smtp://');
    expect(message).toContain('PUBLIC_URL must be an absolute http(s) URL');
  });

  it('sends reminders at 17:00, erases bookings after 30 days and runs the worker in-process by default', () => {
    const c = parseConfig({});
    expect(c.reminderTime).toBe('17:00');
    expect(c.bookingRetentionDays).toBe(30);
    expect(c.workerEnabled).toBe(true);
  });

  it('reads the reminder time, the retention and WORKER=off', () => {
    const c = parseConfig({ REMINDER_TIME: '09:30', BOOKING_RETENTION_DAYS: '7', WORKER: 'off' });
    expect(c.reminderTime).toBe('09:30');
    expect(c.bookingRetentionDays).toBe(7);
    expect(c.workerEnabled).toBe(false);
    expect(parseConfig({ WORKER: 'ON' }).workerEnabled).toBe(true);
  });

  it('refuses a wrong reminder time, retention or worker switch', () => {
    let error: unknown;
    try {
      parseConfig({ REMINDER_TIME: '25:00', BOOKING_RETENTION_DAYS: '0', WORKER: 'maybe' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('REMINDER_TIME must be a time of day as HH:MM');
    expect(message).toContain('BOOKING_RETENTION_DAYS must be a whole number of days');
    expect(message).toContain('WORKER must be "on" or "off"');
    expect(() => parseConfig({ REMINDER_TIME: '9:30' })).toThrow('REMINDER_TIME');
    expect(() => parseConfig({ BOOKING_RETENTION_DAYS: '2.5' })).toThrow('BOOKING_RETENTION_DAYS');
  });

  it('expires unkept pledges after 48 hours and erases donors after 60 days by default', () => {
    const c = parseConfig({});
    expect(c.pledgeGraceHours).toBe(48);
    expect(c.pledgeRetentionDays).toBe(60);
  });

  it('reads the pledge grace period and retention', () => {
    const c = parseConfig({ PLEDGE_GRACE_HOURS: '0', PLEDGE_RETENTION_DAYS: '90' });
    expect(c.pledgeGraceHours).toBe(0);
    expect(c.pledgeRetentionDays).toBe(90);
    expect(parseConfig({ PLEDGE_GRACE_HOURS: ' ', PLEDGE_RETENTION_DAYS: '' })).toMatchObject({
      pledgeGraceHours: 48,
      pledgeRetentionDays: 60,
    });
  });

  it('refuses a wrong pledge grace period or retention', () => {
    let error: unknown;
    try {
      parseConfig({ PLEDGE_GRACE_HOURS: '-1', PLEDGE_RETENTION_DAYS: '0' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    expect(message).toContain('PLEDGE_GRACE_HOURS must be a whole number of hours from 0 to 720');
    expect(message).toContain('PLEDGE_RETENTION_DAYS must be a whole number of days from 1 to 3650');
    expect(() => parseConfig({ PLEDGE_GRACE_HOURS: '1.5' })).toThrow('PLEDGE_GRACE_HOURS');
    expect(() => parseConfig({ PLEDGE_GRACE_HOURS: '721' })).toThrow('PLEDGE_GRACE_HOURS');
    expect(() => parseConfig({ PLEDGE_RETENTION_DAYS: 'two months' })).toThrow('PLEDGE_RETENTION_DAYS');
  });

  it('lets one pledge take at most 25 % of an item by default, or the share set', () => {
    expect(parseConfig({}).pledgeMaxShare).toBe(0.25);
    expect(parseConfig({ PLEDGE_MAX_SHARE: '10' }).pledgeMaxShare).toBe(0.1);
    expect(parseConfig({ PLEDGE_MAX_SHARE: '100 %' }).pledgeMaxShare).toBe(1);
    for (const wrong of ['0', '101', '0.25', 'a quarter'])
      expect(() => parseConfig({ PLEDGE_MAX_SHARE: wrong }), wrong).toThrow(
        'PLEDGE_MAX_SHARE must be a whole percentage',
      );
  });

  it('holds a new pledge 30 minutes for its code by default, or the minutes set', () => {
    expect(parseConfig({}).pledgeHoldMinutes).toBe(30);
    expect(parseConfig({ PLEDGE_HOLD_MINUTES: '45' }).pledgeHoldMinutes).toBe(45);
    for (const wrong of ['0', '4', '1441', '30.5', 'half an hour'])
      expect(() => parseConfig({ PLEDGE_HOLD_MINUTES: wrong }), wrong).toThrow('PLEDGE_HOLD_MINUTES must be');
  });

  it('sends a code again a minute after the last one by default, or the seconds set', () => {
    expect(parseConfig({}).codeResendSeconds).toBe(60);
    expect(parseConfig({ CODE_RESEND_SECONDS: '0' }).codeResendSeconds).toBe(0);
    expect(parseConfig({ CODE_RESEND_SECONDS: '120' }).codeResendSeconds).toBe(120);
    for (const wrong of ['601', '-1', '1.5', 'a minute'])
      expect(() => parseConfig({ CODE_RESEND_SECONDS: wrong }), wrong).toThrow(
        'CODE_RESEND_SECONDS must be a whole number of seconds from 0 to 600',
      );
  });

  /** The message of the ConfigError an environment raises. */
  function problemsOf(env: Record<string, string>): string {
    try {
      parseConfig(env, '/srv', { requireSecrets: true });
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as ConfigError).message;
    }
    throw new Error(`no problem found in ${JSON.stringify(env)}`);
  }

  it('trusts no proxy by default, and reads a number of hops or a list of addresses', () => {
    expect(parseConfig({}).trustedProxies).toEqual({ kind: 'hops', hops: 0 });
    expect(parseConfig({ TRUSTED_PROXIES: '1' }).trustedProxies).toEqual({ kind: 'hops', hops: 1 });
    expect(parseConfig({ TRUSTED_PROXIES: '127.0.0.1, ::1, 10.0.0.0/8' }).trustedProxies).toMatchObject({
      kind: 'addresses',
      entries: ['127.0.0.1', '::1', '10.0.0.0/8'],
    });
    expect(problemsOf({ TRUSTED_PROXIES: 'nginx' })).toContain(
      'TRUSTED_PROXIES must be a number of proxy hops or a list of IP addresses',
    );
  });

  it('refuses the old TRUST_PROXY and points to TRUSTED_PROXIES', () => {
    expect(problemsOf({ TRUST_PROXY: '1' })).toContain('TRUST_PROXY is no longer read: set TRUSTED_PROXIES instead');
  });

  it('seeds the demo on an empty database except in production, unless SEED_SAMPLES=yes (#14)', () => {
    expect(parseConfig({}).seedSamples).toBe(true);
    expect(parseConfig({ NODE_ENV: 'production' }).seedSamples).toBe(false);
    expect(parseConfig({ NODE_ENV: 'production', SEED_SAMPLES: 'yes' }).seedSamples).toBe(true);
    expect(parseConfig({ NODE_ENV: 'production', SEED_SAMPLES: 'no' }).seedSamples).toBe(false);
  });

  it('requires a strong APP_SECRET in production, and checks it (and the previous one) wherever given', () => {
    const base64 = Buffer.alloc(32, 7).toString('base64');
    const hex = Buffer.alloc(32, 7).toString('hex');
    expect(parseConfig({}).appSecret).toBeUndefined();
    const serving = { requireSecrets: true };
    expect(parseConfig({ NODE_ENV: 'production', APP_SECRET: base64 }, '/srv', serving).appSecret).toBe(base64);
    expect(parseConfig({ NODE_ENV: 'production', APP_SECRET: hex }, '/srv', serving).appSecret).toBe(hex);
    // The build renders pages with NODE_ENV=production and needs no secret.
    expect(parseConfig({ NODE_ENV: 'production' }).appSecret).toBeUndefined();
    expect(parseConfig({ APP_SECRET: Buffer.alloc(32, 7).toString('base64url') }).appSecret).toBeDefined();
    expect(problemsOf({ NODE_ENV: 'production' })).toContain('APP_SECRET is required with NODE_ENV=production');
    expect(problemsOf({ APP_SECRET: 'short-secret' })).toContain(
      'APP_SECRET must be at least 32 random bytes written as base64 or hex',
    );
    expect(problemsOf({ APP_SECRET: hex.slice(0, 62) })).toContain('APP_SECRET must be at least 32 random bytes');
    expect(problemsOf({ APP_SECRET: base64, APP_SECRET_PREVIOUS: 'old' })).toContain(
      'APP_SECRET_PREVIOUS must be at least 32 random bytes',
    );
  });

  it('checks the form fill time, the live page cache switch and every rate limit set', () => {
    expect(parseConfig({})).toMatchObject({ formMinFillSeconds: 3, livePageCache: true });
    expect(parseConfig({ FORM_MIN_FILL_SECONDS: '0', LIVE_PAGE_CACHE: 'off' })).toMatchObject({
      formMinFillSeconds: 0,
      livePageCache: false,
    });
    const message = problemsOf({
      FORM_MIN_FILL_SECONDS: 'soon',
      LIVE_PAGE_CACHE: 'maybe',
      RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '0',
      RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT: 'five',
    });
    expect(message).toContain('FORM_MIN_FILL_SECONDS must be a whole number of seconds from 0 to 600, not "soon"');
    expect(message).toContain('LIVE_PAGE_CACHE must be "on" or "off", not "maybe"');
    expect(message).toContain('RATE_LIMIT_WRITES_PER_IP_PER_HOUR must be a whole number above 0, not "0"');
    expect(message).toContain('RATE_LIMIT_SIGN_IN_FAILURES_PER_ACCOUNT must be a whole number above 0, not "five"');
    expect(parseConfig({ RATE_LIMIT_LOOKUPS_PER_IP_PER_HOUR: '100' }).port).toBe(4321);
  });

  it('writes SMS as files by default and reads an SMPP provider, its rate and the daily limits', () => {
    const d = parseConfig({});
    expect(d.smsUrl).toBeUndefined();
    expect([d.smsTps, d.smsDailyLimit, d.messagesPerRecipientPerDay]).toEqual([10, 2000, 10]);
    const c = parseConfig({
      SMS_URL: 'smpps://qubi:secret@smsc.example.net:3550',
      SMS_FROM: 'QuBi',
      SMS_TPS: '100',
      SMS_DAILY_LIMIT: '5000',
      MESSAGES_PER_RECIPIENT_PER_DAY: '6',
    });
    expect([c.smsUrl, c.smsFrom, c.smsTps, c.smsDailyLimit, c.messagesPerRecipientPerDay]).toEqual([
      'smpps://qubi:secret@smsc.example.net:3550',
      'QuBi',
      100,
      5000,
      6,
    ]);
  });

  it('refuses an SMS provider address, sender or numbers it cannot use', () => {
    let message = '';
    try {
      parseConfig({
        SMS_URL: 'http://smsc.example.net',
        SMS_FROM: 'QuBì Milano Centro',
        SMS_TPS: '0',
        SMS_DAILY_LIMIT: 'lots',
        MESSAGES_PER_RECIPIENT_PER_DAY: '-1',
      });
    } catch (e) {
      message = (e as ConfigError).message;
    }
    expect(message).toContain('SMS_URL must look like smpp://system_id:password@host:2775');
    expect(message).toContain('SMS_FROM must be up to 11 letters');
    expect(message).toContain('SMS_TPS must be a whole number of messages a second from 1 to 1000, not "0"');
    expect(message).toContain('SMS_DAILY_LIMIT must be a whole number of segments');
    expect(message).toContain('MESSAGES_PER_RECIPIENT_PER_DAY must be a whole number of messages');
  });
});
