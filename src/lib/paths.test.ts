import { describe, expect, it } from 'vitest';
import { askedPath, eventIcsPath, keptQuery, pagePath, readParams, switchLocale } from './paths.ts';

describe('paths', () => {
  it('builds locale-prefixed paths', () => {
    expect(pagePath('ar', 'desks')).toBe('/ar/sportelli');
    expect(pagePath('it')).toBe('/it');
    expect(eventIcsPath('en', 'festa-di-natale-2026')).toBe('/en/eventi/festa-di-natale-2026.ics');
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
