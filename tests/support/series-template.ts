// The weekly "Spazio mamma-bambino" at the Quarto Oggiaro desk (Municipio 8, 10 seats, published):
// what the series tests create their recurring activities from, each changing what it is about.
import type { SeriesTemplate } from '#/features/events/series.ts';

/** A text in Italian and English alike, as the series' JSON columns hold them. */
export const bilingual = (it: string) => JSON.stringify({ it, en: it });

export const seriesTemplate = (overrides: Partial<SeriesTemplate> = {}): SeriesTemplate => ({
  municipio_id: 8,
  title: bilingual('Spazio mamma-bambino'),
  summary: bilingual('Giochi'),
  description: bilingual('Giochi e letture'),
  venue: 'Spazio QuBì Quarto Oggiaro',
  address: 'Via Pascarella 5',
  transit_hint: null,
  price_note: null,
  status: 'published',
  seats: 10,
  ...overrides,
});
