// A tag's attributes as a browser reads them, entities decoded ('<input name="a" checked>' →
// { name: 'a', checked: '' }), for tests that look at one field or link of a page rather than a
// whole form (html-form.ts reads whole forms).
import { decodeEntities } from './html-form.ts';

export const tagAttributes = (tag: string): Record<string, string> =>
  Object.fromEntries(
    [...tag.matchAll(/([a-zA-Z-]+)(?:="([^"]*)")?/g)].slice(1).map((m) => [m[1]!, decodeEntities(m[2] ?? '')]),
  );
