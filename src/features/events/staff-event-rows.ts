// The staff events list's rows as text, computed once per event before rendering, and the labels
// that repeat (a municipio, "all dates", "needs changes") once per page (issue #13, "Scale"): the
// page then writes plain markup, with no component, translation or path helper called per cell.
// Same content as before: the title linked to the event (in Italian, marked so, when the staff
// locale has no translation), the series' "all dates" link, the sent-back tag, when, where, who.
import type { Translate } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import { formatLongDate, formatTimeRange } from '#/lib/format.ts';
import { staffPath } from '#/lib/paths.ts';
import type { StaffEventRow } from './staff-event-list.ts';

export interface StaffEventListRow {
  id: number;
  href: string;
  title: string;
  /** "it" when the title shown is the Italian one on a page in another language. */
  titleLang: 'it' | undefined;
  /** The recurring activity's page ("all dates"), for a date of a series. */
  seriesHref: string | null;
  /** A draft a moderator sent back with a note. */
  sentBack: boolean;
  /** The start as an ISO instant (the <time> element's datetime). */
  datetime: string;
  date: string;
  time: string;
  municipio: string;
  owner: string;
}

export function staffEventListRows(
  events: readonly StaffEventRow[],
  locale: Locale,
  t: Translate,
): StaffEventListRow[] {
  const eventsPath = staffPath(locale, 'eventi');
  const seriesPath = staffPath(locale, 'eventi', 'serie');
  // Nine municipi over a page of rows: each label is looked up once.
  const municipi = new Map<number, string>();
  const municipio = (n: number) => {
    let label = municipi.get(n);
    if (label === undefined) municipi.set(n, (label = t('desk.municipio', { n })));
    return label;
  };
  return events.map((e) => {
    const translated = locale !== 'it' && e.title[locale]?.trim();
    return {
      id: e.id,
      href: `${eventsPath}/${e.id}`,
      title: translated || e.title.it,
      titleLang: translated ? undefined : 'it',
      seriesHref: e.seriesId === null ? null : `${seriesPath}/${e.seriesId}`,
      sentBack: e.status === 'draft' && e.reviewNote !== null && e.reviewNote !== '',
      datetime: e.startsAt.toISOString(),
      date: formatLongDate(e.startsAt, locale),
      time: formatTimeRange(e.startsAt, e.endsAt, locale),
      municipio: e.municipioId ? municipio(e.municipioId) : '–',
      owner: e.ownerName ?? '–',
    };
  });
}

/** The labels every row may carry and the table's headings: once per page. */
export function staffEventListLabels(t: Translate) {
  return {
    allDates: t('staff.series.list.allDates'),
    sentBack: t('staff.event.sentBackTag'),
    title: t('staff.event.col.title'),
    when: t('staff.event.col.when'),
    municipio: t('staff.event.col.municipio'),
    organisation: t('staff.event.col.organisation'),
  };
}
