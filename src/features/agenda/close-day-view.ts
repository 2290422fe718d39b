// What the "Close this day" page (/{locale}/staff/agenda/{desk}/chiudi?giorno=…) shows: the form
// with the day asked for (or the answers a refused POST kept, with their errors once, in page
// order) and how many families are booked that day, who will be told. Read-only: the change is
// the action's (close-day-actions.ts).
import type { AstroGlobal } from 'astro';
import type { Db } from '#/server/db/database.ts';
import { keptFormInput, messageKeys } from '#/server/forms/form-page.ts';
import type { Desk } from '#/features/desks/desks.ts';
import { parseDateOnly, romeDateString } from '#/lib/time.ts';
import { agendaHref } from './agenda-paths.ts';
import { CLOSE_DAY_FIELDS, bookingsInPart, type CloseDayInput } from './close-day.ts';

type Page = Pick<AstroGlobal, 'url' | 'cookies' | 'response' | 'redirect' | 'locals'>;

/** The form's draft: one per desk. */
export const closeDayForm = (deskSlug: string) => ({ flow: 'staff', scope: `chiudi:${deskSlug}` }) as const;

export async function closeDayPage(page: Page, db: Db, desk: Desk) {
  const { t } = page.locals;
  const locale = page.locals.locale;
  const now = new Date();
  const today = romeDateString(now);
  const asked = page.url.searchParams.get('giorno');
  const date = parseDateOnly(asked);
  const day = asked && date && date.year >= 2000 && date.year <= 2100 && asked >= today ? asked : today;
  const draft = closeDayForm(desk.slug);
  const kept = await keptFormInput(page, draft.flow, draft.scope);
  const text = (name: string, max: number) => {
    const v = kept?.form.get(name);
    return typeof v === 'string' ? v.slice(0, max) : '';
  };
  const values: CloseDayInput = kept
    ? { day: text('day', 20), from: text('from', 20), until: text('until', 20), reason: text('reason', 1000) }
    : { day, from: '', until: '', reason: '' };
  const errors = (kept ? messageKeys(kept.errors) : {}) as Record<string, string>;
  const summary = CLOSE_DAY_FIELDS.filter((f) => errors[f]).map((f) => ({ href: `#${f}`, text: t(errors[f]!) }));
  const shownDay = parseDateOnly(values.day) ? values.day : day;
  const heading = t('staffDay.close.title', { desk: desk.name });
  return {
    values,
    errors,
    summary,
    today,
    booked: await bookingsInPart(db, desk.id, shownDay, null, now),
    shownDay,
    agendaHref: agendaHref({ locale, deskSlug: desk.slug, day: shownDay, view: 'giorno' }),
    heading,
    pageTitle: summary.length ? t('staff.errorTitle', { title: heading }) : heading,
  };
}
