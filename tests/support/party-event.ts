// A published event with places in Municipio 8 (at Comunità Oklahoma), titled "Party" in five
// languages: what the sign-up, waiting-list and figures tests sign families up for, or any other
// event a test needs (`text`, `values`).
import type { Insertable, Kysely } from 'kysely';
import type { Database } from '#/server/db/database.ts';

export async function insertPartyEvent(
  db: Kysely<Database>,
  event: {
    slug: string;
    startsAt: Date;
    seats: number | null;
    /** Title, summary and description, by locale ("Party" in five languages by default). */
    text?: Record<string, string>;
    /** Any other column (its end, owner, facts, counters…). */
    values?: Partial<Insertable<Database['event']>>;
  },
): Promise<{ id: number; slug: string }> {
  const text = JSON.stringify(event.text ?? { it: 'Festa', en: 'Party', es: 'Fiesta', ar: 'حفلة', zh: '聚会' });
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
      ...event.values,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: row.id, slug: event.slug };
}
