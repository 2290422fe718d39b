// What the sign-in page (/{it|en}/staff/accesso) shows of a refused attempt, kept by
// staffAccounts.signIn: the address typed (never the password), the one generic error, the
// throttle's wait; and the notice after signing out or setting a password (?fatto=…). Pure.
import type { Translate } from '#/lib/i18n.ts';
import type { KeptFormInput } from '#/server/forms/form-page.ts';

export interface SignInView {
  email: string;
  errors: Record<string, string>;
  retryAfterSeconds: number;
  notice: string | undefined;
  summary: { href: string; text: string }[];
  pageTitle: string;
}

export function signInView(kept: KeptFormInput | undefined, params: URLSearchParams, t: Translate): SignInView {
  const errors = Object.fromEntries([...(kept?.errors ?? [])].map(([field, m]) => [field, t(m.key)]));
  const retryAfterSeconds = kept?.retryAfterSeconds ?? 0;
  const notices: Record<string, string> = { esci: t('auth.signIn.signedOut'), password: t('auth.signIn.passwordSet') };
  const summary = Object.entries(errors).map(([field, message]) => ({ href: `#${field}`, text: message }));
  const title = t('auth.signIn.title');
  return {
    email: String(kept?.form.get('email') ?? '').slice(0, 254),
    errors,
    retryAfterSeconds,
    notice: notices[params.get('fatto') ?? ''],
    summary,
    pageTitle: retryAfterSeconds
      ? t('auth.throttled.title')
      : summary.length
        ? t('staff.errorTitle', { title })
        : title,
  };
}
