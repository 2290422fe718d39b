import { describe, expect, it } from 'vitest';
import { isFallback, localize, negotiateLocale, textDirection } from './locales.ts';

describe('negotiateLocale', () => {
  it('falls back to Italian without a header or with only unsupported languages', () => {
    expect(negotiateLocale(undefined)).toBe('it');
    expect(negotiateLocale('')).toBe('it');
    expect(negotiateLocale('fr-FR,fr;q=0.9,de;q=0.8')).toBe('it');
  });
  it('honours quality values and regional variants', () => {
    expect(negotiateLocale('fr;q=0.9,ar-EG;q=0.8,en;q=0.7')).toBe('ar');
    expect(negotiateLocale('en;q=0.2, zh-TW')).toBe('zh');
    expect(negotiateLocale('es-419,es;q=0.9')).toBe('es');
  });
  it('finds Tagalog, Ukrainian and Bengali, Tagalog by its Filipino name too', () => {
    expect(negotiateLocale('bn-BD,bn;q=0.9,en;q=0.5')).toBe('bn');
    expect(negotiateLocale('uk,ru;q=0.8')).toBe('uk');
    expect(negotiateLocale('tl')).toBe('tl');
    expect(negotiateLocale('fil-PH,fil;q=0.9,en;q=0.8')).toBe('tl');
  });
  it('ignores ranges with q=0', () => {
    expect(negotiateLocale('en;q=0, es;q=0.5')).toBe('es');
  });
});

describe('localized texts', () => {
  it('use the locale when present and Italian otherwise', () => {
    const text = { it: 'Festa', en: 'Party', es: '  ' };
    expect(localize(text, 'en')).toBe('Party');
    expect(localize(text, 'es')).toBe('Festa');
    expect(isFallback(text, 'es')).toBe(true);
    expect(isFallback(text, 'en')).toBe(false);
    expect(isFallback(text, 'it')).toBe(false);
  });
  it('marks only Arabic as right to left', () => {
    expect(textDirection('ar')).toBe('rtl');
    expect(textDirection('zh')).toBe('ltr');
  });
});
