// Staff record what happened at a drop-off: received, or not brought. `can(actor, pledges.manage
// {municipioId})` on the drop-off point as stored: a forged id of another municipio's pledge is
// `forbidden`, never changed. Audited.
import type { Db } from '#/server/db/database.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { recordPledgeOutcome } from './close-pledge.ts';
import { canManage } from './staff-pledge-queries.ts';
import { selectPledgeWithPlace } from './pledge-with-place.ts';

export type MarkResult =
  | { ok: true; reference: string; windowId: number; campaignSlug: string }
  | { ok: false; reason: 'not_found' | 'forbidden' | 'not_open' };

/**
 * Records what happened at the drop-off: received (the quantities stay counted) or not brought
 * (they are needed again). Only for an open pledge of a window in the actor's municipi.
 */
export async function markPledge(
  db: Db,
  actor: Actor,
  pledgeId: number,
  outcome: 'received' | 'not_brought',
  now: Date = new Date(),
): Promise<MarkResult> {
  if (!Number.isSafeInteger(pledgeId) || pledgeId < 1 || pledgeId > 2147483647)
    return { ok: false, reason: 'not_found' };
  const row = await selectPledgeWithPlace(db)
    .select([
      'pledge.id',
      'pledge.reference',
      'pledge.status',
      'pledge.collection_window_id',
      'drop_off_point.municipio_id',
      'campaign.slug as campaign_slug',
    ])
    .where('pledge.id', '=', pledgeId)
    .where('pledge.erased_at', 'is', null)
    .executeTakeFirst();
  if (!row) return { ok: false, reason: 'not_found' };
  if (!canManage(actor, row.municipio_id)) return { ok: false, reason: 'forbidden' };
  const done = await runInTransaction(db, async (trx) => {
    if (!(await recordPledgeOutcome(trx, row.id, outcome, now))) return false;
    await writeAudit(trx, {
      actorUserId: actor.id,
      action: `pledge.${outcome}`,
      subject: `pledge:${row.id}`,
      detail: { reference: row.reference, window: row.collection_window_id },
    });
    return true;
  });
  if (!done) return { ok: false, reason: 'not_open' };
  return { ok: true, reference: row.reference, windowId: row.collection_window_id, campaignSlug: row.campaign_slug };
}
