// How every staff page of one event or one recurring activity opens (/{locale}/staff/eventi/{id}…,
// …/serie/{id}): a staff locale, a signed-in staff member (else to the sign-in page), the event or
// series by its id (404), and the permission the page needs (403). Each page then reads and renders
// what is its own. The actions behind these pages read the id with the same `recordId`.
import type { AstroGlobal } from 'astro';
import type { Db } from '#/server/db/database.ts';
import { getDb } from '#/server/db/index.ts';
import { isLocale } from '#/lib/locales.ts';
import { staffPath } from '#/lib/paths.ts';
import { recordId } from '#/lib/validation.ts';
import { isStaffLocale } from '#/features/staff-accounts/invitations.ts';
import { forbidden, requireStaff, type StaffContext } from '#/features/staff-accounts/guard.ts';
import { canEditEvent, canModerateEvent, eventActions, getEventForStaff, type StaffEvent } from './staff-events.ts';
import { getPendingRevision, type PendingRevision } from './event-revisions.ts';
import { getSeriesForStaff, type StaffSeries } from './series-staff.ts';

type Context = Pick<AstroGlobal, 'cookies' | 'url' | 'redirect' | 'locals' | 'params' | 'rewrite'>;

export interface StaffEventPage {
  staff: StaffContext;
  db: Db;
  event: StaffEvent;
  /** The change to a published event waiting for review, if any. */
  pending: PendingRevision | undefined;
  /** What the person may do with it now (eventActions, knowing whether a change waits). */
  may: ReturnType<typeof eventActions>;
}

export interface StaffSeriesPage {
  staff: StaffContext;
  db: Db;
  series: StaffSeries;
  /** May edit the series' dates, may publish or send them back (asked of its next date). */
  edit: boolean;
  moderate: boolean;
}

/** The signed-in staff member and the row of the id in the address, or the answer to give instead. */
async function openStaffPage<T>(
  context: Context,
  find: (db: Db, id: number) => Promise<T | undefined>,
  options: { anyLocale?: boolean },
): Promise<{ staff: StaffContext; db: Db; found: T } | Response> {
  const { locale } = context.params;
  if (!(options.anyLocale ? isLocale(locale) : isStaffLocale(locale))) return context.rewrite('/404');
  // The staff area speaks Italian and English: sign-in for a page in any language is in Italian.
  if (options.anyLocale && !context.locals.staff)
    return context.redirect(`${staffPath('it', 'accesso')}?next=${encodeURIComponent(context.url.pathname)}`, 303);
  const staff = requireStaff(context);
  if (staff instanceof Response) return staff;
  const db = await getDb();
  const id = recordId('invalid').safeParse(context.params.id);
  const found = id.success ? await find(db, id.data) : undefined;
  if (found === undefined) return context.rewrite('/404');
  return { staff, db, found };
}

/**
 * One event's staff page. `need`: 'see' for its page and preview (co-organisers read only), 'view'
 * for the door (whoever may edit or moderate it). `anyLocale`: the preview, shown in every language.
 */
export async function loadStaffEvent(
  context: Context,
  need: 'see' | 'view',
  options: { anyLocale?: boolean } = {},
): Promise<StaffEventPage | Response> {
  const opened = await openStaffPage(context, getEventForStaff, options);
  if (opened instanceof Response) return opened;
  const { staff, db, found: event } = opened;
  const pending = event.status === 'published' ? await getPendingRevision(db, event.id) : undefined;
  const may = eventActions(staff.actor, event, pending !== undefined);
  if (!may[need]) return forbidden();
  return { staff, db, event, pending, may };
}

/** One recurring activity's staff page: for whoever may edit or moderate its next date. */
export async function loadStaffSeries(context: Context): Promise<StaffSeriesPage | Response> {
  const opened = await openStaffPage(context, (db, id) => getSeriesForStaff(db, id), {});
  if (opened instanceof Response) return opened;
  const { staff, db, found: series } = opened;
  const edit = canEditEvent(staff.actor, series.next);
  const moderate = canModerateEvent(staff.actor, series.next);
  if (!edit && !moderate) return forbidden();
  return { staff, db, series, edit, moderate };
}
