// What the volunteer sign-up page (/{locale}/volontari) shows: the form, empty or as typed with its
// errors (read back from the sealed draft the action volunteers.signUp kept), the municipi to choose
// from, the signed form stamp (the one the form started with, if kept), or the limit or spam refusal.
import type { AstroGlobal } from 'astro';
import type { Translate } from '#/lib/i18n.ts';
import type { Db } from '#/server/db/database.ts';
import { keptFormInput, messageKeys } from '#/server/forms/form-page.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { FORM_TIMESTAMP_FIELD, signFormTimestamp } from '#/server/security/anti-spam.ts';
import { listMunicipi } from '#/features/desks/desks.ts';
import { SIGN_UP_FORM } from './actions.ts';
import {
  emptyVolunteerForm,
  readVolunteerForm,
  volunteerErrorSummary,
  type VolunteerField,
  type VolunteerFormValues,
} from './volunteer-form.ts';

export interface SignUpView {
  step: 'form' | 'limited' | 'refused';
  municipi: Awaited<ReturnType<typeof listMunicipi>>;
  values: VolunteerFormValues;
  errors: Partial<Record<VolunteerField, string>>;
  summary: ReturnType<typeof volunteerErrorSummary>;
  retryAfterSeconds: number;
  formStartedAt: string;
  pageTitle: string;
}

type PageContext = Pick<AstroGlobal, 'cookies' | 'response' | 'redirect'>;

export async function signUpView(
  astro: PageContext,
  db: Db,
  refusedAsSpam: () => boolean,
  t: Translate,
): Promise<SignUpView> {
  const [municipi, secret] = await Promise.all([listMunicipi(db), getServerSecret(db)]);
  const kept = await keptFormInput(astro, SIGN_UP_FORM.flow, SIGN_UP_FORM.scope);
  const errors = kept ? messageKeys<VolunteerField>(kept.errors) : {};
  const notice = kept?.notice === 'tooFast' || kept?.notice === 'formExpired' ? kept.notice : undefined;
  const retryAfterSeconds = kept?.retryAfterSeconds ?? 0;
  const step = refusedAsSpam() ? 'refused' : retryAfterSeconds > 0 ? 'limited' : 'form';
  const keptClock = kept?.form.get(FORM_TIMESTAMP_FIELD);
  const summary = volunteerErrorSummary(errors, notice, t);
  const title = t('volunteer.form.title');
  const pageTitle =
    step === 'limited'
      ? t('booking.limit.title')
      : step === 'refused'
        ? t('booking.refused.title')
        : summary.length > 0
          ? t('booking.errorTitle', { title })
          : title;
  return {
    step,
    municipi,
    values: kept ? readVolunteerForm(kept.form) : emptyVolunteerForm(),
    errors,
    summary,
    retryAfterSeconds,
    formStartedAt: typeof keptClock === 'string' && keptClock ? keptClock : signFormTimestamp(secret),
    pageTitle,
  };
}
