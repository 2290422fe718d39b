// "Send again" and "use email instead" for whatever a code holds: a booking's place, a pledge's
// quantities, an event sign-up's seats, a waiting-list join. The held row is locked, must still be
// pending and within its time; a new code replaces the old (resendCode: limited, spaced), and goes
// to the contact — or to the email given now, which the row then keeps for its confirmation.
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { resendCode, type CodeChannel } from '#/features/verification/codes.ts';
import { queueCode } from '#/features/verification/send-code.ts';
import type { HoldKind } from './hold-kind.ts';

export type ResendHeldCodeOutcome =
  | { ok: true; channel: CodeChannel }
  | { ok: false; reason: 'too_soon'; retryAfterSeconds: number }
  | { ok: false; reason: 'no_more' | 'gone' };

/** `toEmail`: "use email instead" (the address given, kept by the row); `now` for the tests' clock. */
export interface ResendOptions {
  toEmail?: string | undefined;
  now?: Date | undefined;
}

export async function resendHeldCode(
  db: Db,
  kind: HoldKind,
  id: number,
  options: ResendOptions = {},
): Promise<ResendHeldCodeOutcome> {
  const now = options.now ?? new Date();
  const secret = await getServerSecret(db);
  const { table } = kind;
  const subject = kind.subject(id);
  return runInTransaction(db, async (trx) => {
    const held = await trx
      .selectFrom(table)
      .select(['status', 'hold_expires_at', 'phone', 'email', 'locale'])
      .where('id', '=', id)
      .forUpdate()
      .executeTakeFirst();
    if (!held || held.status !== 'pending' || !held.hold_expires_at || held.hold_expires_at <= now)
      return { ok: false, reason: 'gone' };
    const email = options.toEmail;
    const outcome = await resendCode(trx, subject, email ? 'email' : undefined, secret, now);
    if (!outcome.ok) return outcome;
    if (email && email !== held.email) await trx.updateTable(table).set({ email }).where('id', '=', id).execute();
    const to = {
      channel: outcome.channel,
      phone: held.phone,
      email: email ?? held.email,
      locale: held.locale as Locale,
    };
    await queueCode(trx, subject, to, outcome.code, {
      expiresAt: held.hold_expires_at,
      minutes: kind.minutes(),
      again: true,
    });
    return { ok: true, channel: outcome.channel };
  });
}
