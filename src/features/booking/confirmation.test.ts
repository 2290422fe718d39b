import { describe, expect, it } from 'vitest';
import { CONFIRMATION_TTL_HOURS, readConfirmation, signConfirmation } from './confirmation.ts';

const now = new Date('2026-12-01T10:00:00Z');

describe('confirmation links', () => {
  it('round-trips a booking id until it expires', () => {
    const token = signConfirmation('secret', 1234, now);
    expect(readConfirmation('secret', token, now)).toEqual({ ok: true, bookingId: 1234 });
    const later = new Date(now.getTime() + (CONFIRMATION_TTL_HOURS * 3600 - 1) * 1000);
    expect(readConfirmation('secret', token, later)).toEqual({ ok: true, bookingId: 1234 });
    const tooLate = new Date(now.getTime() + (CONFIRMATION_TTL_HOURS * 3600 + 1) * 1000);
    expect(readConfirmation('secret', token, tooLate)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuses another secret, another id, a longer life and garbage', () => {
    const token = signConfirmation('secret', 1234, now);
    const [id, expires, mac] = token.split('.');
    expect(readConfirmation('other', token, now).ok).toBe(false);
    expect(readConfirmation('secret', `${(1235).toString(36)}.${expires}.${mac}`, now).ok).toBe(false);
    expect(readConfirmation('secret', `${id}.${(parseInt(expires!, 36) + 3600).toString(36)}.${mac}`, now).ok).toBe(
      false,
    );
    for (const bad of ['', null, undefined, 'abc', `${token}x`, token.replace('.', '')])
      expect(readConfirmation('secret', bad, now).ok).toBe(false);
  });
});
