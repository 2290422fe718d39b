import { describe, expect, it } from 'vitest';
import {
  BOOKING_MESSAGE_KINDS,
  bookingEventUid,
  escapeHtml,
  manageBookingUrl,
  parseBookingPayload,
  renderBookingEmail,
  type BookingEmailInput,
} from './emails.ts';
import { HREFLANG, LOCALES, languageName } from '#/lib/locales.ts';
import { formatList } from '#/lib/format.ts';
import { getTranslator } from '#/lib/i18n.ts';
import type { DeskFacts } from '#/features/desks/desks.ts';
import { romeToInstant } from '#/lib/time.ts';

const hostile = '<img src=x onerror=alert(1)>';

const input = (over: Partial<BookingEmailInput> = {}): BookingEmailInput => ({
  kind: 'booking_confirmation',
  payload: {
    reference: 'QB-AB12-CD',
    deskSlug: 'quarto-oggiaro',
    start: romeToInstant(2026, 12, 15, 10, 0),
    end: romeToInstant(2026, 12, 15, 10, 30),
    manageToken: 'tok_abcdefghijklmnopqrstuvwxyz',
  },
  desk: { name: 'Sportello Quarto Oggiaro', address: 'Via Lopez 3, Milano', phone: '02 1234567' },
  locale: 'en',
  origin: 'https://qubi.example.org',
  firstName: 'Amina',
  stamp: new Date('2026-12-01T09:00:00Z'),
  ...over,
});

describe('booking emails', () => {
  it('keeps the desk’s phone number on one line, left to right, in an Arabic email too', () => {
    const link = '<a href="tel:+39021234567" dir="ltr" style="white-space:nowrap">';
    expect(renderBookingEmail(input()).html).toContain(link);
    expect(renderBookingEmail(input({ locale: 'ar' })).html).toContain(link);
  });

  it("the desk's closed day: an apology and the link to choose another time or the waiting list, in the family's language", () => {
    const closed = (locale: 'en' | 'ar') =>
      renderBookingEmail(
        input({ kind: 'booking_cancelled', locale, payload: { ...input().payload, dayClosed: true } }),
      );
    const email = closed('en');
    expect(email.subject).toBe('The QuBì help desk is closed on the day of your appointment');
    expect(email.text).toContain('so the appointment is cancelled. We are sorry.');
    expect(email.text).toContain(
      'Choose another time or the waiting list:\nhttps://qubi.example.org/en/prenotazione/gestisci?token=tok_abcdefghijklmnopqrstuvwxyz',
    );
    expect(email.text).toContain('QB-AB12-CD');
    expect(email.ics).toContain('STATUS:CANCELLED');
    const arabic = closed('ar');
    expect(arabic.subject).toBe('مكتب QuBì مغلق في يوم موعدك');
    expect(arabic.html).toContain('href="https://qubi.example.org/ar/prenotazione/gestisci?token=');
    // A cancellation by the family keeps its "book again" link to the desk's page.
    const plain = renderBookingEmail(input({ kind: 'booking_cancelled' }));
    expect(plain.text).not.toContain('gestisci');
  });

  it('confirms with the details, a manage link and a calendar file', () => {
    const email = renderBookingEmail(input());
    expect(email.subject).toBe('Your appointment at a QuBì help desk is confirmed');
    expect(email.text).toContain('Hello Amina,');
    expect(email.text).toContain('10:00–10:30');
    expect(email.text).toContain('15 December 2026');
    expect(email.text).toContain('Via Lopez 3, Milano');
    expect(email.text).toContain('QB-AB12-CD');
    expect(email.manageUrl).toBe(
      'https://qubi.example.org/en/prenotazione/gestisci?token=tok_abcdefghijklmnopqrstuvwxyz',
    );
    expect(email.text).toContain(email.manageUrl);
    expect(email.html).toContain(`href="${email.manageUrl}"`);
    expect(email.html).toContain('<html lang="en" dir="ltr">');
    expect(email.html).toContain('href="tel:+39021234567"');
    expect(email.ics).toContain('UID:booking-QB-AB12-CD@qubi.example.org');
    expect(email.ics).toContain('DTSTART:20261215T090000Z');
    expect(email.ics).toContain('SUMMARY:Sportello Quarto Oggiaro');
    expect(email.ics).toContain('LOCATION:Via Lopez 3\\, Milano');
    expect(email.ics).toContain('SEQUENCE:0');
  });

  it('keeps personal data out of every subject and calendar file, in every language', () => {
    for (const locale of LOCALES) {
      for (const kind of BOOKING_MESSAGE_KINDS) {
        const email = renderBookingEmail(input({ kind, locale, firstName: 'Amina Secret' }));
        expect(email.subject).not.toContain('Amina');
        expect(email.subject).not.toContain('QB-AB12-CD');
        expect(email.subject.trim().length).toBeGreaterThan(5);
        expect(email.ics ?? '').not.toContain('Amina');
        // The manage token is a key to the booking: never in a file that may end up in a shared calendar.
        expect(email.ics ?? '').not.toContain('tok_');
      }
    }
  });

  it('escapes a hostile name and desk text in the HTML', () => {
    const email = renderBookingEmail(
      input({ firstName: hostile, desk: { name: `Desk ${hostile}`, address: '"Via" & <b>', phone: '02 1234567' } }),
    );
    expect(email.html).not.toContain('<img');
    expect(email.html).not.toContain('<b>');
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(email.html).toContain('&quot;Via&quot; &amp; &lt;b&gt;');
    expect(email.subject).not.toContain('<img');
    expect(escapeHtml(`'"<>&`)).toBe('&#39;&quot;&lt;&gt;&amp;');
  });

  it('writes Arabic right to left, with Latin digits', () => {
    const email = renderBookingEmail(input({ locale: 'ar' }));
    expect(email.html).toContain('<html lang="ar" dir="rtl">');
    expect(email.html).toContain('10:00–10:30');
    expect(email.subject).toContain('QuBì');
    expect(email.manageUrl).toContain('/ar/prenotazione/gestisci?token=');
    expect(renderBookingEmail(input({ locale: 'zh' })).html).toContain('<html lang="zh-Hans" dir="ltr">');
  });

  it('sends a reminder without a calendar file, and a move with a higher revision of the same event', () => {
    const reminder = renderBookingEmail(input({ kind: 'booking_reminder' }));
    expect(reminder.ics).toBeUndefined();
    expect(reminder.subject).toContain('tomorrow');
    const moved = renderBookingEmail(
      input({ kind: 'booking_moved', sequence: 42, payload: { ...input().payload, manageToken: null } }),
    );
    expect(moved.ics).toContain('UID:booking-QB-AB12-CD@qubi.example.org');
    expect(moved.ics).toContain('SEQUENCE:42');
    // Without a token (moves do not carry it) the person is told to call the desk.
    expect(moved.manageUrl).toBeUndefined();
    expect(moved.text).toContain('call the help desk');
  });

  it('cancels the calendar entry and links to the desk to book again', () => {
    const email = renderBookingEmail(input({ kind: 'booking_cancelled', sequence: 50 }));
    expect(email.ics).toContain('STATUS:CANCELLED');
    expect(email.manageUrl).toBeUndefined();
    expect(email.text).toContain('https://qubi.example.org/en/sportelli/quarto-oggiaro');
  });

  it('greets without a name when there is none', () => {
    expect(renderBookingEmail(input({ firstName: null, locale: 'it' })).text.startsWith('Ciao,\n')).toBe(true);
  });

  it('reads stored payloads and refuses malformed ones', () => {
    const p = parseBookingPayload({
      reference: 'QB-AB12-CD',
      deskSlug: 'x',
      start: '2026-12-15T09:00:00.000Z',
      end: '2026-12-15T09:30:00.000Z',
      manageToken: null,
    });
    expect(p.start.toISOString()).toBe('2026-12-15T09:00:00.000Z');
    expect(p.manageToken).toBeNull();
    expect(() => parseBookingPayload({ reference: 'x' })).toThrow('malformed');
    expect(manageBookingUrl('https://a.example/', 'es', 'abc')).toBe(
      'https://a.example/es/prenotazione/gestisci?token=abc',
    );
    expect(bookingEventUid('QB-1', 'http://localhost:4321')).toBe('booking-QB-1@localhost');
  });
});

