import { describe, expect, it } from 'vitest';
import { missingTranslations } from './missing-translations.ts';

const text = (it: string, more: Record<string, string> = {}) => ({ it, en: '', ar: '', es: '', zh: '', ...more });

describe('missing translations of an event', () => {
  it('lists, per language, the fields written in Italian only', () => {
    const missing = missingTranslations({
      title: text('Festa', { en: 'Party', ar: 'حفلة', es: 'Fiesta', zh: '聚会' }),
      summary: text('In piazza', { en: 'In the square' }),
      description: text('Porta i bambini', { en: 'Bring the children', es: '  ' }),
      transitHint: text(''),
      priceNote: text('', { en: 'Free' }),
    });
    expect(missing).toEqual([
      { locale: 'ar', fields: ['summary', 'description'] },
      { locale: 'es', fields: ['summary', 'description'] },
      { locale: 'zh', fields: ['summary', 'description'] },
    ]);
  });

  it('is empty when every Italian text is translated', () => {
    const all = (it: string) => text(it, { en: it, ar: it, es: it, zh: it });
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
