// A tag's attributes as a browser reads them, entities decoded ('<input name="a" checked>' →
// { name: 'a', checked: '' }), for tests that look at one field or link of a page rather than a
// whole form (html-form.ts reads whole forms).

/** The five entities the site's templates write, decoded (&amp; last, so "&amp;lt;" stays "&lt;"). */
export const decodeEntities = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

export const tagAttributes = (tag: string): Record<string, string> =>
  Object.fromEntries(
    [...tag.matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)].slice(1).map((m) => [m[1]!, decodeEntities(m[2] ?? '')]),
  );
