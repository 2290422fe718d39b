import { describe, expect, it } from 'vitest';
import {
  askedPath,
  bookingPath,
  cancelByReferencePath,
  eventIcsPath,
  eventsFilePath,
  keptQuery,
  managePath,
  pagePath,
  pledgeManagePath,
  pledgePath,
  readParams,
  staffPath,
  switchLocale,
  volunteerPath,
} from './paths.ts';

describe('paths', () => {
  it('builds locale-prefixed paths', () => {
    expect(pagePath('ar', 'desks')).toBe('/ar/sportelli');
    expect(pagePath('it')).toBe('/it');
    expect(eventIcsPath('en', 'festa-di-natale-2026')).toBe('/en/eventi/festa-di-natale-2026.ics');
  });
  it('builds the booking flow addresses with only the given query values', () => {
    expect(bookingPath('ar', 'gallaratese')).toBe('/ar/sportelli/gallaratese/prenota');
    expect(bookingPath('it', 'gallaratese', 'dettagli', { slot: '2026-12-02T13:00:00.000Z', topic: '' })).toBe(
      '/it/sportelli/gallaratese/prenota/dettagli?slot=2026-12-02T13%3A00%3A00.000Z',
    );
    expect(managePath('en', 'abc', { azione: 'sposta' })).toBe('/en/prenotazione/gestisci?token=abc&azione=sposta');
    expect(cancelByReferencePath('zh')).toBe('/zh/prenotazione/annulla');
  });
  it('builds the campaign and volunteer addresses under the locale', () => {
    expect(pledgePath('ar', 'dona')).toBe('/ar/zaino-sospeso/dona');
    expect(pledgePath('it', 'grazie', { c: 'a.b.c' })).toBe('/it/zaino-sospeso/grazie?c=a.b.c');
    expect(pledgeManagePath('en', 'tok', { azione: 'annulla' })).toBe(
      '/en/zaino-sospeso/gestisci?token=tok&azione=annulla',
    );
    expect(volunteerPath('zh')).toBe('/zh/volontari');
    expect(volunteerPath('es', 'ritira', { token: '1.x' })).toBe('/es/volontari/ritira?token=1.x');
  });
  it('builds the staff area and the events files under the locale', () => {
    expect(staffPath('en')).toBe('/en/staff');
    expect(staffPath('it', 'account', 'due-fattori')).toBe('/it/staff/account/due-fattori');
    expect(staffPath('it', 'agenda', 'quarto-oggiaro', 'impostazioni')).toBe(
      '/it/staff/agenda/quarto-oggiaro/impostazioni',
    );
    // The staff area is in Italian and English only: any other language gets the Italian page.
    expect(staffPath('ar', 'accesso')).toBe('/it/staff/accesso');
    expect(eventsFilePath('zh', 'feed.xml')).toBe('/zh/eventi/feed.xml');
  });
  it('switches the language and keeps the page', () => {
    expect(switchLocale('/it/sportelli/gallaratese', 'zh')).toBe('/zh/sportelli/gallaratese');
    expect(switchLocale('/en', 'ar')).toBe('/ar');
    expect(switchLocale('/en/', 'es')).toBe('/es');
    expect(switchLocale('/nowhere', 'en')).toBe('/en/nowhere');
  });
});

describe('query parameters in links', () => {
  it('keeps only the parameters a page reads', () => {
    const params = new URLSearchParams('utm_source=x&municipio=8&fbclid=y&zz=1');
    expect(keptQuery(params, readParams('/[locale]/sportelli') ?? [])).toBe('?municipio=8');
    expect(keptQuery(params, readParams('/[locale]/faq') ?? [])).toBe('');
    expect(readParams('/[locale]/not-listed')).toBeUndefined();
    expect(readParams('constructor')).toBeUndefined();
  });
  it('gives the path asked for on a page reached by a rewrite, encoded again', () => {
    expect(askedPath(new URL('http://x/404'), '/ar/sportelli/no such')).toBe('/ar/sportelli/no%20such');
    expect(askedPath(new URL('http://x/it/faq.html'), '/it/faq.html')).toBe('/it/faq');
  });
});
