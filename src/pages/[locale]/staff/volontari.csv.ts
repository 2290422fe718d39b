// Staff: the volunteers list as CSV, with the same filters as the page (query string). Only within
// the actor's scope (`can(actor, volunteers.manage …)`, 403 otherwise), only the needed columns;
// each export is recorded in the audit log (`export.volunteers`) with the filters and row count.
import type { APIRoute } from 'astro';
import { forbidden, requireStaff } from '#/features/staff-accounts/guard.ts';
import { isStaffLocale } from '#/features/staff-accounts/invitations.ts';
import { getDb } from '#/server/db/index.ts';
import {
  canListVolunteers,
  exportVolunteersCsv,
  readVolunteerFilters,
} from '#/features/volunteers/staff-volunteers.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { romeDateString } from '#/lib/time.ts';

export const GET: APIRoute = async (context) => {
  const locale = context.params.locale;
  if (!isStaffLocale(locale)) return context.rewrite('/404');
  const staff = requireStaff(context);
  if (staff instanceof Response) return staff;
  const { filters } = readVolunteerFilters(context.url.searchParams);
  if (!canListVolunteers(staff.actor, filters)) return forbidden();
  const result = await exportVolunteersCsv(await getDb(), staff.actor, filters, { t: getTranslator(locale), locale });
  if (result === 'forbidden') return forbidden();
  return new Response(result.csv, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="volontari-${romeDateString(new Date())}.csv"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
};
