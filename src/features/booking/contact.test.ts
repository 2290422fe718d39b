import { describe, expect, it } from 'vitest';
import { normalizeEmail, normalizePhone } from './contact.ts';
import { REFERENCE_ALPHABET, generateReference, parseReference } from './reference.ts';

describe('contacts', () => {
  it('normalises Italian and international phone numbers', () => {
    expect(normalizePhone('351 681 8198')).toBe('+393516818198');
    expect(normalizePhone('+39 351-681-8198')).toBe('+393516818198');
    expect(normalizePhone('0039 (351) 6818198')).toBe('+393516818198');
    expect(normalizePhone('02 1234 5678')).toBe('+390212345678');
    expect(normalizePhone('+212 600 123456')).toBe('+212600123456');
    expect(normalizePhone('call me')).toBeUndefined();
    expect(normalizePhone('12')).toBeUndefined();
    expect(normalizePhone("351'; DROP TABLE booking;--")).toBeUndefined();
  });
  it('accepts plain email addresses only', () => {
    expect(normalizeEmail(' Amina@Example.org ')).toBe('amina@example.org');
    expect(normalizeEmail('no-at-sign')).toBeUndefined();
    expect(normalizeEmail('a@b')).toBeUndefined();
    expect(normalizeEmail('<script>@x.org')).toBeUndefined();
    expect(normalizeEmail('a\u0000b@example.org')).toBeUndefined();
  });
});

describe('references', () => {
  it('are QB-XXXX-XX in an unambiguous alphabet', () => {
    for (let i = 0; i < 200; i++) {
      const ref = generateReference();
      expect(ref).toMatch(/^QB-[A-Z0-9]{4}-[A-Z0-9]{2}$/);
      for (const c of ref.slice(3).replace('-', '')) expect(REFERENCE_ALPHABET).toContain(c);
    }
  });
  it('parse what people type', () => {
    expect(parseReference('qb 7k4m 2p')).toBe('QB-7K4M-2P');
    expect(parseReference('7K4M2P')).toBe('QB-7K4M-2P');
    expect(parseReference('QB-7K4M')).toBeUndefined();
  });
});
