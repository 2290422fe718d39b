// The audit log as the staff audit page lists it (admins: `audit.view`, checked by the page).
import type { Db } from '#/server/db/database.ts';

export interface AuditRow {
  id: number;
  at: Date;
  actorUserId: number | null;
  actorName: string | null;
  action: string;
  subject: string | null;
  detail: Record<string, unknown>;
}

export const AUDIT_PAGE_SIZE = 50;

/** One page of the audit log, newest first, with the number of pages. */
export async function listAuditLog(
  db: Db,
  page: number,
  pageSize = AUDIT_PAGE_SIZE,
): Promise<{ rows: AuditRow[]; pages: number; total: number }> {
  const total = Number(
    (
      await db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const rows = await db
    .selectFrom('audit_log')
    .leftJoin('app_user', 'app_user.id', 'audit_log.actor_user_id')
    .select([
      'audit_log.id',
      'audit_log.at',
      'audit_log.actor_user_id',
      'app_user.display_name',
      'audit_log.action',
      'audit_log.subject',
      'audit_log.detail',
    ])
    .orderBy('audit_log.id', 'desc')
    .limit(pageSize)
    .offset((Math.min(Math.max(page, 1), pages) - 1) * pageSize)
    .execute();
  return {
    rows: rows.map((r) => ({
      id: r.id,
      at: r.at,
      actorUserId: r.actor_user_id,
      actorName: r.display_name,
      action: r.action,
      subject: r.subject,
      detail: r.detail,
    })),
    pages,
    total,
  };
}
