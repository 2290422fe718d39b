// The audit log: sign-ins, failures and lockouts, exports, GDPR requests, role changes.
// Details never hold a password, a token or the personal data of families.
import type { Db } from '#/server/db/database.ts';

export async function writeAudit(
  db: Db,
  entry: { actorUserId: number | null; action: string; subject?: string; detail?: Record<string, unknown> },
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor_user_id: entry.actorUserId,
      action: entry.action,
      subject: entry.subject ?? null,
      detail: JSON.stringify(entry.detail ?? {}),
    })
    .execute();
}
