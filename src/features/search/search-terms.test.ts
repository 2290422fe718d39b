import { describe, expect, it } from 'vitest';
import { matchesAll, searchTerms, snippet } from './search-terms.ts';

describe('site search words', () => {
  it('folds case and accents and needs every word', () => {
    const terms = searchTerms('Città  ASCOLTO');
    expect(terms).toEqual(['citta', 'ascolto']);
    expect(matchesAll('Ascolto in città', terms)).toBe(true);
    expect(matchesAll('Ascolto', terms)).toBe(false);
  });
  it('drops one-letter words but keeps a Chinese character', () => {
    expect(searchTerms('a b cd')).toEqual(['cd']);
    expect(searchTerms('家 庭')).toEqual(['家', '庭']);
    expect(matchesAll('anything', [])).toBe(false);
  });
  it('shows the text around the first word found', () => {
    const text = `${'x'.repeat(300)} zaino sospeso ${'y'.repeat(300)}`;
    const line = snippet(text, ['zaino']);
    expect(line).toContain('zaino sospeso');
    expect(line.startsWith('…')).toBe(true);
    expect(line.endsWith('…')).toBe(true);
  });
});
