// What the staff list of events (/{it|en}/staff/eventi) reads for the signed-in person, in one call,
// so that its page only authorizes and renders: the filters its address asks for, a page of events
// grouped by status with their rows as text, what waits for review, and whether they may create.
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import type { Translate } from '#/lib/i18n.ts';
import { MUNICIPI } from '#/lib/municipi.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import { municipiForNewEvents } from './staff-events.ts';
import { listEventsPage, listToReview } from './staff-event-list.ts';
import { staffEventListLabels, staffEventListRows } from './staff-event-rows.ts';
import { STATUS_PARAMS, eventGroups, readStaffEventQuery } from './event-list-view.ts';

const STATUS_LABELS: Record<string, string> = {
  draft: 'staff.event.group.draft',
  submitted: 'staff.event.group.submitted',
  published: 'staff.event.group.published',
  cancelled: 'staff.event.group.cancelled',
};

export async function readStaffEventListPage(
  db: Db,
  actor: Actor,
  params: URLSearchParams,
  locale: Locale,
  t: Translate,
) {
  // A coordinator filters within their municipi; admins and partners' editors over the city.
  const municipi = actor.role === 'coordinator' ? [...actor.municipi].sort((a, b) => a - b) : [...MUNICIPI];
  const { filter, cursor, form, query } = readStaffEventQuery(params, municipi);
  const [page, toReview] = await Promise.all([
    listEventsPage(db, actor, { filter, ...(cursor ? { cursor } : {}) }),
    listToReview(db, actor, filter),
  ]);
  const groups = eventGroups(page.events, actor, t, toReview.events).map((group) => ({
    ...group,
    rows: staffEventListRows(group.events, locale, t),
  }));
  return {
    municipi,
    form,
    query,
    newer: page.newer,
    older: page.older,
    groups,
    /** Neither the page nor the review queue holds an event. */
    nothing: page.events.length === 0 && toReview.events.length === 0,
    /** More waits for review than the page shows: it links to all of it. */
    moreToReview: toReview.more,
    labels: staffEventListLabels(t),
    /** The status filter's choices, by the address's Italian word. */
    statusOptions: Object.entries(STATUS_PARAMS).map(([value, status]) => ({
      value,
      label: t(STATUS_LABELS[status]!),
    })),
    canCreate: municipiForNewEvents(actor, MUNICIPI).length > 0,
  };
}
