import { describe, expect, it } from 'vitest';
import { LATIN_LOCALES, LOCALES } from '#/lib/locales.ts';
import { measureSms } from '#/server/sms/encoding.ts';
import { smsText, smsWhen } from '#/features/booking/sms.ts';
import { DATE_NOTICE_KINDS, renderDateNoticeSms, type ListStanding } from './date-notice-messages.ts';

// The longest real values, as registration-messages.test.ts: a reference, the production address,
// every day of a year at 14:30 (the longest weekday and month names), a 200-character title (the
// form's limit) and the longest series slug (an 80-character title, its year and a "-99"). A waiting
// family's "moved" (event_date_moved_waiting) in each of its standings, an offer's deadline on every
// day too (an hour before the start, as the offer rule holds it at the latest).
const ORIGIN = 'https://qubi.comune.milano.it';
const DAYS = Array.from({ length: 366 }, (_, i) => new Date(Date.UTC(2027, 0, 1 + i, 13, 30)));
const LONG_TITLE = 'Laboratorio di lettura ad alta voce per bambine e bambini '.repeat(4).slice(0, 200);
const SERIES_SLUG = `${'laboratorio-di-lettura-ad-alta-voce-per-bambine-e-bambini-con-le-famiglie-del-qu'.slice(0, 80)}-2027-99`;
const SHORT_TITLE = 'Merenda';

const STANDINGS = (start: Date): (ListStanding | undefined)[] => [
  { status: 'waiting' },
  { status: 'offered', until: new Date(start.getTime() - 3_600_000), seats: 10 },
  { status: 'offerEnded' },
];

describe('date notice SMS', () => {
  for (const locale of LOCALES)
    for (const kind of DATE_NOTICE_KINDS)
      for (const seriesSlug of [null, SERIES_SLUG])
        it(`${kind}${seriesSlug ? ' (series)' : ''} in ${locale} fits 2 segments, ${LATIN_LOCALES.has(locale) ? 'GSM-7' : 'UCS-2'}`, () => {
          for (const start of DAYS)
            for (const standing of kind === 'event_date_moved_waiting' ? STANDINGS(start) : [undefined])
              for (const title of [LONG_TITLE, SHORT_TITLE]) {
                const list = standing !== undefined;
                const text = renderDateNoticeSms({
                  kind,
                  locale,
                  origin: ORIGIN,
                  start,
                  title,
                  payload: { reference: 'QE-WWWW-WW', eventSlug: 'x', seriesSlug, list },
                  ...(standing ? { standing } : {}),
                });
                const m = measureSms(text);
                expect(m.encoding).toBe(LATIN_LOCALES.has(locale) ? 'gsm7' : 'ucs2');
                expect(m.segments).toBeLessThanOrEqual(2);
                expect(text).toContain('QE-WWWW-WW');
                // The activity is named: all of a short title, the start of a long one.
                expect(text).toContain(title === SHORT_TITLE ? SHORT_TITLE : LONG_TITLE.slice(0, 15));
              }
        });

  it('a waiting family is told where it stands, never the signed-up families\' "your seats are kept"', () => {
    const start = DAYS[130]!;
    const until = new Date(start.getTime() - 3_600_000);
    for (const locale of LOCALES) {
      const render = (kind: (typeof DATE_NOTICE_KINDS)[number], standing?: ListStanding) =>
        renderDateNoticeSms({
          kind,
          locale,
          origin: ORIGIN,
          start,
          title: SHORT_TITLE,
          payload: { reference: 'QW-WWWW-WW', eventSlug: 'x', seriesSlug: null, list: true },
          ...(standing ? { standing } : {}),
        });
      const texts = [
        render('event_date_moved'),
        render('event_date_moved_waiting', { status: 'waiting' }),
        render('event_date_moved_waiting', { status: 'offered', until, seats: 3 }),
        render('event_date_moved_waiting', { status: 'offerEnded' }),
      ];
      expect(new Set(texts).size).toBe(4);
      for (const text of texts) expect(text).toContain(smsText(smsWhen(start, locale), locale));
      expect(texts[2]).toContain(smsText(smsWhen(until, locale), locale));
    }
    const en = (standing: ListStanding) =>
      renderDateNoticeSms({
        kind: 'event_date_moved_waiting',
        locale: 'en',
        origin: ORIGIN,
        start,
        title: SHORT_TITLE,
        payload: { reference: 'QW-WWWW-WW', eventSlug: 'x', seriesSlug: null, list: true },
        standing,
      });
    expect(en({ status: 'waiting' })).toBe(
      'QuBì: "Merenda" has moved to Tue 11 May 15:30. You are still on the waiting list, ref. QW-WWWW-WW.',
    );
    expect(en({ status: 'offered', until, seats: 3 })).toContain('held until Tue 11 May 14:30');
    expect(en({ status: 'offerEnded' })).toContain('too soon to hold the seats offered to you');
  });

  it('a series with a short title keeps the link to its other dates in every language', () => {
    for (const locale of LOCALES) {
      const text = renderDateNoticeSms({
        kind: 'event_date_cancelled',
        locale,
        origin: ORIGIN,
        start: DAYS[200]!,
        title: SHORT_TITLE,
        payload: { reference: 'QE-WWWW-WW', eventSlug: 'x', seriesSlug: 'merenda-2027', list: false },
      });
      expect(text).toContain(`qubi.comune.milano.it/${locale}/eventi/merenda-2027`);
    }
  });

  it('GSM-7 languages keep the long series link with a recognisable title', () => {
    for (const locale of ['it', 'en', 'es'] as const) {
      const text = renderDateNoticeSms({
        kind: 'event_date_cancelled',
        locale,
        origin: ORIGIN,
        start: DAYS[0]!,
        title: LONG_TITLE,
        payload: { reference: 'QE-WWWW-WW', eventSlug: 'x', seriesSlug: SERIES_SLUG, list: false },
      });
      expect(text).toContain(SERIES_SLUG);
      expect(text).toContain(LONG_TITLE.slice(0, 24));
    }
  });
});
