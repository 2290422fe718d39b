import type { APIRoute } from 'astro';
import { getDb } from '#/server/db/index.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import { listDeskSlots } from '#/features/booking/slot-availability.ts';
import { CACHE_TAGS, cacheLiveData } from '#/server/cache/live-page.ts';
import { slotToJson } from '#/features/open-data/api-shapes.ts';
import { apiError } from '#/server/http/api-respond.ts';
import { conditionalJson, REVALIDATE_CACHE_CONTROL } from '#/server/http/conditional-get.ts';
import { queryOf, slotsQuery } from '#/features/open-data/api-schemas.ts';
import { parseDateOnly, romeDateString } from '#/lib/time.ts';
import { addDays } from '#/features/booking/slots.ts';
import { isDeskSlug } from '#/features/booking/booking-request.ts';

/** Days one request may span: two months, so a month view fits and a request stays cheap. */
const MAX_DAYS = 62;

/** GET /api/v1/desks/{slug}/slots[?from=YYYY-MM-DD][&to=YYYY-MM-DD]: bookable slots with what is left of each. */
export const GET: APIRoute = async (context) => {
  const invalidRange = (message: string) => apiError(400, 'invalid_range', { message });
  const query = slotsQuery.safeParse(queryOf(context.url));
  if (!query.success) return invalidRange('from and to must be dates as YYYY-MM-DD');
  const from = query.data.from ?? romeDateString(new Date());
  if (!parseDateOnly(from)) return invalidRange('from must be a date as YYYY-MM-DD');
  const to = query.data.to ?? addDays(from, 6);
  // Real "YYYY-MM-DD" dates compare as strings.
  if (!parseDateOnly(to) || to < from) return invalidRange('to must be a date as YYYY-MM-DD, not before from');
  if (addDays(from, MAX_DAYS - 1) < to) return invalidRange(`at most ${MAX_DAYS} days per request`);

  const slug = context.params.slug;
  if (!isDeskSlug(slug)) return apiError(404, 'not_found');
  const db = await getDb();
  const desk = await getDeskBySlug(db, slug);
  if (!desk) return apiError(404, 'not_found');
  const slots = await listDeskSlots(db, desk, from, to);
  // Bookings and cancellations at this desk invalidate the tag; the clock (minimum notice) only
  // matters to within the cache's few minutes, and booking re-checks the slot anyway.
  cacheLiveData(context, [CACHE_TAGS.slots(desk.slug)]);
  // Places change with every booking: readers ask each time, and a 304 keeps that cheap.
  return conditionalJson(context.request, slots.map(slotToJson), { cacheControl: REVALIDATE_CACHE_CONTROL });
};
