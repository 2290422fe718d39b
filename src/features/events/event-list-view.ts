// What the staff list of events (/{it|en}/staff/eventi) shows: a page of the events the person may
// edit or moderate, grouped by status, moderators' "to review" first (shown to them even when empty,
// on every page); and what its address asks for (filters, the page), read without trusting it. Pure.
import type { EventStatus } from '#/server/db/database.ts';
import type { Translate } from '#/lib/i18n.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import { eventActions } from './staff-events.ts';
import type { StaffEventCursor, StaffEventFilter, StaffEventRow } from './staff-event-list.ts';

export interface EventGroup {
  id: string;
  title: string;
  events: StaffEventRow[];
}

/**
 * A published event whose edit waits for review (`changeWaiting`, event-revisions.ts) is reviewed
 * first, as those sent for review are. `toReview`: what waits for review whatever the page
 * (listToReview), shown with the page's own.
 */
export function eventGroups(
  events: readonly StaffEventRow[],
  actor: Actor,
  t: Translate,
  toReview?: readonly StaffEventRow[],
): EventGroup[] {
  const publishable = (e: StaffEventRow) => eventActions(actor, e, e.changeWaiting).publish;
  const withStatus = (status: StaffEventRow['status']) => events.filter((e) => e.status === status);
  const groups: EventGroup[] = [
    {
      id: 'to-review',
      title: t('staff.event.group.toReview'),
      events: withPageOwn(toReview, events.filter(publishable)),
    },
    { id: 'drafts', title: t('staff.event.group.draft'), events: withStatus('draft') },
    {
      id: 'submitted',
      title: t('staff.event.group.submitted'),
      events: withStatus('submitted').filter((e) => !publishable(e)),
    },
    {
      id: 'published',
      title: t('staff.event.group.published'),
      events: withStatus('published').filter((e) => !publishable(e)),
    },
    { id: 'cancelled', title: t('staff.event.group.cancelled'), events: withStatus('cancelled') },
  ];
  const moderator = actor.role === 'coordinator' || actor.role === 'admin';
  return groups.filter((g) => g.events.length > 0 || (g.id === 'to-review' && moderator));
}

/** What waits for review above every page, and the page's own (each once, newest first). */
function withPageOwn(toReview: readonly StaffEventRow[] | undefined, own: StaffEventRow[]): StaffEventRow[] {
  if (!toReview) return own;
  const seen = new Set(toReview.map((e) => e.id));
  return [...toReview, ...own.filter((e) => !seen.has(e.id))].sort(
    (x, y) => y.startsAt.getTime() - x.startsAt.getTime() || y.id - x.id,
  );
}

/** The status filter's values in the address (?stato=…), Italian as the staff addresses are. */
export const STATUS_PARAMS: Readonly<Record<string, EventStatus>> = {
  bozza: 'draft',
  inviato: 'submitted',
  pubblicato: 'published',
  annullato: 'cancelled',
};

/** What the list's address asks for: the filters (?stato, ?municipio) and the page (?dopo / ?prima). */
export interface StaffEventQuery {
  filter: StaffEventFilter;
  cursor?: StaffEventCursor;
  /** The filters as typed in the form (an unknown value reads as none). */
  form: { stato: string; municipio: string };
  /** The filters as a query string ("" for none), kept by the page links. */
  query: string;
}

const CURSOR = /^([0-9]{1,15})\.([1-9][0-9]{0,9})$/;

function readCursor(value: string | null, direction: StaffEventCursor['direction']): StaffEventCursor | undefined {
  const m = value === null ? null : CURSOR.exec(value);
  const id = Number(m?.[2]);
  if (!m || id > 2147483647) return undefined;
  return { startsAt: new Date(Number(m[1])), id, direction };
}

/** The address's filters and page; an unknown status, a municipio not offered or a broken cursor read as none. */
export function readStaffEventQuery(params: URLSearchParams, municipi: readonly number[]): StaffEventQuery {
  const stato = params.get('stato') ?? '';
  const status = Object.hasOwn(STATUS_PARAMS, stato) ? STATUS_PARAMS[stato] : undefined;
  const municipio = Number(params.get('municipio'));
  const inMunicipio = municipi.includes(municipio) ? municipio : undefined;
  const form = { stato: status ? stato : '', municipio: inMunicipio === undefined ? '' : String(inMunicipio) };
  const query = new URLSearchParams(Object.entries(form).filter(([, v]) => v !== '')).toString();
  const cursor = readCursor(params.get('dopo'), 'after') ?? readCursor(params.get('prima'), 'before');
  return {
    filter: { ...(status ? { status } : {}), ...(inMunicipio === undefined ? {} : { municipio: inMunicipio }) },
    ...(cursor ? { cursor } : {}),
    form,
    query,
  };
}

/** The address of another page of the list, with the filters kept. */
export function staffEventPageHref(here: string, query: string, cursor: StaffEventCursor): string {
  const at = `${cursor.direction === 'after' ? 'dopo' : 'prima'}=${cursor.startsAt.getTime()}.${cursor.id}`;
  return `${here}?${query ? `${query}&` : ''}${at}`;
}
