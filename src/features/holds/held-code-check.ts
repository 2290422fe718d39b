// The gate every confirmation by code passes, for a booking's place, a pledge's quantities, an
// event sign-up's seats or a waiting-list join alike: the held row (already locked by the caller) must still be pending and
// within its time, and the code must be right (checkCode counts the try first, and spends the
// code unless the caller's confirming statement does: `spentByCaller`).
import type { Db } from '#/server/db/database.ts';
import { checkCode, type CodeSubject } from '#/features/verification/codes.ts';
import type { ConfirmOutcome } from './hold-kind.ts';

/** The status names of a held row's table: what "confirmed" and "lapsed" are called there. */
export interface HeldStates {
  confirmed: string;
  lapsed: string;
}

/** A lapsed hold, even one that housekeeping has not released yet. */
export function heldLapsed(held: { status: string; expiresAt: Date | null }, lapsedStatus: string, now: Date): boolean {
  return (
    held.status === lapsedStatus || (held.status === 'pending' && (held.expiresAt?.getTime() ?? 0) <= now.getTime())
  );
}

/** Passed: the held row itself comes back, so the caller needs no second check that it exists. */
export type HeldCodeCheck<Held> = ConfirmOutcome<{ ok: true; alreadyConfirmed: boolean; held: Held }>;

export async function checkHeldCode<Held extends { status: string; hold_expires_at: Date | null }>(
  trx: Db,
  held: Held | undefined,
  states: HeldStates,
  subject: CodeSubject,
  code: string | undefined,
  secret: string,
  now: Date,
  options: { spentByCaller?: boolean } = {},
): Promise<HeldCodeCheck<Held>> {
  if (!held) return { ok: false, reason: 'gone' };
  const refused = heldGate(held, states, now);
  if (refused) return refused;
  if (held.status === states.confirmed) return { ok: true, alreadyConfirmed: true, held };
  const checked = await checkCode(trx, subject, code, secret, now, options);
  return checked.ok ? { ok: true, alreadyConfirmed: false, held } : checked;
}

/**
 * Whether a held row may be tried with a code: undefined when it may (pending and within its time)
 * or when it is confirmed already; otherwise why not. For a caller that counts the try in the
 * statement that reads the row (booking/holds.ts), then judges it (codes.ts judgeTry).
 */
export function heldGate(
  held: { status: string; hold_expires_at: Date | null } | undefined,
  states: HeldStates,
  now: Date,
): { ok: false; reason: 'gone' | 'expired' | 'not_pending' } | undefined {
  if (!held) return { ok: false, reason: 'gone' };
  if (held.status === states.confirmed) return undefined;
  if (heldLapsed({ status: held.status, expiresAt: held.hold_expires_at }, states.lapsed, now))
    return { ok: false, reason: 'expired' };
  if (held.status !== 'pending') return { ok: false, reason: 'not_pending' };
  return undefined;
}
