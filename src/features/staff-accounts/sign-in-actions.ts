// The forms of signing in and out as Astro Actions: the password (staff/accesso), the second
// factor (staff/verifica), sign-out (staff/esci), "forgot your password?" and the two pages behind
// an emailed link (staff/invito, staff/password-nuova). Each validates with the shared vocabulary
// (src/lib/validation.ts), calls this feature's functions and names the page that comes next;
// refusals keep only what the page may show again: never a password, a code or a token.
import { createHash } from 'node:crypto';
import { staffPath } from '#/lib/paths.ts';
import type { ActionAPIContext } from 'astro:actions';
import { z } from 'astro/zod';
import { FormRefused, defineFormAction, seeOther } from '#/server/actions/form-action.ts';
import { getDb } from '#/server/db/index.ts';
import { clientIp } from '#/server/http/request-guard.ts';
import { optionalField, requiredEmail, requiredSecret, requiredText } from '#/lib/validation.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { requestPasswordReset, setPasswordFromLink, type LinkPurpose } from './invitations.ts';
import { invalidateSession, markSessionTwoFactorVerified } from './session.ts';
import { attemptGuarded, attemptSignIn, throttlePasswordReset } from './throttle.ts';
import { clearSessionCookie, safeNext, startSession } from './sign-in-session.ts';
import { verifySecondFactor } from './totp.ts';

/** The drafts of these forms, for the GET of their pages. */
export const SIGN_IN_FORM = { flow: 'staff', scope: 'accesso' } as const;
export const VERIFY_FORM = { flow: 'staff', scope: 'verifica' } as const;
export const FORGOT_FORM = { flow: 'staff', scope: 'password-dimenticata' } as const;

/** The staff language of the page the form was posted to (the address's, else Italian). */
const localeOf = (context: ActionAPIContext) => (context.params.locale === 'en' ? 'en' : 'it');

/** `path` with `?next=` unless `next` is the staff home. */
export const withNext = (path: string, next: string, home: string) =>
  next === home ? path : `${path}?next=${encodeURIComponent(next)}`;

/** The draft scope of one link: a digest, since the token itself is a secret kept out of drafts. */
export function linkScope(purpose: LinkPurpose, token: string): string {
  return `link:${purpose}:${createHash('sha256').update(token).digest('base64url').slice(0, 22)}`;
}

/** The token of a link page: in its address, where the email put it (a token is 43 characters). */
export const linkToken = (url: URL) => (url.searchParams.get('token') ?? '').slice(0, 100);

/** A new password set from an invitation or reset link; the form posts to the link's own address. */
function passwordFromLink(purpose: LinkPurpose, after: (context: ActionAPIContext, userId: number) => Promise<string>) {
  return defineFormAction({
    input: z.object({ password: requiredSecret('auth.newPassword.missing', 1024) }),
    slot: (context) => ({ flow: 'staff', scope: linkScope(purpose, linkToken(context.url)) }),
    messages: 'auth.newPassword.',
    fields: ['password'],
    omit: ['password'],
    handler: async ({ password }, context) => {
      const db = await getDb();
      const result = await setPasswordFromLink(db, linkToken(context.url), purpose, password);
      // A used or unknown link keeps nothing: its page answers 400 "this link does not work".
      if (!result.ok)
        throw new FormRefused({ errors: result.reason === 'password' ? { password: result.messageKey } : {} });
      return { location: await after(context, result.userId) };
    },
  });
}

