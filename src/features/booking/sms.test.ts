import { describe, expect, it } from 'vitest';
import { LATIN_LOCALES, LOCALES, type Locale } from '#/lib/locales.ts';
import { measureSms, toGsmText } from '#/server/sms/encoding.ts';
import deskSeed from '../../../db/seed/desks.json' with { type: 'json' };
import { BOOKING_MESSAGE_KINDS } from './emails.ts';
import { renderBookingSms, renderSmsHelp, shortManageUrl, type SmsDesk } from './sms.ts';
import { getTranslator } from '#/lib/i18n.ts';
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

/** The desk's access as staff confirmed it (the SMS leaves sample facts out). */
const ACCESS = [undefined, { stepFree: true, isSample: false }, { stepFree: false, isSample: false }];

function bookingSmsAllYear(
  kind: (typeof BOOKING_MESSAGE_KINDS)[number],
  locale: Locale,
  manageToken: string | null,
  facts?: SmsDesk['facts'],
) {
  return DAYS.map((start) =>
    renderBookingSms({
      kind,
      locale,
      origin: ORIGIN,
      desk: { ...desk, ...(facts ? { facts } : {}) },
      payload: { reference: 'QB-WWWW-WW', deskSlug: 'x', start, end: start, manageToken },
    }),
  );
}

function longestBookingSms(
  kind: (typeof BOOKING_MESSAGE_KINDS)[number],
  locale: Locale,
  manageToken: string | null,
  facts?: SmsDesk['facts'],
) {
  return longest(bookingSmsAllYear(kind, locale, manageToken, facts));
}

describe('booking SMS', () => {
  for (const locale of LOCALES) {
    for (const kind of BOOKING_MESSAGE_KINDS) {
      it(`${kind} in ${locale} fits 2 segments in ${LATIN_LOCALES.has(locale) ? 'GSM-7' : 'UCS-2'} with the longest values`, () => {
        for (const token of [TOKEN, null]) {
          for (const facts of ACCESS) {
            const text = longestBookingSms(kind, locale, token, facts);
            const measure = measureSms(text);
            expect(measure.encoding, text).toBe(LATIN_LOCALES.has(locale) ? 'gsm7' : 'ucs2');
            expect(measure.segments, `${text} (${measure.units})`).toBeLessThanOrEqual(2);
          }
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

  // The desk's step-free access (issue #14), the one desk fact an SMS has room for (docs/booking.md).
  const VISITS = ['booking_confirmation', 'booking_reminder', 'booking_moved'] as const;
  for (const locale of LOCALES) {
    it(`says in ${locale} whether the entrance is step-free, whenever the SMS has no link, every day of the year`, () => {
      const t = getTranslator(locale);
      for (const kind of VISITS) {
        for (const stepFree of [true, false]) {
          const fact = t(stepFree ? 'sms.booking.stepFree.yes' : 'sms.booking.stepFree.no');
          for (const text of bookingSmsAllYear(kind, locale, null, { stepFree, isSample: false }))
            expect(text).toContain(LATIN_LOCALES.has(locale) ? toGsmText(fact) : fact);
        }
      }
    });
  }

  for (const locale of [...LATIN_LOCALES]) {
    it(`says in ${locale} whether the entrance is step-free beside the manage link too`, () => {
      const t = getTranslator(locale);
      for (const kind of VISITS) {
        for (const stepFree of [true, false]) {
          const fact = toGsmText(t(stepFree ? 'sms.booking.stepFree.yes' : 'sms.booking.stepFree.no'));
          for (const text of bookingSmsAllYear(kind, locale, TOKEN, { stepFree, isSample: false })) {
            // Before the link, which stays last.
            expect(text).toContain(`${fact} `);
            expect(text.endsWith(`${ORIGIN}/g/${TOKEN}`)).toBe(true);
          }
        }
      }
    });
  }

  it('leaves the access out when it is not known, is sample data, or the message is a cancellation', () => {
    const start = new Date('2026-12-14T09:30:00Z');
    const payload = { reference: 'QB-7K4M-2P', deskSlug: 'x', start, end: start, manageToken: TOKEN };
    const render = (facts: SmsDesk['facts'], kind: (typeof BOOKING_MESSAGE_KINDS)[number] = 'booking_confirmation') =>
      renderBookingSms({ kind, locale: 'en', origin: ORIGIN, desk: { ...desk, facts }, payload });
    const plain = renderBookingSms({ kind: 'booking_confirmation', locale: 'en', origin: ORIGIN, desk, payload });
    expect(plain).not.toMatch(/step/i);
    expect(render({ stepFree: null, isSample: false })).toBe(plain);
    expect(render({ stepFree: true, isSample: true })).toBe(plain);
    expect(render({ stepFree: true, isSample: false })).toBe(
      plain.replace('Change or cancel:', 'Step-free entrance. Change or cancel:'),
    );
    expect(render({ stepFree: false, isSample: false }, 'booking_cancelled')).not.toMatch(/step/i);
    // In a UCS-2 language a confirmation with its link has no room left: the link's page has the facts.
    const ar = renderBookingSms({
      kind: 'booking_confirmation',
      locale: 'ar',
      origin: ORIGIN,
      desk: { ...desk, facts: { stepFree: true, isSample: false } },
      payload,
    });
    expect(measureSms(ar).segments).toBeLessThanOrEqual(2);
    expect(ar).toContain(`${ORIGIN}/g/${TOKEN}`);
    expect(ar).not.toContain(getTranslator('ar')('sms.booking.stepFree.yes'));
  });

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
