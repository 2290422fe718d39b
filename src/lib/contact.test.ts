import { describe, expect, it } from 'vitest';
import { contactKey, contactKeys, normalizeEmail, normalizePhone, toLatinDigits } from './contact.ts';

describe('phone numbers', () => {
  it('normalises Italian and international numbers to E.164', () => {
    expect(normalizePhone('351 681 8198')).toBe('+393516818198');
    expect(normalizePhone('+39 351-681-8198')).toBe('+393516818198');
    expect(normalizePhone('0039 (351) 6818198')).toBe('+393516818198');
    expect(normalizePhone('02 1234 5678')).toBe('+390212345678');
    expect(normalizePhone('+212 600 123456')).toBe('+212600123456');
    expect(normalizePhone('+44 (0) 20 7946 0958')).toBe('+442079460958');
  });

  it('reads Arabic-Indic and Persian digits and spaces', () => {
    expect(toLatinDigits('٣٥١ ٦٨١ ٨١٩٨')).toBe('351 681 8198');
    expect(toLatinDigits('۰۱۲۳۴۵۶۷۸۹')).toBe('0123456789');
    expect(toLatinDigits('QB-7K4M-2P')).toBe('QB-7K4M-2P');
    expect(normalizePhone('٣٥١ ٦٨١ ٨١٩٨')).toBe('+393516818198');
    expect(normalizePhone('۰۰۳۹ ۳۵۱ ۶۸۱ ۸۱۹۸')).toBe('+393516818198');
  });

  it('refuses what is not a number that exists', () => {
    for (const bad of [
      'call me',
      '12',
      '300 000 1111',
      '123456789',
      '+39 0000000000',
      '0039333',
      "351'; DROP TABLE booking;--",
      '3'.repeat(60),
    ])
      expect(normalizePhone(bad), bad).toBeUndefined();
  });
});

describe('email addresses', () => {
  it('accepts plain addresses only, lower-cased', () => {
    expect(normalizeEmail(' Amina@Example.org ')).toBe('amina@example.org');
    expect(normalizeEmail('no-at-sign')).toBeUndefined();
    expect(normalizeEmail('a@b')).toBeUndefined();
    expect(normalizeEmail('<script>@x.org')).toBeUndefined();
    expect(normalizeEmail('a\u0000b@example.org')).toBeUndefined();
  });
});

describe('contact keys (what per-contact limits count by)', () => {
  it('counts every spelling of one phone as one contact', () => {
    const keys = ['+39 333 123 4567', '333 1234567', '0039 333 123 4567', '٣٣٣١٢٣٤٥٦٧', '+39-333-123-4567'].map(
      contactKey,
    );
    expect(new Set(keys)).toEqual(new Set(['+393331234567']));
  });

  it('counts an address with or without its +tag, in any case, as one contact', () => {
    expect(contactKey('a+x@B.it')).toBe('a@b.it');
    expect(contactKey(' A@b.IT')).toBe('a@b.it');
    expect(contactKey('a+x+y@b.it')).toBe('a@b.it');
    expect(contactKey('b@b.it')).not.toBe(contactKey('a@b.it'));
    // Without a local part before the tag there is nothing to keep apart: it stays as typed.
    expect(contactKey('+x@b.it')).toBe('+x@b.it');
  });

  it('gives every contact of a form once', () => {
    expect(contactKeys(['333 123 4567', 'A+news@b.it', null, '', '+393331234567'])).toEqual([
      '+393331234567',
      'a@b.it',
    ]);
  });
});
