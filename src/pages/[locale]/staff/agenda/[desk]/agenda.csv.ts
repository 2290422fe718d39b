// Staff: the agenda of a day or a week as CSV (?giorno=YYYY-MM-DD&vista=giorno|settimana), for a
// desk the person may see (403 otherwise); only the columns a desk needs to call families back, and
// every export in the audit log (src/features/agenda/agenda-export-route.ts, agenda-csv.ts).
import type { APIRoute } from 'astro';
import { exportAgenda } from '#/features/agenda/agenda-export-route.ts';

export const GET: APIRoute = (context) => exportAgenda(context, 'csv');
