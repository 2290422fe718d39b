import { describe, expect, it } from 'vitest';
import { LATIN_LOCALES, LOCALES, type Locale } from '#/lib/locales.ts';
import { measureSms } from '#/server/sms/encoding.ts';
import deskSeed from '../../../db/seed/desks.json' with { type: 'json' };
import { BOOKING_MESSAGE_KINDS } from './emails.ts';
import { renderBookingSms, renderSmsHelp, shortManageUrl } from './sms.ts';
import { parseCancelReply } from './sms-replies.ts';

// The longest real values: the seeded desk with the longest name and phone, a reference, a 20-character
// manage token, the production address, and every day of a year at 10:30 (the longest weekday and month names).
const longest = (values: string[]) => values.reduce((a, b) => (b.length > a.length ? b : a));
const desk = {
  name: `Spazio QuBì ${longest(deskSeed.desks.map((d) => d.area))}`,
  area: longest(deskSeed.desks.map((d) => d.area)),
  phone: longest(deskSeed.desks.map((d) => d.phone)),
};
const ORIGIN = 'https://qubi.comune.milano.it';
const TOKEN = 'Ab3_Ab3_Ab3_Ab3_Ab3_';
const DAYS = Array.from({ length: 366 }, (_, i) => new Date(Date.UTC(2027, 0, 1 + i, 9, 30)));

function longestBookingSms(kind: (typeof BOOKING_MESSAGE_KINDS)[number], locale: Locale, manageToken: string | null) {
  return longest(
    DAYS.map((start) =>
      renderBookingSms({
        kind,
        locale,
        origin: ORIGIN,
        desk,
        payload: { reference: 'QB-WWWW-WW', deskSlug: 'x', start, end: start, manageToken },
      }),
    ),
  );
}

describe('booking SMS', () => {
  for (const locale of LOCALES) {
    for (const kind of BOOKING_MESSAGE_KINDS) {
      it(`${kind} in ${locale} fits 2 segments in ${LATIN_LOCALES.has(locale) ? 'GSM-7' : 'UCS-2'} with the longest values`, () => {
        for (const token of [TOKEN, null]) {
          const text = longestBookingSms(kind, locale, token);
          const measure = measureSms(text);
          expect(measure.encoding, text).toBe(LATIN_LOCALES.has(locale) ? 'gsm7' : 'ucs2');
          expect(measure.segments, `${text} (${measure.units})`).toBeLessThanOrEqual(2);
        }
      });
    }
  }

  for (const locale of LOCALES) {
    it(`the desk's closed day in ${locale} fits 2 segments with the link to choose again`, () => {
      const text = longest(
        DAYS.map((start) =>
          renderBookingSms({
            kind: 'booking_cancelled',
            locale,
            origin: ORIGIN,
            desk,
            payload: { reference: 'QB-WWWW-WW', deskSlug: 'x', start, end: start, manageToken: TOKEN, dayClosed: true },
          }),
        ),
      );
      expect(text).toContain(`${ORIGIN}/g/${TOKEN}`);
      expect(text).toContain('QB-WWWW-WW');
      const measure = measureSms(text);
      expect(measure.encoding, text).toBe(LATIN_LOCALES.has(locale) ? 'gsm7' : 'ucs2');
      expect(measure.segments, `${text} (${measure.units})`).toBeLessThanOrEqual(2);
    });
  }

  it('carries the reference, the desk, day and time, the desk phone and the short manage link', () => {
    const start = new Date('2026-12-14T09:30:00Z');
    const payload = { reference: 'QB-7K4M-2P', deskSlug: 'x', start, end: start, manageToken: TOKEN };
    const it = renderBookingSms({ kind: 'booking_confirmation', locale: 'it', origin: ORIGIN, desk, payload });
    expect(it).toContain('QB-7K4M-2P');
    expect(it).toContain(desk.name);
    expect(it).toContain('lun 14 dic 10:30');
    expect(it).toContain(desk.phone);
    expect(it).toContain(`${ORIGIN}/g/${TOKEN}`);
    expect(shortManageUrl(`${ORIGIN}/`, TOKEN)).toBe(`${ORIGIN}/g/${TOKEN}`);
    const ar = renderBookingSms({ kind: 'booking_confirmation', locale: 'ar', origin: ORIGIN, desk, payload });
    expect(ar).toContain(desk.area);
    expect(ar).toContain('تم تأكيد الموعد');
  });

  it('without a manage link, says how to cancel by reply in the family language', () => {
    const start = new Date('2026-12-14T09:30:00Z');
    const payload = { reference: 'QB-7K4M-2P', deskSlug: 'x', start, end: start, manageToken: null };
    expect(renderBookingSms({ kind: 'booking_moved', locale: 'es', origin: ORIGIN, desk, payload })).toContain(
      'responde CANCELAR QB-7K4M-2P',
    );
    expect(renderBookingSms({ kind: 'booking_reminder', locale: 'zh', origin: ORIGIN, desk, payload })).toContain(
      '取消 QB-7K4M-2P',
    );
  });

  for (const locale of LOCALES) {
    it(`the help answer in ${locale} fits 2 segments with the desk number or the site address`, () => {
      for (const contact of [desk.phone, ORIGIN]) {
        const text = renderSmsHelp(locale, contact);
        expect(text).toContain(contact);
        expect(measureSms(text).segments).toBeLessThanOrEqual(2);
        expect(measureSms(text).encoding).toBe(LATIN_LOCALES.has(locale) ? 'gsm7' : 'ucs2');
      }
    });
  }
});

describe('parseCancelReply', () => {
  it('reads the cancel word of any language and a reference as people type it', () => {
    expect(parseCancelReply('ANNULLA QB-7K4M-2P')).toEqual({ reference: 'QB-7K4M-2P', locale: 'it' });
    expect(parseCancelReply('  annulla qb 7k4m 2p ')).toEqual({ reference: 'QB-7K4M-2P', locale: 'it' });
    expect(parseCancelReply('Cancel QB7K4M2P')).toEqual({ reference: 'QB-7K4M-2P', locale: 'en' });
    expect(parseCancelReply('CANCELAR: QB-7K4M-2P')).toEqual({ reference: 'QB-7K4M-2P', locale: 'es' });
    expect(parseCancelReply('取消 QB-7K4M-2P')).toEqual({ reference: 'QB-7K4M-2P', locale: 'zh' });
    expect(parseCancelReply('إلغاء QB-7K4M-2P')).toEqual({ reference: 'QB-7K4M-2P', locale: 'ar' });
  });

  it('refuses anything else', () => {
    expect(parseCancelReply('ANNULLA')).toBeUndefined();
    expect(parseCancelReply('grazie, a domani')).toBeUndefined();
    expect(parseCancelReply('QB-7K4M-2P')).toBeUndefined();
    expect(parseCancelReply('ANNULLA QB-7K4M-2P per favore')).toBeUndefined();
  });
});
