// The words of a site search as typed, and whether a text holds them all: case and accents
// folded ("citta" finds "città"), every word required. Pure.

/** Longer queries are cut here: nobody types more, and every word costs a pass over the texts. */
export const MAX_QUERY = 100;
const MAX_TERMS = 6;

export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The words to look for: at most six, each of 2 characters or more (1 for Chinese). */
export function searchTerms(query: string): string[] {
  const words = fold(query.slice(0, MAX_QUERY))
    .split(/[\s\p{P}]+/u)
    .filter((w) => w.length >= 2 || /\p{Script=Han}/u.test(w));
  return [...new Set(words)].slice(0, MAX_TERMS);
}

export function matchesAll(text: string, terms: readonly string[]): boolean {
  if (terms.length === 0) return false;
  const folded = fold(text);
  return terms.every((term) => folded.includes(term));
}

/** The first sentence-sized piece of `text` around the first term found, for the result's line. */
export function snippet(text: string, terms: readonly string[], size = 160): string {
  const folded = fold(text);
  const at = Math.min(...terms.map((term) => folded.indexOf(term)).filter((i) => i >= 0), text.length);
  const start = Math.max(0, at - 40);
  const piece = text.slice(start, start + size).trim();
  return `${start > 0 ? '…' : ''}${piece}${start + size < text.length ? '…' : ''}`;
}
