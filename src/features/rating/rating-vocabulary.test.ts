import { describe, expect, it } from 'vitest';
import { ratedPageOf, ratingQuery, readRatingState } from './rating-vocabulary.ts';

const state = (query: string) => readRatingState(new URLSearchParams(query));

describe('the rating steps as the query carries them', () => {
  it('reads a page, a flow, a desk, a score and an answer of the score’s side', () => {
    expect(state('pagina=/sportelli/centro&flusso=booking&sportello=centro&voto=4&risposta=clear')).toEqual({
      page: '/sportelli/centro',
      flow: 'booking',
      desk: 'centro',
      score: 4,
      answer: 'clear',
      done: false,
    });
  });

  it('refuses a score outside 1–5, an answer of the other side, a page that is not a path of the site', () => {
    expect(state('pagina=/faq&voto=6')).toBeUndefined();
    expect(state('pagina=/faq&voto=0')).toBeUndefined();
    expect(state('pagina=/faq&voto=2&risposta=clear')).toBeUndefined();
    expect(state('pagina=https://example.org/')).toBeUndefined();
    expect(state('pagina=/faq&flusso=shop')).toBeUndefined();
  });

  it('writes back what it reads, and the page without its locale', () => {
    const query = new URLSearchParams(
      ratingQuery({ page: '/eventi', flow: 'page', desk: null, score: 2 }) as Record<string, string>,
    );
    expect(readRatingState(new URLSearchParams([...query].filter(([, v]) => v !== 'undefined')))).toMatchObject({
      page: '/eventi',
      score: 2,
    });
    expect(ratedPageOf('/ar/sportelli/centro')).toBe('/sportelli/centro');
    expect(ratedPageOf('/zh')).toBe('/');
  });
});