describe('the desk’s "Before you come" block (issue #14)', () => {
  const facts: DeskFacts = {
    languages: ['it', 'en', 'ar'],
    mediatorWeekdays: [2],
    stepFree: true,
    whatToBring: { it: "Un documento d'identità e la tessera sanitaria." },
    transit: 'Passante S Quarto Oggiaro; bus 40, 57',
    coordinates: { latitude: 45.5137, longitude: 9.1371 },
    isSample: true,
  };
  const withFacts = (over: Partial<BookingEmailInput> = {}, f: Partial<DeskFacts> = {}) =>
    renderBookingEmail(input({ desk: { ...input().desk, facts: { ...facts, ...f } }, ...over }));
  const OSM = 'https://www.openstreetmap.org/?mlat=45.5137&mlon=9.1371#map=18/45.5137/9.1371';
  const GEO = 'geo:45.5137,9.1371?q=45.5137,9.1371(Sportello%20Quarto%20Oggiaro)';

  it('says the languages and the mediator’s day, access, what to bring, the lines and the map links, in text and HTML', () => {
    const email = withFacts();
    expect(email.text).toContain('Before you come\n(Example data)\n\nLanguages spoken');
    expect(email.text).toContain(
      [
        'Languages spoken: Italian, English and Arabic',
        'A cultural mediator is also here on: Tuesday.',
        'Access: Step-free: you can come in with a wheelchair or a pushchair.',
        "What to bring: Un documento d'identità e la tessera sanitaria. (only in Italian)",
        'How to get there: Passante S Quarto Oggiaro; bus 40, 57',
      ].join('\n'),
    );
    expect(email.text).toContain(`Open in the OpenStreetMap map\n${OSM}`);
    expect(email.text).toContain(`Open in your phone's map app\n${GEO}`);
    expect(email.html).toContain('<h2>Before you come</h2>');
    expect(email.html).toContain('<p><small>Example data</small></p>');
    expect(email.html).toContain(
      '<dd><span lang="it" dir="auto">Un documento d&#39;identità e la tessera sanitaria.</span> <small>(only in Italian)</small></dd>',
    );
    expect(email.html).toContain('<dd><span lang="it" dir="ltr">Passante S Quarto Oggiaro; bus 40, 57</span></dd>');
    expect(email.html).toContain(`<a href="${OSM.replace(/&/g, '&amp;')}" dir="ltr">`);
    expect(email.html).toContain(`<a href="${GEO}" dir="ltr">`);
    // After the manage link, before the closing words.
    const at = (s: string) => email.text.indexOf(s);
    expect(at('Before you come')).toBeGreaterThan(at(email.manageUrl!));
    expect(at('Before you come')).toBeLessThan(at('QuBì'));
  });

  it('in the reminder and the move too, not in a cancellation', () => {
    expect(withFacts({ kind: 'booking_reminder' }).text).toContain('Languages spoken: Italian, English and Arabic');
    expect(withFacts({ kind: 'booking_moved' }).html).toContain('<h2>Before you come</h2>');
    const cancelled = withFacts({ kind: 'booking_cancelled' });
    expect(cancelled.text).not.toContain('Before you come');
    expect(cancelled.html).not.toContain('openstreetmap');
    const closed = withFacts({ kind: 'booking_cancelled', payload: { ...input().payload, dayClosed: true } });
    expect(closed.text).not.toContain('Before you come');
  });

  it('carries only the facts the desk has: no empty heading, no label without a value', () => {
    const none = withFacts(
      {},
      { languages: [], mediatorWeekdays: [], stepFree: null, whatToBring: null, transit: null, coordinates: null },
    );
    expect(none.text).not.toContain('Before you come');
    expect(none.html).not.toContain('<h2>');
    const mapOnly = withFacts({}, { languages: [], stepFree: null, whatToBring: null, transit: null, isSample: false });
    expect(mapOnly.text).toContain(`Before you come\n\nOpen in the OpenStreetMap map\n${OSM}`);
    for (const label of ['Languages spoken', 'Access', 'What to bring', 'How to get there', 'Example data'])
      expect(mapOnly.text).not.toContain(label);
    const steps = withFacts({}, { stepFree: false, mediatorWeekdays: [], coordinates: null });
    expect(steps.text).toContain('Languages spoken: Italian, English and Arabic\nAccess: There are steps');
    expect(steps.text).not.toContain('mediator');
    expect(steps.text).not.toContain('openstreetmap');
  });

  it('gives what to bring in the reader’s language when the desk has it, unmarked', () => {
    const email = withFacts({}, { whatToBring: { it: 'Un documento.', en: 'An identity document.' } });
    expect(email.text).toContain('What to bring: An identity document.\n');
    expect(email.text).not.toContain('only in Italian');
    expect(withFacts({ locale: 'it' }).text).toContain(
      "Cosa portare: Un documento d'identità e la tessera sanitaria.\n",
    );
  });

  for (const locale of LOCALES) {
    it(`in ${locale}: the block in the reader’s language and direction, links only to the site, OpenStreetMap, geo: and tel:`, () => {
      const t = getTranslator(locale);
      for (const kind of ['booking_confirmation', 'booking_reminder', 'booking_moved'] as const) {
        const email = withFacts({ kind, locale });
        for (const key of ['desks.facts.title', 'desks.facts.languages', 'desks.facts.access', 'common.sampleData']) {
          expect(email.text).toContain(t(key));
          expect(email.html).toContain(escapeHtml(t(key)));
        }
        expect(email.text).toContain(t('desks.facts.stepFree.yes'));
        expect(email.text).toContain(
          formatList(
            ['it', 'en', 'ar'].map((c) => languageName(c, locale)),
            locale,
          ),
        );
        if (locale !== 'it') expect(email.text).toContain(t('common.onlyItalian'));
        expect(email.html).toContain(`<html lang="${HREFLANG[locale]}" dir="${locale === 'ar' ? 'rtl' : 'ltr'}">`);
        const hrefs = [...email.html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
        expect(hrefs).toContain(OSM.replace(/&/g, '&amp;'));
        expect(hrefs).toContain(GEO);
        for (const href of hrefs)
          expect(href).toMatch(/^(https:\/\/qubi\.example\.org\/|https:\/\/www\.openstreetmap\.org\/\?|geo:|tel:)/);
        // Nothing is loaded from anywhere: no image, style sheet, frame or script.
        expect(email.html).not.toMatch(/<(img|link|script|iframe|object|embed)\b|\ssrc=|url\(/i);
      }
    });
  }

  it('escapes a hostile what to bring and lines', () => {
    const email = withFacts({}, { whatToBring: { it: hostile }, transit: `bus ${hostile}` });
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});
