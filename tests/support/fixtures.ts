// Look-ups of seeded rows that several test files start from.
import type { Kysely } from 'kysely';
import type { Database } from '#/server/db/database.ts';

/** The id of the first collection window of a seeded drop-off point (the zaino sospeso campaign). */
export async function firstCollectionWindowId(db: Kysely<Database>, pointSlug: string): Promise<number> {
  const row = await db
    .selectFrom('collection_window')
    .innerJoin('drop_off_point', 'drop_off_point.id', 'collection_window.drop_off_point_id')
    .select('collection_window.id')
    .where('drop_off_point.slug', '=', pointSlug)
    .orderBy('collection_window.starts_at')
    .executeTakeFirstOrThrow();
  return row.id;
}
