// Staff: the dashboard's figures as an OpenDocument spreadsheet, one sheet per section, with the
// page's filters and the same suppressed cells; 403 outside the actor's scope. Audited like the CSV.
import type { APIRoute } from 'astro';
import { exportFigures } from '#/features/figures/export-route.ts';

export const GET: APIRoute = (context) => exportFigures(context, 'ods');
