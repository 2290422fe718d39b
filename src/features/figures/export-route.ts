// The two export routes of the dashboard (cruscotto.csv, cruscotto.ods) share this: staff
// required, the same view as the page (so the same scope check and the same suppressed cells),
// the export written to the audit log with its filters, never cached.
import type { APIContext } from 'astro';
import { forbidden, requireStaff } from '#/features/staff-accounts/guard.ts';
import { isStaffLocale } from '#/features/staff-accounts/invitations.ts';
import { getDb } from '#/server/db/index.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { dashboardView } from './dashboard-view.ts';
import { figuresCsv, figuresOds } from './figures-export.ts';
import { ODS_MEDIA_TYPE } from '#/lib/ods.ts';

export async function exportFigures(context: APIContext, format: 'csv' | 'ods'): Promise<Response> {
  const locale = context.params.locale;
  if (!isStaffLocale(locale)) return context.rewrite('/404');
  const staff = requireStaff(context);
  if (staff instanceof Response) return staff;
  const db = await getDb();
  const t = getTranslator(locale);
  const view = await dashboardView(db, staff.actor, context.url.searchParams, locale, t);
  if (view === 'forbidden') return forbidden();
  await writeAudit(db, { actorUserId: staff.actor.id, action: 'export.figures', detail: { format, ...view.filters } });
  const name = `cruscotto-${view.filters.from.slice(0, 7)}-${view.filters.to.slice(0, 7)}.${format}`;
  const headers = {
    'Content-Disposition': `attachment; filename="${name}"`,
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  };
  if (format === 'csv')
    return new Response(figuresCsv(view.tables, locale, t), {
      headers: { ...headers, 'Content-Type': 'text/csv; charset=utf-8' },
    });
  return new Response(figuresOds(view.tables, t) as Uint8Array<ArrayBuffer>, {
    headers: { ...headers, 'Content-Type': ODS_MEDIA_TYPE },
  });
}
