import { describe, expect, it } from 'vitest';
import { codeEmailTarget, codeMatches, generateCode, hashCode, maskEmail, maskPhone, parseCodeInput } from './code.ts';

describe('verification codes', () => {
  it('draws six digits, leading zeros kept, not the same twice in a row', () => {
    const codes = Array.from({ length: 200 }, generateCode);
    for (const c of codes) expect(c).toMatch(/^[0-9]{6}$/);
    expect(new Set(codes).size).toBeGreaterThan(190);
  });

  it('matches a code only against the hash of its own hold and secret', () => {
    const hash = hashCode('secret', 7, '123456');
    expect(hash).not.toContain('123456');
    expect(codeMatches('secret', 7, '123456', hash)).toBe(true);
    expect(codeMatches('secret', 8, '123456', hash)).toBe(false);
    expect(codeMatches('other', 7, '123456', hash)).toBe(false);
    expect(codeMatches('secret', 7, '123457', hash)).toBe(false);
  });

  it('reads codes as people type them', () => {
    expect(parseCodeInput('123456')).toBe('123456');
    expect(parseCodeInput(' 123 456 ')).toBe('123456');
    expect(parseCodeInput('123-456')).toBe('123456');
    expect(parseCodeInput('١٢٣٤٥٦')).toBe('123456');
    expect(parseCodeInput('۱۲۳ ۴۵۶')).toBe('123456');
    expect(parseCodeInput('\u200f٠٠٩ ٨٧٦')).toBe('009876');
  });

  it('refuses anything but six digits', () => {
    for (const bad of ['', '12345', '1234567', '12a456', '１２３４５６', null, 123456, 'x'.repeat(100)])
      expect(parseCodeInput(bad)).toBeUndefined();
  });

  it('masks the contact the code went to', () => {
    expect(maskPhone('+393001234567')).toBe('+39 ••• 4567');
    expect(maskPhone('3001234567')).toBe('••• 4567');
    expect(maskEmail('maria.rossi@example.org')).toBe('m•••@example.org');
    expect(maskPhone('+393001234567')).not.toContain('300123');
  });
});

describe('"use email instead"', () => {
  it('sends to the address typed, else to the one given; nothing when neither is an address', () => {
    expect(codeEmailTarget(' Nadia@Example.org ', 'old@example.org')).toBe('nadia@example.org');
    expect(codeEmailTarget('', 'given@example.org')).toBe('given@example.org');
    expect(codeEmailTarget('   ', null)).toBeUndefined();
    expect(codeEmailTarget('not an address', 'given@example.org')).toBeUndefined();
  });
});
