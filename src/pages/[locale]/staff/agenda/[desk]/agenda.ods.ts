// Staff: the agenda of a day or a week as an OpenDocument spreadsheet, the same columns, scope and
// audit as the CSV (src/features/agenda/agenda-export-route.ts, agenda-csv.ts).
import type { APIRoute } from 'astro';
import { exportAgenda } from '#/features/agenda/agenda-export-route.ts';

export const GET: APIRoute = (context) => exportAgenda(context, 'ods');
