// SMS_DAILY_LIMIT: the segments a Rome day may use. The worker reserves a message's segments before
// submitting it (one statement: the row's lock serialises concurrent workers, and the WHERE keeps the
// total within the limit); a submit that fails gives them back. Past the limit, messages wait for
// the next day. Staff see a warning on their home page from 80 % (`smsUsageToday`).
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { romeDateString, romeParts, romeToInstant } from '#/lib/time.ts';
import { gatherInTurn } from '#/lib/gather.ts';

/** True when the segments fit today's remaining allowance (and are now counted). */
export async function reserveSmsSegments(db: Db, now: Date, segments: number, limit: number): Promise<boolean> {
  if (segments > limit) return false;
  // One statement: the first message of the day inserts the row, the others add to it within the limit.
  const row = await db
    .insertInto('sms_day')
    .values({ day: romeDateString(now), segments })
    .onConflict((oc) =>
      oc
        .column('day')
        .doUpdateSet({ segments: sql<number>`sms_day.segments + ${segments}` })
        .where(sql<boolean>`sms_day.segments + ${segments} <= ${limit}`),
    )
    .returning('segments')
    .executeTakeFirst();
  return row !== undefined;
}

export interface SegmentRequest {
  now: Date;
  segments: number;
  limit: number;
}

/**
 * reserveSmsSegments for the SMS of one burst of the worker (gather.ts): their total in one
 * statement when it fits in the day; otherwise one by one, in order, so those that fit still go.
 */
export function segmentReserver(db: Db): (request: SegmentRequest) => Promise<boolean> {
  return gatherInTurn(async (requests: SegmentRequest[]) => {
    const first = requests[0]!;
    const day = romeDateString(first.now);
    const together = requests.every((r) => r.limit === first.limit && romeDateString(r.now) === day);
    const total = requests.reduce((sum, r) => sum + r.segments, 0);
    if (together && (await reserveSmsSegments(db, first.now, total, first.limit))) return requests.map(() => true);
    if (requests.length === 1 && together) return [false];
    const fits: boolean[] = [];
    for (const r of requests) fits.push(await reserveSmsSegments(db, r.now, r.segments, r.limit));
    return fits;
  }, 'microtasks');
}

/** Gives back segments reserved for a submit that did not go through. */
export async function releaseSmsSegments(db: Db, now: Date, segments: number): Promise<void> {
  await db
    .updateTable('sms_day')
    .set({ segments: sql<number>`greatest(segments - ${segments}, 0)` })
    .where('day', '=', romeDateString(now))
    .execute();
}

/** Midnight at the start of the next Rome day: when held messages are tried again. */
export function nextRomeDay(now: Date): Date {
  const p = romeParts(new Date(now.getTime() + 86400000));
  return romeToInstant(p.year, p.month, p.day, 0, 0);
}

export interface SmsUsage {
  used: number;
  limit: number;
  /** 80 % or more of the day's segments are used: staff should know before messages start waiting. */
  nearLimit: boolean;
}

export async function smsUsageToday(db: Db, limit: number, now: Date = new Date()): Promise<SmsUsage> {
  const row = await db
    .selectFrom('sms_day')
    .select('segments')
    .where('day', '=', romeDateString(now))
    .executeTakeFirst();
  const used = row?.segments ?? 0;
  return { used, limit, nearLimit: used >= limit * 0.8 };
}
