// Which event a sign-up through the API is for (issue #13): the event of the slug, or, with
// `occurrence: "YYYY-MM-DD"`, that date of the recurring activity the slug names (the slug of any
// of its dates, or of the series itself).
import type { Db } from '#/server/db/database.ts';
import { parseDateOnly } from '#/lib/time.ts';
import { isSlug } from '#/lib/paths.ts';
import { getPublicEventBySlug, type PublicEvent } from './events.ts';

export type OccurrenceLookup = { ok: true; event: PublicEvent } | { ok: false; error: 'not_found' | 'invalid' };

export async function eventForSignUp(db: Db, slug: string, occurrence: unknown): Promise<OccurrenceLookup> {
  if (occurrence === undefined || occurrence === null) {
    const event = await getPublicEventBySlug(db, slug);
    return event ? { ok: true, event } : { ok: false, error: 'not_found' };
  }
  if (typeof occurrence !== 'string' || !parseDateOnly(occurrence)) return { ok: false, error: 'invalid' };
  if (!isSlug(slug)) return { ok: false, error: 'not_found' };
  const [ofEvent, ofSeries] = await Promise.all([
    db.selectFrom('event').select('series_id').where('slug', '=', slug).executeTakeFirst(),
    db.selectFrom('event_series').select('id').where('slug', '=', slug).executeTakeFirst(),
  ]);
  const seriesId = ofEvent?.series_id ?? ofSeries?.id;
  // A date given for an event that does not repeat: the field is wrong, not the event.
  if (seriesId === undefined || seriesId === null)
    return ofEvent ? { ok: false, error: 'invalid' } : { ok: false, error: 'not_found' };
  const row = await db
    .selectFrom('event')
    .select('slug')
    .where('series_id', '=', seriesId)
    .where('occurrence_date', '=', occurrence)
    .executeTakeFirst();
  const event = row && (await getPublicEventBySlug(db, row.slug));
  return event ? { ok: true, event } : { ok: false, error: 'not_found' };
}
