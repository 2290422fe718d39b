import { describe, expect, it } from 'vitest';
import { LATIN_LOCALES, LOCALES } from '#/lib/locales.ts';
import { measureSms } from '#/server/sms/encoding.ts';
import { WAIT_SMS_KEYS, renderWaitSms } from './wait-sms.ts';

// The longest real values: a party of 10, the 20-character status token, the production address,
// a desk area longer than the seed's longest (Quarto Oggiaro, 14), and every day of a year at 14:30 (the longest weekday and month names).
const ORIGIN = 'https://qubi.comune.milano.it';
const DAYS = Array.from({ length: 366 }, (_, i) => new Date(Date.UTC(2027, 0, 1 + i, 13, 30)));

describe('waiting-list SMS', () => {
  for (const locale of LOCALES)
    for (const key of WAIT_SMS_KEYS)
      it(`${key} in ${locale} fits 2 segments, ${LATIN_LOCALES.has(locale) ? 'GSM-7' : 'UCS-2'}`, () => {
        for (const start of DAYS) {
          const text = renderWaitSms({
            key,
            locale,
            origin: ORIGIN,
            token: 'Ab3_Ab3_Ab3_Ab3_Ab3_',
            seats: 10,
            start,
            until: new Date(start.getTime() - 3_600_000),
            desk: 'Quarto Oggiaro Certosa',
          });
          const m = measureSms(text);
          expect(m.encoding).toBe(LATIN_LOCALES.has(locale) ? 'gsm7' : 'ucs2');
          expect(m.segments).toBeLessThanOrEqual(2);
          expect(text).toContain('/g/Ab3_Ab3_Ab3_Ab3_Ab3_');
        }
      });
});
