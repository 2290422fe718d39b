import { describe, expect, it } from 'vitest';
import { recipientHash, smsRecipientOf } from './outbox.ts';

describe('the per-recipient count', () => {
  it('counts one mailbox under every spelling and +tag, and one phone however it is written', () => {
    expect(recipientHash('Ana+qubi1@Example.org')).toBe(recipientHash('ana@example.org'));
    expect(recipientHash(' ana+x@example.org ')).toBe(recipientHash('ana@example.org'));
    expect(recipientHash('+39 333 123 4567')).toBe(recipientHash('+393331234567'));
    expect(recipientHash('ana@example.org')).not.toBe(recipientHash('anna@example.org'));
    expect(recipientHash('+393331234567')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('smsRecipientOf', () => {
  it('takes a mobile in E.164 and refuses Italian landlines and numbers without a country code', () => {
    expect(smsRecipientOf('+393331234567')).toBe('+393331234567');
    expect(smsRecipientOf('+447700900123')).toBe('+447700900123');
    expect(smsRecipientOf('+390212345678')).toBeUndefined();
    expect(smsRecipientOf('3331234567')).toBeUndefined();
    expect(smsRecipientOf(null)).toBeUndefined();
  });
});
