// What the two-step verification page (/{it|en}/staff/account/due-fattori) shows besides its forms:
// the person's TOTP state and, while it is off, a secret to set up (as text and as an otpauth://
// link, no QR image from another origin); and the recovery codes an action just made, shown once.
import type { Db } from '#/server/db/database.ts';
import { beginTotpSetup, getTotpState, totpKeyUri, type TotpState } from './totp.ts';

export interface TotpSetupView {
  state: TotpState;
  /** The secret being set up, while TOTP is off. */
  secret: string | undefined;
  uri: string | undefined;
}

export async function totpSetupView(db: Db, user: { id: number; email: string }): Promise<TotpSetupView> {
  const state = await getTotpState(db, user.id);
  const secret = state.enabled ? undefined : await beginTotpSetup(db, user.id);
  return { state, secret, uri: secret ? totpKeyUri(secret, user.email) : undefined };
}

/**
 * The recovery codes of the actions' results rendered for this POST (enableTwoFactor,
 * replaceRecoveryCodes answer with them once, no-store), if any.
 */
export function shownRecoveryCodes(results: readonly unknown[]): string[] | undefined {
  for (const done of results) {
    if (done && typeof done === 'object' && 'shown' in done)
      return (done.shown as { recoveryCodes: string[] }).recoveryCodes;
  }
  return undefined;
}
