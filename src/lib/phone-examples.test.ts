// The phone numbers the site shows as examples (hints, error messages) are fictitious — never one of
// the desks' real numbers, which families would then call or type as their own — and in Arabic each
// sits in a left-to-right isolate (U+2066 … U+2069), without which its digit groups read in reverse.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { LOCALES } from './locales.ts';
import { messages } from './i18n.ts';
import { normalizePhone } from './contact.ts';

const seededDesks: { desks: { phone: string }[] } = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, '../../db/seed/desks.json'), 'utf8'),
);
const digits = (s: string) => s.replace(/\D/g, '');
const deskNumbers = seededDesks.desks.map((d) => digits(d.phone));
/** "312 345 6789", "+39 02 1234 5678": three or more groups of digits separated by spaces. */
const PHONE = /\+?\d{2,4}(?: \d{2,4}){2,}/g;

describe('phone numbers in the texts', () => {
  it('finds the seeded desks’ numbers to compare with', () => {
    expect(deskNumbers).toEqual(['3516818198', '3451552523', '3332683456']);
  });

  it.each(LOCALES)('%s: no example is a desk’s real number', (locale) => {
    const real = Object.entries(messages[locale]).filter(([, text]) =>
      deskNumbers.some((n) => digits(text).includes(n)),
    );
    expect(real.map(([key]) => key)).toEqual([]);
  });

  it.each(LOCALES)('%s: every example is a number the forms accept', (locale) => {
    const examples = Object.values(messages[locale]).flatMap((text) => [...text.matchAll(PHONE)].map((m) => m[0]));
    expect(examples.length).toBeGreaterThan(0);
    expect(examples.filter((example) => !normalizePhone(example))).toEqual([]);
  });

  it('ar: every number is isolated left to right', () => {
    const bare = Object.entries(messages.ar).flatMap(([key, text]) =>
      [...text.matchAll(PHONE)]
        .filter((m) => text[m.index - 1] !== '\u2066' || text[m.index + m[0].length] !== '\u2069')
        .map(() => key),
    );
    expect(bare).toEqual([]);
    expect(Object.values(messages.ar).join('\n')).toContain('\u2066312 345 6789\u2069');
  });
});
