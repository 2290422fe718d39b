// What the staff page of the drop-offs (/{it|en}/staff/raccolta) shows: one collection window
// (?finestra=<id>) with its pledges still to collect and those closed, authorized with `can` on the
// drop-off point as stored; the page's title; the notice of a pledge just marked.
import type { Translate } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import { formatDateAndTime } from '#/lib/format.ts';
import type { Db } from '#/server/db/database.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import { canManageWindow, listWindowPledges, type StaffPledge } from './staff-pledge-queries.ts';
import { getCollectionWindow, type WindowInfo } from './pledge-view.ts';

export interface DropOffWindow {
  window: WindowInfo;
  open: StaffPledge[];
  closed: StaffPledge[];
}

/** The window the address names, 'not-found' for an id that is none, 'forbidden' outside the actor's municipi. */
export async function dropOffWindow(
  db: Db,
  actor: Actor,
  param: string,
): Promise<DropOffWindow | 'not-found' | 'forbidden'> {
  const window = /^[1-9][0-9]{0,8}$/.test(param) ? await getCollectionWindow(db, Number(param)) : undefined;
  if (!window) return 'not-found';
  if (!canManageWindow(actor, window)) return 'forbidden';
  const pledges = await listWindowPledges(db, actor, window);
  if (pledges === 'forbidden') return 'forbidden';
  return {
    window,
    open: pledges.filter((p) => p.status === 'pledged'),
    closed: pledges.filter((p) => p.status !== 'pledged'),
  };
}

export function dropOffTitle(window: WindowInfo | undefined, locale: Locale, t: Translate): string {
  if (!window) return t('staff.pledges.title');
  const when = formatDateAndTime(window.startsAt, window.endsAt, locale);
  return t('staff.pledges.window.title', { place: window.point.name, when });
}

/** "Pledge QB-… received" after campaign.markPledge's 303 (?fatto=received&rif=…), on a GET only. */
export function markedNotice(params: URLSearchParams, t: Translate): string | undefined {
  const reference = (params.get('rif') ?? '').replace(/[^A-Z0-9-]/g, '').slice(0, 20);
  const fatto = params.get('fatto');
  if (fatto === 'received') return t('staff.pledges.done.received', { reference });
  if (fatto === 'not_brought') return t('staff.pledges.done.notBrought', { reference });
  return undefined;
}
