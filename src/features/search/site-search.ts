// The site search (issue #14, the header's "Cerca"): desks, the services they offer, coming events,
// the FAQ and the content pages, in the reader's language (Italian where a text has no
// translation), server-side. What is searched is read at request time; the query is never stored
// or logged.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import type { Translate } from '#/lib/i18n.ts';
import { localize, type Locale } from '#/lib/locales.ts';
import { deskPath, eventPath, pagePath, servicePath } from '#/lib/paths.ts';
import { listDesks } from '#/features/desks/desks.ts';
import { DESK_SERVICES, serviceKey } from '#/features/desks/services.ts';
import { CONTENT_PAGES, sectionKeys } from '#/features/content/content-pages.ts';
import { matchesAll, searchTerms, snippet } from './search-terms.ts';

export type ResultKind = 'service' | 'desk' | 'page' | 'faq' | 'event';
export interface SearchResult {
  kind: ResultKind;
  title: string;
  href: string;
  text: string;
}

/** At most so many results of one kind: a list a phone can scroll. */
const PER_KIND = 20;

function contentResults(locale: Locale, t: Translate, terms: string[]): SearchResult[] {
  return CONTENT_PAGES.flatMap((page) =>
    page.sections.flatMap((section) => {
      const keys = sectionKeys(page, section);
      const title = t(keys.title);
      const body = [...keys.paragraphs, ...keys.items].map((k) => t(k)).join(' ');
      if (!matchesAll(`${title} ${body}`, terms)) return [];
      const kind: ResultKind = page.section === 'faq' ? 'faq' : 'page';
      return [
        {
          kind,
          title: kind === 'faq' ? title : `${t(`${page.key}.title`)}: ${title}`,
          href: `${pagePath(locale, page.section)}#${section.id}`,
          text: snippet(body, terms),
        },
      ];
    }),
  );
}

/** `%term%` for ILIKE, its wildcards taken literally. */
const like = (term: string) => `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

async function eventResults(db: Db, locale: Locale, terms: string[], now: Date): Promise<SearchResult[]> {
  let query = db
    .selectFrom('event')
    .select(['slug', 'title', 'summary', 'starts_at'])
    .where('status', 'in', ['published', 'cancelled'])
    .where(sql<Date>`coalesce(ends_at, starts_at)`, '>=', now);
  // Each word somewhere in the title, summary or venue, in the reader's language or Italian.
  for (const term of terms)
    query = query.where(
      sql<string>`concat_ws(' ', title->>${locale}, title->>'it', summary->>${locale}, summary->>'it', venue)`,
      'ilike',
      like(term),
    );
  const rows = await query.orderBy('starts_at').limit(PER_KIND).execute();
  return rows.map((r) => ({
    kind: 'event',
    title: localize(r.title, locale),
    href: eventPath(locale, r.slug),
    text: localize(r.summary, locale),
  }));
}

export async function searchSite(
  db: Db,
  locale: Locale,
  t: Translate,
  query: string,
  now = new Date(),
): Promise<{ terms: string[]; results: SearchResult[] }> {
  const terms = searchTerms(query);
  if (terms.length === 0) return { terms, results: [] };
  const services: SearchResult[] = DESK_SERVICES.filter((s) => matchesAll(t(serviceKey(s)), terms)).map((s) => ({
    kind: 'service',
    title: t(serviceKey(s)),
    href: servicePath(locale, s),
    text: t('comune.search.serviceText'),
  }));
  const desks = (await listDesks(db))
    .filter((d) =>
      matchesAll(
        [
          d.name,
          d.area,
          d.address,
          d.description ? localize(d.description, locale) : '',
          ...d.services.map((s) => t(serviceKey(s))),
        ].join(' '),
        terms,
      ),
    )
    .slice(0, PER_KIND)
    .map((d) => ({
      kind: 'desk' as const,
      title: d.name,
      href: deskPath(locale, d.slug),
      text: `${d.area} – ${d.address}`,
    }));
  const events = await eventResults(db, locale, terms, now);
  return { terms, results: [...services, ...desks, ...contentResults(locale, t, terms), ...events] };
}
