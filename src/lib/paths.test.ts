import { describe, expect, it } from 'vitest';
import { eventIcsPath, pagePath, switchLocale } from './paths.ts';

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
