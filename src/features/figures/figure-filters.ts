// The dashboard's filters, read from the query string (a GET form: bookmarkable, works without
// JavaScript, and the CSV and ODS links carry the same string). Anything malformed falls back to
// its default; a municipio or desk outside the actor's scope is refused by the caller (403).
import { isLocale, type Locale } from '#/lib/locales.ts';
import { monthOf } from './count-figures.ts';

export const GROUPINGS = ['month', 'municipio', 'desk', 'service', 'locale'] as const;
export type Grouping = (typeof GROUPINGS)[number];

/** At most this many months in one view: five years of reports. */
export const MAX_MONTHS = 60;

export interface FigureFilters {
  /** 'YYYY-MM-01', first and last month shown (inclusive). */
  from: string;
  to: string;
  municipio?: number;
  desk?: number;
  service?: string;
  locale?: Locale;
  by: Grouping;
}

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

/** 'YYYY-MM-01' plus n months. */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number);
  const index = y! * 12 + (m! - 1) + n;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}-01`;
}

/** Every month from `from` to `to`, inclusive. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  for (let m = from; m <= to && months.length < MAX_MONTHS; m = addMonths(m, 1)) months.push(m);
  return months;
}

const positiveInt = (value: string | null) => (value && /^[1-9]\d{0,8}$/.test(value) ? Number(value) : undefined);

export function readFigureFilters(params: URLSearchParams, now: Date = new Date()): FigureFilters {
  const thisMonth = monthOf(now);
  const month = (value: string | null) => (value && MONTH.test(value) ? `${value}-01` : undefined);
  // By default the last twelve months and the next one (bookings are made weeks ahead).
  let to = month(params.get('a')) ?? addMonths(thisMonth, 1);
  let from = month(params.get('da')) ?? addMonths(to, -12);
  if (from > to) [from, to] = [to, from];
  if (monthsBetween(from, to).length >= MAX_MONTHS) from = addMonths(to, -(MAX_MONTHS - 1));
  const by = params.get('per');
  const service = params.get('servizio');
  const locale = params.get('lingua');
  return {
    from,
    to,
    municipio: positiveInt(params.get('municipio')),
    desk: positiveInt(params.get('sportello')),
    service: service && /^[a-z0-9-]{1,60}$/.test(service) ? service : undefined,
    locale: isLocale(locale) ? locale : undefined,
    by: (GROUPINGS as readonly string[]).includes(by ?? '') ? (by as Grouping) : 'month',
  };
}

/** The query string of these filters (for the export links and the form's own values). */
export function figureQuery(filters: FigureFilters): string {
  const params = new URLSearchParams({ da: filters.from.slice(0, 7), a: filters.to.slice(0, 7), per: filters.by });
  if (filters.municipio) params.set('municipio', String(filters.municipio));
  if (filters.desk) params.set('sportello', String(filters.desk));
  if (filters.service) params.set('servizio', filters.service);
  if (filters.locale) params.set('lingua', filters.locale);
  return params.toString();
}
