// Staff: the dashboard's figures as CSV for Italian spreadsheets (";" and a BOM), with the page's
// filters (query string) and the same suppressed cells; 403 outside the actor's scope. Recorded in
// the audit log (`export.figures`, the filters only).
import type { APIRoute } from 'astro';
import { exportFigures } from '#/features/figures/export-route.ts';

export const GET: APIRoute = (context) => exportFigures(context, 'csv');