export const signInActions = {
  /**
   * Email and password: one generic error for a wrong password and an unknown address (no account
   * probing), throttled (429). Success starts a NEW session, then the second step or `next`.
   */
  signIn: defineFormAction({
    input: z.object({
      email: requiredText('auth.signIn.emailMissing', 254),
      password: requiredSecret('auth.signIn.passwordMissing', 1024),
      next: optionalField(1000),
    }),
    slot: SIGN_IN_FORM,
    messages: 'auth.signIn.',
    fields: ['email', 'password'],
    omit: ['password'],
    handler: async ({ email, password, next: asked }, context) => {
      const locale = localeOf(context);
      const next = safeNext(asked, locale);
      const back = withNext(staffPath(locale, 'accesso'), next, staffPath(locale));
      const db = await getDb();
      const result = await attemptSignIn(db, { email, password, ip: clientIp(context) });
      if (!result.ok && result.reason === 'throttled')
        throw new FormRefused({ retryAfterSeconds: result.retryAfterSeconds, location: back });
      if (!result.ok) throw new FormRefused({ errors: { email: 'auth.signIn.invalid' }, location: back });
      await startSession(context, db, result.user.id, { twoFactorVerified: !result.user.totpEnabled });
      const verify = withNext(staffPath(locale, 'verifica'), next, staffPath(locale));
      return { location: result.user.totpEnabled ? verify : next };
    },
  }),

  /** The code from the authenticator app, or a recovery code: throttled like the password. */
  verify: defineFormAction({
    input: z.object({ code: requiredSecret('auth.verify.missing', 40, { blank: true }), next: optionalField(1000) }),
    slot: VERIFY_FORM,
    messages: 'auth.verify.',
    fields: ['code'],
    omit: ['code'],
    handler: async ({ code, next: asked }, context) => {
      const locale = localeOf(context);
      const next = safeNext(asked, locale);
      const staff = context.locals.staff;
      if (!staff) throw seeOther(`${staffPath(locale, 'accesso')}?next=${encodeURIComponent(next)}`);
      if (!staff.user.totpEnabled || staff.session.twoFactorVerified) throw seeOther(next);
      const back = `${staffPath(locale, 'verifica')}?next=${encodeURIComponent(next)}`;
      const db = await getDb();
      const step = { userId: staff.user.id, ip: clientIp(context), step: 'second_factor' as const };
      const result = await attemptGuarded(db, step, () => verifySecondFactor(db, staff.user.id, code));
      if (!result.ok && result.reason === 'throttled')
        throw new FormRefused({ retryAfterSeconds: result.retryAfterSeconds, location: back });
      if (!result.ok) throw new FormRefused({ errors: { code: 'auth.verify.invalid' }, location: back });
      await markSessionTwoFactorVerified(db, staff.session.id);
      await writeAudit(db, {
        actorUserId: staff.user.id,
        action: 'auth.second_factor',
        subject: `user:${staff.user.id}`,
        detail: { method: result.value },
      });
      return { location: next };
    },
  }),

  /** Ends this session on the server, deletes the cookie, back to sign-in. */
  signOut: defineFormAction({
    input: z.object({}),
    slot: SIGN_IN_FORM,
    messages: 'auth.signIn.',
    handler: async (_input, context) => {
      const staff = context.locals.staff;
      if (staff) {
        const db = await getDb();
        await invalidateSession(db, staff.session.id);
        await writeAudit(db, { actorUserId: staff.user.id, action: 'auth.sign_out', subject: `user:${staff.user.id}` });
      }
      clearSessionCookie(context);
      return { location: `${staffPath(localeOf(context), 'accesso')}?fatto=esci` };
    },
  }),

  /** An address in, always the same answer out; a reset link goes out when it has an account. */
  forgotPassword: defineFormAction({
    input: z.object({
      email: requiredEmail({ required: 'auth.reset.emailMissing', invalid: 'auth.reset.emailInvalid' }),
    }),
    slot: FORGOT_FORM,
    messages: 'auth.reset.',
    fields: ['email'],
    handler: async ({ email }, context) => {
      const db = await getDb();
      const limit = await throttlePasswordReset(db, email, clientIp(context));
      if (!limit.allowed) throw new FormRefused({ retryAfterSeconds: limit.retryAfterSeconds });
      const locale = localeOf(context);
      if (limit.send) await requestPasswordReset(db, email, locale);
      return { location: `${staffPath(locale, 'password-dimenticata')}?inviata=1` };
    },
  }),

  /** The invitation link: the person is then signed in with a new session. */
  acceptInvitation: passwordFromLink('invitation', async (context, userId) => {
    await startSession(context, await getDb(), userId, { twoFactorVerified: false });
    return staffPath(localeOf(context));
  }),

  /** The reset link: every session of the account has ended; sign in again with the new password. */
  resetPassword: passwordFromLink(
    'password_reset',
    async (context) => `${staffPath(localeOf(context), 'accesso')}?fatto=password`,
  ),
};
