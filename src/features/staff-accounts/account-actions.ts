// The signed-in person's own account as Astro Actions: the password change (staff/account) and
// the two-step verification (staff/account/due-fattori). Passwords and codes are secrets: a refusal
// keeps only its message key and the throttle's wait, never what was typed.
import type { ActionAPIContext } from 'astro:actions';
import { staffPath } from '#/lib/paths.ts';
import { z } from 'astro/zod';
import { FormRefused, defineFormAction, seeOther, type FormDone } from '#/server/actions/form-action.ts';
import { staffOf } from './staff-of.ts';
import type { Db } from '#/server/db/database.ts';
import { getDb } from '#/server/db/index.ts';
import { clientIp } from '#/server/http/request-guard.ts';
import { requiredSecret } from '#/lib/validation.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { checkNewPassword, verifyPassword } from './password.ts';
import type { StaffContext } from './guard.ts';
import { markSessionTwoFactorVerified } from './session.ts';
import { startSession } from './sign-in-session.ts';
import { attemptGuarded } from './throttle.ts';
import { disableTotp, enableTotp, getTotpState, replaceRecoveryCodes, useTotpCode } from './totp.ts';
import { changePassword } from './users.ts';

export const ACCOUNT_FORM = { flow: 'staff', scope: 'account' } as const;
export const TWO_FACTOR_FORM = { flow: 'staff', scope: 'due-fattori' } as const;
/** The kept notice of the two-step page: it was just turned off. */
export const TURNED_OFF = 'off';

const localeOf = (context: ActionAPIContext) => (context.params.locale === 'en' ? 'en' : 'it');

/**
 * The staff member of the two-step page. Not requireStaff: that would send an admin without TOTP
 * back to this very page. Sign-in and the second step still apply.
 */
function twoFactorStaff(context: ActionAPIContext) {
  const locale = localeOf(context);
  const here = encodeURIComponent(staffPath(locale, 'account', 'due-fattori'));
  const staff = context.locals.staff;
  if (!staff) throw seeOther(`${staffPath(locale, 'accesso')}?next=${here}`);
  if (staff.user.totpEnabled && !staff.session.twoFactorVerified)
    throw seeOther(`${staffPath(locale, 'verifica')}?next=${here}`);
  return staff;
}

const codeInput = z.object({ code: requiredSecret('auth.totp.codeMissing', 40, { blank: true }) });
const wrongCode = () => new FormRefused({ errors: { code: 'auth.totp.codeWrong' } });

/** A current code, spent: one seen over a shoulder cannot replace the recovery codes or turn TOTP off. */
async function spendCode(context: ActionAPIContext, userId: number, code: string): Promise<void> {
  const db = await getDb();
  const result = await attemptGuarded(db, { userId, ip: clientIp(context), step: 'second_factor' }, () =>
    useTotpCode(db, userId, code),
  );
  if (result.ok) return;
  if (result.reason === 'throttled') throw new FormRefused({ retryAfterSeconds: result.retryAfterSeconds });
  throw wrongCode();
}

/**
 * New recovery codes are the POST's own answer (no-store), shown that once: keeping them anywhere
 * to show them on a GET would store a secret. The page renders them for this POST.
 */
const recoveryCodesShown = (codes: string[]) => ({ shown: { recoveryCodes: codes } });

/**
 * A form of the two-step page: one code, never kept; the handler gets the person (twoFactorStaff,
 * never `gate: staffOf`, see below) and the database.
 */
function twoFactorAction(
  handler: (code: string, staff: StaffContext, db: Db, context: ActionAPIContext) => Promise<FormDone>,
) {
  return defineFormAction({
    input: codeInput,
    slot: TWO_FACTOR_FORM,
    messages: 'auth.totp.',
    fields: ['code'],
    omit: ['code'],
    handler: async ({ code }, context) => handler(code, twoFactorStaff(context), await getDb(), context),
  });
}

/** The audit line of a change the person made to their own second factor. */
const auditOwn = (db: Db, staff: StaffContext, action: string) =>
  writeAudit(db, { actorUserId: staff.user.id, action, subject: `user:${staff.user.id}` });

// No `gate: staffOf` here: it sends a session that still owes its second factor to sign-in, and an
// admin without TOTP must reach the set-up form with exactly such a session. Each handler checks
// who is signed in itself (staffOf / twoFactorStaff).
export const accountActions = {
  /** Current and new password: every session of the account ends, this browser gets a new one. */
  changePassword: defineFormAction({
    input: z.object({
      current: requiredSecret('auth.account.currentMissing', 1024),
      password: requiredSecret('auth.account.newMissing', 1024),
    }),
    slot: ACCOUNT_FORM,
    messages: 'auth.',
    fields: ['current', 'password'],
    omit: ['current', 'password'],
    handler: async ({ current, password }, context) => {
      const staff = staffOf(context);
      const problem = checkNewPassword(password, { email: staff.user.email });
      if (problem) throw new FormRefused({ errors: { password: problem } });
      const db = await getDb();
      const userId = staff.user.id;
      const result = await attemptGuarded(db, { userId, ip: clientIp(context), step: 'password_check' }, async () => {
        const row = await db.selectFrom('app_user').select('password_hash').where('id', '=', userId).executeTakeFirst();
        return row?.password_hash && (await verifyPassword(row.password_hash, current)) ? true : false;
      });
      if (!result.ok && result.reason === 'throttled')
        throw new FormRefused({ retryAfterSeconds: result.retryAfterSeconds });
      if (!result.ok) throw new FormRefused({ errors: { current: 'auth.account.currentWrong' } });
      await changePassword(db, userId, password);
      await writeAudit(db, { actorUserId: userId, action: 'auth.password_changed', subject: `user:${userId}` });
      // Every session of the account has just ended; this browser goes on with a new one.
      context.locals.staff = null;
      await startSession(context, db, userId, { twoFactorVerified: staff.session.twoFactorVerified });
      return { location: `${staffPath(localeOf(context), 'account')}?fatto=password` };
    },
  }),

  /** Turns two-step verification on with a first code; the recovery codes are this POST's answer. */
  enableTwoFactor: twoFactorAction(async (code, staff, db) => {
    if ((await getTotpState(db, staff.user.id)).enabled) throw wrongCode();
    const codes = await enableTotp(db, staff.user.id, code);
    if (!codes) throw wrongCode();
    await markSessionTwoFactorVerified(db, staff.session.id);
    await auditOwn(db, staff, 'auth.totp_enabled');
    return recoveryCodesShown(codes);
  }),

  /** New recovery codes for a current code; the old ones stop working. */
  replaceRecoveryCodes: twoFactorAction(async (code, staff, db, context) => {
    if (!(await getTotpState(db, staff.user.id)).enabled) throw wrongCode();
    await spendCode(context, staff.user.id, code);
    const codes = await replaceRecoveryCodes(db, staff.user.id);
    await auditOwn(db, staff, 'auth.recovery_codes_replaced');
    return recoveryCodesShown(codes);
  }),

  /** Turns it off with a current code (never for an admin, for whom it is required). */
  disableTwoFactor: twoFactorAction(async (code, staff, db, context) => {
    if (staff.user.role === 'admin' || !(await getTotpState(db, staff.user.id)).enabled) throw wrongCode();
    await spendCode(context, staff.user.id, code);
    await disableTotp(db, staff.user.id);
    await auditOwn(db, staff, 'auth.totp_disabled');
    throw new FormRefused({ notice: TURNED_OFF, status: 200 });
  }),
};
