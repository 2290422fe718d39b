// A published event with places in Municipio 8 (at Comunità Oklahoma), titled "Party" in five
// languages: what the sign-up, waiting-list and figures tests sign families up for.
import type { Kysely } from 'kysely';
import type { Database } from '#/server/db/database.ts';

export async function insertPartyEvent(
  db: Kysely<Database>,
  event: { slug: string; startsAt: Date; seats: number | null },
): Promise<{ id: number; slug: string }> {
  const text = JSON.stringify({ it: 'Festa', en: 'Party', es: 'Fiesta', ar: 'حفلة', zh: '聚会' });
  const row = await db
    .insertInto('event')
    .values({
      slug: event.slug,
      municipio_id: 8,
      title: text,
      summary: text,
      description: text,
      venue: 'Comunità Oklahoma',
      address: 'Via Costantino Baroni 228',
      transit_hint: null,
      price_note: null,
      starts_at: event.startsAt,
      ends_at: null,
      status: 'published',
      seats: event.seats,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, slug: event.slug };
}
