import { describe, expect, it } from 'vitest';
import { decryptAtRest, encryptAtRest, isEncrypted, needsReencryption } from './at-rest.ts';

const env = (current: string | undefined, previous?: string): NodeJS.ProcessEnv => ({
  NODE_ENV: 'test',
  ...(current ? { APP_SECRET: current } : {}),
  ...(previous ? { APP_SECRET_PREVIOUS: previous } : {}),
});
const OLD = 'old secret, thirty-two characters long';
const NEW = 'new secret, thirty-two characters long';

describe('encryption at rest', () => {
  it('round-trips, never stores the plaintext, and differs each time (random IV)', () => {
    const a = encryptAtRest('JBSWY3DPEHPK3PXP', env(OLD));
    const b = encryptAtRest('JBSWY3DPEHPK3PXP', env(OLD));
    expect(a).toMatch(/^enc1:[A-Za-z0-9_-]{8}:/);
    expect(a).not.toContain('JBSWY3DPEHPK3PXP');
    expect(a).not.toBe(b);
    expect(decryptAtRest(a, env(OLD))).toBe('JBSWY3DPEHPK3PXP');
  });

  it('reads a value of the previous key during a rotation, and says it needs re-encrypting', () => {
    const stored = encryptAtRest('secret', env(OLD));
    expect(() => decryptAtRest(stored, env(NEW))).toThrow(/APP_SECRET_PREVIOUS/);
    expect(decryptAtRest(stored, env(NEW, OLD))).toBe('secret');
    expect(needsReencryption(stored, env(NEW, OLD))).toBe(true);
    expect(needsReencryption(encryptAtRest('secret', env(NEW)), env(NEW, OLD))).toBe(false);
  });

  it('reads a plaintext value stored before, which then needs encrypting', () => {
    expect(isEncrypted('JBSWY3DPEHPK3PXP')).toBe(false);
    expect(decryptAtRest('JBSWY3DPEHPK3PXP', env(OLD))).toBe('JBSWY3DPEHPK3PXP');
    expect(needsReencryption('JBSWY3DPEHPK3PXP', env(OLD))).toBe(true);
  });

  it('refuses an altered value', () => {
    const stored = encryptAtRest('secret', env(OLD));
    const altered = stored.slice(0, -2) + (stored.endsWith('AA') ? 'BB' : 'AA');
    expect(() => decryptAtRest(altered, env(OLD))).toThrow();
  });

  it('requires APP_SECRET in production', () => {
    expect(() => encryptAtRest('secret', { NODE_ENV: 'production' })).toThrow(/APP_SECRET is required/);
    expect(decryptAtRest(encryptAtRest('secret', env(undefined)), env(undefined))).toBe('secret');
  });
});
