// The accessibility statement's feedback mechanism (AgID model): reports kept for staff with the
// 30 days the Comune has to answer (set by the database), the optional reply address wiped once
// answered. Staff read them at /{locale}/staff/accessibilita.
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';

export interface NewReport {
  page: string | null;
  message: string;
  replyTo: string | null;
  locale: string;
}

export async function insertReport(db: Db, report: NewReport): Promise<void> {
  await db
    .insertInto('accessibility_feedback')
    .values({ page: report.page, message: report.message, reply_to: report.replyTo, locale: report.locale })
    .execute();
}

export interface Report {
  id: number;
  page: string | null;
  message: string;
  replyTo: string | null;
  locale: string;
  createdAt: Date;
  replyDueAt: Date;
}

/** Reports not answered yet, the nearest deadline first. */
export async function openReports(db: Db): Promise<Report[]> {
  const rows = await db
    .selectFrom('accessibility_feedback')
    .select(['id', 'page', 'message', 'reply_to', 'locale', 'created_at', 'reply_due_at'])
    .where('answered_at', 'is', null)
    .orderBy('reply_due_at')
    .limit(500)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    page: r.page,
    message: r.message,
    replyTo: r.reply_to,
    locale: r.locale,
    createdAt: new Date(r.created_at),
    replyDueAt: new Date(r.reply_due_at),
  }));
}

/** Answered: the reply address goes (the table's check insists). False when there was none open. */
export async function markAnswered(db: Db, id: number): Promise<boolean> {
  const result = await db
    .updateTable('accessibility_feedback')
    .set({ answered_at: sql`now()`, reply_to: null })
    .where('id', '=', id)
    .where('answered_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
