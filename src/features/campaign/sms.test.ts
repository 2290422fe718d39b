import { describe, expect, it } from 'vitest';
import { LATIN_LOCALES, LOCALES } from '#/lib/locales.ts';
import { measureSms } from '#/server/sms/encoding.ts';
import deskSeed from '../../../db/seed/desks.json' with { type: 'json' };
import { renderVerificationSms } from '#/features/verification/sms.ts';
import { renderPledgeSms, type PledgeSmsKind } from './sms.ts';
import { renderWindowSms } from './window-notice.ts';

// The longest real values: the seeded drop-off point with the longest name (a desk: "Spazio QuBì <area>"),
// a 20-character manage token, the production address, every day of a year at 10:30.
const point = {
  name: `Spazio QuBì ${deskSeed.desks.map((d) => d.area).reduce((a, b) => (b.length > a.length ? b : a))}`,
};
const ORIGIN = 'https://qubi.comune.milano.it';
const DAYS = Array.from({ length: 366 }, (_, i) => new Date(Date.UTC(2027, 0, 1 + i, 9, 30)));
const KINDS: PledgeSmsKind[] = ['pledge_confirmation', 'pledge_reminder'];

describe('pledge and verification SMS', () => {
  for (const locale of LOCALES) {
    for (const kind of KINDS) {
      it(`${kind} in ${locale} fits 2 segments with the window, the point and the link`, () => {
        for (const start of DAYS) {
          const payload = {
            reference: 'ZS-WWWW-WW',
            campaignSlug: 'c',
            windowId: 1,
            pointSlug: 'p',
            start,
            end: start,
            lines: [{ item: 'x', quantity: 1 }],
            manageToken: 'Ab3_Ab3_Ab3_Ab3_Ab3_',
          };
          const text = renderPledgeSms({ kind, payload, point, locale, origin: ORIGIN });
          const measure = measureSms(text);
          expect(measure.encoding, text).toBe(LATIN_LOCALES.has(locale) ? 'gsm7' : 'ucs2');
          expect(measure.segments, text).toBeLessThanOrEqual(2);
          expect(text).toContain('ZS-WWWW-WW');
          expect(text).toContain(`${ORIGIN}/g/Ab3_Ab3_Ab3_Ab3_Ab3_`);
        }
      });
    }

    it(`a pledge released by its window's change in ${locale} fits 2 segments with the point and the link`, () => {
      for (const oldStart of DAYS) {
        const notice = {
          reference: '',
          pointName: point.name,
          change: 'cancelled' as const,
          oldStart,
          oldEnd: oldStart,
          start: null,
          end: null,
          released: true,
        };
        const text = renderWindowSms(notice, locale, ORIGIN);
        const measure = measureSms(text);
        expect(measure.encoding, text).toBe(LATIN_LOCALES.has(locale) ? 'gsm7' : 'ucs2');
        expect(measure.segments, `${text} (${measure.units})`).toBeLessThanOrEqual(2);
        expect(text).toContain(`${ORIGIN}/${locale}/zaino-sospeso`);
      }
    });

    it(`verification_code of a pledge (30 minutes) in ${locale} carries the code in one segment`, () => {
      const text = renderVerificationSms(locale, '987654', 30);
      expect(text).toContain('987654');
      expect(text).toMatch(/30/);
      expect(measureSms(text)).toMatchObject({
        encoding: LATIN_LOCALES.has(locale) ? 'gsm7' : 'ucs2',
        segments: 1,
      });
    });

    it(`verification_code in ${locale} carries the code in one segment`, () => {
      const text = renderVerificationSms(locale, '987654');
      expect(text).toContain('987654');
      expect(measureSms(text)).toMatchObject({
        encoding: LATIN_LOCALES.has(locale) ? 'gsm7' : 'ucs2',
        segments: 1,
      });
    });
  }
});
