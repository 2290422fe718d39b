// The two export routes of a desk's agenda (agenda.csv, agenda.ods) share this: staff required, a
// desk the person may see (`can(desk.agenda)`, 403 otherwise), the day or week asked for
// (?giorno=YYYY-MM-DD&vista=giorno|settimana), never cached. The columns and the audit row are
// agenda-csv.ts's.
import type { APIContext } from 'astro';
import { loadStaffDesk } from './staff-desk-page.ts';
import { parseDateOnly, romeDateString } from '#/lib/time.ts';
import { ODS_MEDIA_TYPE } from '#/lib/ods.ts';
import { agendaRange, type AgendaView } from './agenda-queries.ts';
import { exportAgendaCsv, exportAgendaOds } from './agenda-csv.ts';

export async function exportAgenda(context: APIContext, format: 'csv' | 'ods'): Promise<Response> {
  const loaded = await loadStaffDesk(context, 'desk.agenda');
  if (loaded instanceof Response) return loaded;
  const { locale, staff, db, desk } = loaded;

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
