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
});
