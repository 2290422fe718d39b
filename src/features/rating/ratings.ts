// The rating component's answers in the database: one row per rating sent, and what staff read
// of them (per page, per desk, per flow, with the comments). Counts under 5 are not shown as
// averages (the site never publishes a figure under 5; staff see the count itself).
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import type { RatingAnswer, RatingFlow } from './rating-vocabulary.ts';

export interface NewRating {
  page: string;
  locale: string;
  flow: RatingFlow;
  deskSlug: string | null;
  score: number;
  answer: RatingAnswer | null;
  comment: string | null;
}

/** One statement; the table's checks hold score, answer and comment whatever calls it. */
export async function insertRating(db: Db, rating: NewRating): Promise<void> {
  await db
    .insertInto('rating')
    .values({
      page: rating.page,
      locale: rating.locale,
      flow: rating.flow,
      desk_id: rating.deskSlug ? db.selectFrom('desk').select('id').where('slug', '=', rating.deskSlug).limit(1) : null,
      score: rating.score,
      answer: rating.answer,
      comment: rating.comment,
    })
    .execute();
}

export interface RatingGroup {
  key: string;
  count: number;
  /** One decimal; null under MIN_FOR_AVERAGE ratings. */
  average: number | null;
}
export const MIN_FOR_AVERAGE = 5;

const group = (rows: { key: string | null; count: string | number; average: string | number | null }[]) =>
  rows.map((r) => ({
    key: r.key ?? '',
    count: Number(r.count),
    average: Number(r.count) >= MIN_FOR_AVERAGE && r.average !== null ? Math.round(Number(r.average) * 10) / 10 : null,
  }));

export interface RatingSummary {
  byPage: RatingGroup[];
  byFlow: RatingGroup[];
  byDesk: RatingGroup[];
  comments: {
    createdAt: Date;
    page: string;
    flow: string;
    desk: string | null;
    score: number;
    answer: string | null;
    comment: string;
  }[];
}

/** Staff's view: every rating since `since`, grouped three ways, and the latest comments. */
export async function ratingSummary(db: Db, since: Date): Promise<RatingSummary> {
  const base = db.selectFrom('rating').where('rating.created_at', '>=', since);
  const count = sql<string>`count(*)`.as('count');
  const average = sql<string>`avg(score)`.as('average');
  const [byPage, byFlow, byDesk, comments] = await Promise.all([
    base.select(['page as key', count, average]).groupBy('page').orderBy('page').execute(),
    base.select(['flow as key', count, average]).groupBy('flow').orderBy('flow').execute(),
    base
      .innerJoin('desk', 'desk.id', 'rating.desk_id')
      .select(['desk.name as key', count, average])
      .groupBy('desk.name')
      .orderBy('desk.name')
      .execute(),
    base
      .leftJoin('desk', 'desk.id', 'rating.desk_id')
      .where('comment', 'is not', null)
      .select(['rating.created_at', 'page', 'flow', 'desk.name as desk', 'score', 'answer', 'comment'])
      .orderBy('rating.created_at', 'desc')
      .limit(200)
      .execute(),
  ]);
  return {
    byPage: group(byPage),
    byFlow: group(byFlow),
    byDesk: group(byDesk),
    comments: comments.map((c) => ({
      createdAt: new Date(c.created_at),
      page: c.page,
      flow: c.flow,
      desk: c.desk,
      score: c.score,
      answer: c.answer,
      comment: c.comment ?? '',
    })),
  };
}
