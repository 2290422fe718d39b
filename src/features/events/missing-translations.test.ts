import { describe, expect, it } from 'vitest';
import { missingTranslations } from './missing-translations.ts';
import { LOCALES, type Locale } from '#/lib/locales.ts';

/** A text in Italian, with `more` translations; every other language left empty. */
const text = (it: string, more: Partial<Record<Locale, string>> = {}) =>
  ({ ...Object.fromEntries(LOCALES.map((l) => [l, ''])), it, ...more }) as Record<Locale, string> & { it: string };

describe('missing translations of an event', () => {
  it('lists, per language, the fields written in Italian only', () => {
    const missing = missingTranslations({
      title: text('Festa', { en: 'Party', ar: 'حفلة', es: 'Fiesta', zh: '聚会' }),
      summary: text('In piazza', { en: 'In the square' }),
      description: text('Porta i bambini', { en: 'Bring the children', es: '  ' }),
      transitHint: text(''),
      priceNote: text('', { en: 'Free' }),
    });
    // Every language but Italian and English lacks the summary and the description; the title is
    // missing only where no one wrote it (the languages added later: tl, uk, bn).
    expect(missing).toEqual(
      LOCALES.filter((l) => l !== 'it' && l !== 'en').map((locale) => ({
        locale,
        fields: ['ar', 'es', 'zh'].includes(locale) ? ['summary', 'description'] : ['title', 'summary', 'description'],
      })),
    );
  });

  it('is empty when every Italian text is translated', () => {
    const all = (it: string) => text(it, Object.fromEntries(LOCALES.map((l) => [l, it])));
    expect(
      missingTranslations({
        title: all('A'),
        summary: all('B'),
        description: all('C'),
        transitHint: text(''),
        priceNote: text(''),
      }),
    ).toEqual([]);
  });
});
