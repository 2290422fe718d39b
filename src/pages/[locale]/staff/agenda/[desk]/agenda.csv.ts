// Staff: the agenda of a day or a week as CSV (?giorno=YYYY-MM-DD&vista=giorno|settimana), for a
// desk the person may see (`can(desk.agenda)`, 403 otherwise). Only the columns a desk needs to call
// families back (date, time, reference, first name, phone, topic, how booked, language, status);
// every export is recorded in the audit log with the desk and the range, never the rows
// (src/features/agenda/agenda-csv.ts).
import type { APIRoute } from 'astro';
import { getDb } from '#/server/db/index.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import { isStaffLocale } from '#/features/staff-accounts/invitations.ts';
import { forbidden, requireStaff } from '#/features/staff-accounts/guard.ts';
import { can } from '#/features/staff-accounts/policy.ts';
import { agendaRange, type AgendaView } from '#/features/agenda/agenda-queries.ts';
import { exportAgendaCsv } from '#/features/agenda/agenda-csv.ts';
import { parseDateOnly, romeDateString } from '#/lib/time.ts';

const notFound = () =>
  new Response('Not found', {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  });

export const GET: APIRoute = async (context) => {
  const locale = context.params.locale;
  if (!isStaffLocale(locale)) return notFound();
  const staff = requireStaff(context);
  if (staff instanceof Response) return staff;
  const db = await getDb();
  const desk = await getDeskBySlug(db, context.params.desk ?? '');
  if (!desk) return notFound();
  if (!can(staff.actor, { kind: 'desk.agenda', desk: { id: desk.id, municipioId: desk.municipioId } }))
    return forbidden();

  const query = context.url.searchParams;
  const asked = query.get('giorno');
  const date = parseDateOnly(asked);
  const day = date && date.year >= 2000 && date.year <= 2100 ? asked! : romeDateString(new Date());
  const view: AgendaView = query.get('vista') === 'settimana' ? 'settimana' : 'giorno';
  const { from, to } = agendaRange(day, view);
  const { csv } = await exportAgendaCsv(db, desk, from, to, {
    actorUserId: staff.user.id,
    t: context.locals.t,
    locale,
  });
  const filename = `agenda-${desk.slug}-${from}${to === from ? '' : `-${to}`}.csv`;
  return new Response(csv, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${filename}"`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
  });
};
