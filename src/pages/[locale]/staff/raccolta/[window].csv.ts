// Staff: the pledges still to collect in one collection window, as CSV (reference, first name,
// phone, items). Only for the coordinators of the drop-off point's municipio (and admins): 403
// otherwise. Each export is recorded in the audit log (`export.pledges`) with the window and the
// number of rows.
import type { APIRoute } from 'astro';
import { forbidden, requireStaff } from '#/features/staff-accounts/guard.ts';
import { isStaffLocale } from '#/features/staff-accounts/invitations.ts';
import { getDb } from '#/server/db/index.ts';
import { canManageWindow } from '#/features/campaign/staff-pledge-queries.ts';
import { exportWindowCsv } from '#/features/campaign/pledge-csv.ts';
import { getCollectionWindow } from '#/features/campaign/pledge-view.ts';
import { getTranslator } from '#/lib/i18n.ts';

export const GET: APIRoute = async (context) => {
  const locale = context.params.locale;
  if (!isStaffLocale(locale)) return context.rewrite('/404');
  const staff = requireStaff(context);
  if (staff instanceof Response) return staff;
  const id = context.params.window ?? '';
  const db = await getDb();
  const window = /^[1-9][0-9]{0,8}$/.test(id) ? await getCollectionWindow(db, Number(id)) : undefined;
  if (!window) return context.rewrite('/404');
  if (!canManageWindow(staff.actor, window)) return forbidden();
  const result = await exportWindowCsv(db, staff.actor, window, { t: getTranslator(locale), locale });
  if (result === 'forbidden') return forbidden();
  return new Response(result.csv, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${result.filename}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
};
