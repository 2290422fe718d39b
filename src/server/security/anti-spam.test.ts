import { describe, expect, it } from 'vitest';
import { checkFormSubmission, signFormTimestamp } from './anti-spam.ts';

const secret = 'test-secret';
const shown = new Date('2026-12-01T10:00:00Z');
const at = (seconds: number) => new Date(shown.getTime() + seconds * 1000);

describe('anti-spam', () => {
  it('accepts a form filled by a person', () => {
    expect(checkFormSubmission({ honeypot: '', token: signFormTimestamp(secret, shown) }, secret, at(20), 3)).toBe(
      'ok',
    );
  });
  it('refuses a filled honeypot, a too-fast submission and a forged or stale timestamp', () => {
    const token = signFormTimestamp(secret, shown);
    expect(checkFormSubmission({ honeypot: 'http://spam', token }, secret, at(20), 3)).toBe('honeypot');
    expect(checkFormSubmission({ honeypot: '', token }, secret, at(1), 3)).toBe('too_fast');
    expect(checkFormSubmission({ honeypot: '', token: token.replace(/.$/, 'x') }, secret, at(20), 3)).toBe('bad_token');
    expect(checkFormSubmission({ honeypot: '', token: signFormTimestamp('other', shown) }, secret, at(20), 3)).toBe(
      'bad_token',
    );
    expect(checkFormSubmission({ honeypot: '', token }, secret, at(2 * 86400), 3)).toBe('bad_token');
    expect(checkFormSubmission({ honeypot: '', token: undefined }, secret, at(20), 3)).toBe('bad_token');
  });
});
