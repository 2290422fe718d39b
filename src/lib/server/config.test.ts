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
    const c = parseConfig({ DATABASE_URL: 'postgres://u@db/qubi', PUBLIC_URL: 'https://qubi.example.org/some/path', PORT: '8080' });
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
    expect(parseConfig({ PLEDGE_GRACE_HOURS: ' ', PLEDGE_RETENTION_DAYS: '' })).toMatchObject({ pledgeGraceHours: 48, pledgeRetentionDays: 60 });
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
});
