import { describe, expect, it } from 'vitest';
import { LATIN_LOCALES, LOCALES } from '#/lib/locales.ts';
import { measureSms } from '#/server/sms/encoding.ts';
import { REGISTRATION_MESSAGE_KINDS, renderRegistrationSms } from './registration-messages.ts';

// The longest real values: a reference, a party of 10, a 20-character token, the production
// address, and every day of a year at 14:30 (the longest weekday and month names).
const ORIGIN = 'https://qubi.comune.milano.it';
const DAYS = Array.from({ length: 366 }, (_, i) => new Date(Date.UTC(2027, 0, 1 + i, 13, 30)));

describe('sign-up SMS', () => {
  for (const locale of LOCALES)
    for (const kind of REGISTRATION_MESSAGE_KINDS)
      it(`${kind} in ${locale} fits 2 segments, ${LATIN_LOCALES.has(locale) ? 'GSM-7' : 'UCS-2'}`, () => {
        for (const start of DAYS) {
          const text = renderRegistrationSms({
            kind,
            locale,
            origin: ORIGIN,
            start,
            payload: { reference: 'QE-WWWW-WW', eventSlug: 'x', seats: 10, cancelToken: 'Ab3_Ab3_Ab3_Ab3_Ab3_' },
          });
          const m = measureSms(text);
          expect(m.encoding).toBe(LATIN_LOCALES.has(locale) ? 'gsm7' : 'ucs2');
          expect(m.segments).toBeLessThanOrEqual(2);
          expect(text).toContain('QE-WWWW-WW');
          expect(text).toContain('/g/Ab3_Ab3_Ab3_Ab3_Ab3_');
        }
      });
});
