// How the pages of one desk or one event open (/{locale}/…/{slug}/…): the locale of the address
// and the record its slug names, or the site's 404 page when either is not one of ours.
import type { AstroGlobal } from 'astro';
import type { Locale } from '#/lib/locales.ts';
import type { Db } from '#/server/db/database.ts';
import { getDb } from '#/server/db/index.ts';
import { routeLocale } from '#/server/cache/live-page.ts';

export interface PageSubject<T> {
  locale: Locale;
  db: Db;
  subject: T;
}

/** The page's locale, the database and what `find` gives for the slug; else the 404 page to answer. */
export async function loadPageSubject<T>(
  astro: AstroGlobal,
  find: (db: Db, slug: string) => Promise<T | undefined>,
): Promise<PageSubject<T> | Response> {
  const locale = routeLocale(astro.params.locale);
  if (!locale) return astro.rewrite('/404');
  const db = await getDb();
  const subject = await find(db, astro.params.slug ?? '');
  if (subject === undefined) return astro.rewrite('/404');
  return { locale, db, subject };
}
