// The two export routes of a desk's agenda (agenda.csv, agenda.ods) share this: staff required, a
// desk the person may see (`can(desk.agenda)`, 403 otherwise), the day or week asked for
// (?giorno=YYYY-MM-DD&vista=giorno|settimana), never cached. The columns and the audit row are
// agenda-csv.ts's.
import type { APIContext } from 'astro';
import { getDb } from '#/server/db/index.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import { isStaffLocale } from '#/features/staff-accounts/invitations.ts';
import { forbidden, requireStaff } from '#/features/staff-accounts/guard.ts';
import { can } from '#/features/staff-accounts/policy.ts';
import { parseDateOnly, romeDateString } from '#/lib/time.ts';
import { ODS_MEDIA_TYPE } from '#/lib/ods.ts';
import { agendaRange, type AgendaView } from './agenda-queries.ts';
import { exportAgendaCsv, exportAgendaOds } from './agenda-csv.ts';

const notFound = () =>
  new Response('Not found', {
    status: 404,
    headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
  });

export async function exportAgenda(context: APIContext, format: 'csv' | 'ods'): Promise<Response> {
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
  const options = { actorUserId: staff.user.id, t: context.locals.t, locale };
  const headers = {
    'Content-Disposition': `attachment; filename="agenda-${desk.slug}-${from}${to === from ? '' : `-${to}`}.${format}"`,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  };
  if (format === 'csv') {
    const { csv } = await exportAgendaCsv(db, desk, from, to, options);
    return new Response(csv, { headers: { ...headers, 'Content-Type': 'text/csv; charset=utf-8' } });
  }
  const { ods } = await exportAgendaOds(db, desk, from, to, options);
  return new Response(ods as Uint8Array<ArrayBuffer>, { headers: { ...headers, 'Content-Type': ODS_MEDIA_TYPE } });
}
