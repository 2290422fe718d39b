// The audit log as the staff audit page lists it (admins: `audit.view`, checked by the page),
// filtered by who, by what (the action's family: src/features/audit/audit-sentences.ts) and by when.
import type { SelectQueryBuilder } from 'kysely';
import type { Database, Db } from '#/server/db/database.ts';

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

export interface AuditFilters {
  actorUserId?: number;
  /** The action's family: "event" matches "event.publish", "event.cancel"… */
  group?: string;
  /** From this instant (inclusive) to that one (exclusive). */
  from?: Date;
  to?: Date;
}

function filtered<O>(query: SelectQueryBuilder<Database, 'audit_log', O>, filters: AuditFilters) {
  let q = query;
  if (filters.actorUserId !== undefined) q = q.where('audit_log.actor_user_id', '=', filters.actorUserId);
  if (filters.group) q = q.where('audit_log.action', 'like', `${filters.group.replace(/[%_\\]/g, '')}.%`);
  if (filters.from) q = q.where('audit_log.at', '>=', filters.from);
  if (filters.to) q = q.where('audit_log.at', '<', filters.to);
  return q;
}

/** The people who appear in the log, by name, for the "who" filter. */
export async function listAuditActors(db: Db): Promise<{ id: number; name: string }[]> {
  const rows = await db
    .selectFrom('app_user')
    .select(['id', 'display_name'])
    .where((eb) =>
      eb.exists(eb.selectFrom('audit_log').select('id').whereRef('audit_log.actor_user_id', '=', 'app_user.id')),
    )
    .orderBy('display_name')
    .execute();
  return rows.map((r) => ({ id: r.id, name: r.display_name }));
}

/** One page of the audit log (filtered), newest first, with the number of pages. */
export async function listAuditLog(
  db: Db,
  page: number,
  pageSize = AUDIT_PAGE_SIZE,
  filters: AuditFilters = {},
): Promise<{ rows: AuditRow[]; pages: number; total: number }> {
  const total = Number(
    (
      await filtered(db.selectFrom('audit_log'), filters)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const rows = await filtered(db.selectFrom('audit_log'), filters)
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
