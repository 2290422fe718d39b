import { describe, expect, it } from 'vitest';
import { generateHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import {
  RECOVERY_ALPHABET,
  formatTotpSecret,
  generateRecoveryCodes,
  generateTotpSecret,
  hashRecoveryCode,
  normalizeRecoveryCode,
  normalizeTotpInput,
  totpCode,
  totpKeyUri,
  verifyTotpCode,
} from './totp.ts';

// RFC 6238 appendix B: the SHA-1 secret "12345678901234567890" (base32 below), 8-digit codes;
// the last 6 digits are the 6-digit code.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const at = (seconds: number) => new Date(seconds * 1000);

describe('TOTP', () => {
  it('computes the RFC 6238 test vectors', () => {
    expect(totpCode(RFC_SECRET, at(59))).toBe('287082');
    expect(totpCode(RFC_SECRET, at(1111111109))).toBe('081804');
    expect(totpCode(RFC_SECRET, at(1234567890))).toBe('005924');
    expect(totpCode(RFC_SECRET, at(2000000000))).toBe('279037');
  });

  it('accepts the code of the current step and of one step either side, nothing further', () => {
    const now = at(1_800_000_015);
    const secret = generateTotpSecret();
    const code = (offsetSteps: number) => totpCode(secret, new Date(now.getTime() + offsetSteps * 30_000));
    expect(verifyTotpCode(secret, code(0), now)).toBe(true);
    expect(verifyTotpCode(secret, code(-1), now)).toBe(true);
    expect(verifyTotpCode(secret, code(1), now)).toBe(true);
    // A code two steps away is refused (unless, rarely, it equals one of the three accepted ones).
    const accepted = new Set([code(-1), code(0), code(1)]);
    if (!accepted.has(code(-2))) expect(verifyTotpCode(secret, code(-2), now)).toBe(false);
    if (!accepted.has(code(2))) expect(verifyTotpCode(secret, code(2), now)).toBe(false);
  });

  it('reads what people type and refuses what cannot be a code', () => {
    const now = at(1_800_000_015);
    const secret = generateTotpSecret();
    const code = totpCode(secret, now);
    expect(verifyTotpCode(secret, `${code.slice(0, 3)} ${code.slice(3)}`, now)).toBe(true);
    expect(normalizeTotpInput(' 123-456 ')).toBe('123456');
    expect(normalizeTotpInput('12345')).toBeUndefined();
    expect(normalizeTotpInput('abcdef')).toBeUndefined();
    expect(verifyTotpCode(secret, '', now)).toBe(false);
    expect(verifyTotpCode('not base32!', code, now)).toBe(false);
  });

  it('makes 160-bit secrets and an otpauth URI that authenticator apps read', () => {
    const secret = generateTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(decodeBase32IgnorePadding(secret)).toHaveLength(20);
    expect(generateTotpSecret()).not.toBe(secret);
    const uri = new URL(totpKeyUri(secret, 'ada@comune.example'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.href).toContain('otpauth://totp/QuBi%20Milano:ada%40comune.example?');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('QuBi Milano');
    expect(uri.searchParams.get('digits')).toBe('6');
    expect(uri.searchParams.get('period')).toBe('30');
    expect(formatTotpSecret('ABCDEFGHIJ')).toBe('ABCD EFGH IJ');
    // The same code as @oslojs/otp computes from the raw key.
    const now = at(1_800_000_000);
    expect(totpCode(secret, now)).toBe(generateHOTP(decodeBase32IgnorePadding(secret), BigInt(1_800_000_000 / 30), 6));
  });
});

describe('recovery codes', () => {
  it('are ten distinct codes from the unambiguous alphabet', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(/^[23456789A-HJKMNP-Z]{5}-[23456789A-HJKMNP-Z]{5}$/);
      expect(code).not.toMatch(/[01ILO]/);
    }
    expect(RECOVERY_ALPHABET).toHaveLength(31);
  });

  it('are hashed the same however they are typed, and the hash is not the code', () => {
    const [code] = generateRecoveryCodes(1) as [string];
    const hash = hashRecoveryCode(code);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(code.replace('-', ''));
    expect(hashRecoveryCode(code.toLowerCase().replace('-', ' '))).toBe(hash);
    expect(normalizeRecoveryCode(` ${code.toLowerCase()} `)).toBe(code.replace('-', ''));
    expect(normalizeRecoveryCode('ABCDE-FGHI')).toBeUndefined();
    expect(normalizeRecoveryCode('ABCDE-FGHI0')).toBeUndefined();
  });
});
