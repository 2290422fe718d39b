// How every staff page and export of one desk opens (/{locale}/staff/agenda/{desk}…): a staff
// locale, a signed-in staff member (else to the sign-in page), the desk by its slug (404), and the
// permission the page needs on it (403). Each page then reads and renders what is its own.
import type { APIContext, AstroGlobal } from 'astro';
import type { Db } from '#/server/db/database.ts';
import type { StaffLocale } from '#/lib/locales.ts';
import { getDb } from '#/server/db/index.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import { isStaffLocale } from '#/features/staff-accounts/invitations.ts';
import { forbidden, requireStaff, type StaffContext } from '#/features/staff-accounts/guard.ts';
import { can } from '#/features/staff-accounts/policy.ts';

type Context =
  | Pick<APIContext, 'cookies' | 'url' | 'redirect' | 'locals' | 'params'>
  | Pick<AstroGlobal, 'cookies' | 'url' | 'redirect' | 'locals' | 'params'>;

export interface StaffDesk {
  locale: StaffLocale;
  staff: StaffContext;
  db: Db;
  desk: Desk;
}

const notFound = () =>
  new Response('Not found', {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  });

/**
 * The desk of the address and who asks, or the answer to give instead. `notFound`: the page's own
 * 404 (a page rewrites to the site's 404 page; an export answers plain text).
 */
export async function loadStaffDesk(
  context: Context,
  permission: 'desk.agenda' | 'desk.settings',
  options: { notFound?: () => Response | Promise<Response> } = {},
): Promise<StaffDesk | Response> {
  const missing = options.notFound ?? notFound;
  const locale = context.params.locale;
  if (!isStaffLocale(locale)) return missing();
  const staff = requireStaff(context);
  if (staff instanceof Response) return staff;
  const db = await getDb();
  const desk = await getDeskBySlug(db, context.params.desk ?? '');
  if (!desk) return missing();
  if (!can(staff.actor, { kind: permission, desk: { id: desk.id, municipioId: desk.municipioId } })) return forbidden();
  return { locale, staff, db, desk };
}
