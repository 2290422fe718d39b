// The volunteer forms as Astro Actions: the public sign-up, the withdrawal from an email's link,
// and the staff tools (src/pages/[locale]/staff/volontari). Each validates with the shared schema,
// checks who may do it, calls one function of this feature and says which page comes next.
import { createHash } from 'node:crypto';
import { z } from 'astro/zod';
import { staffPath, volunteerPath } from '#/lib/paths.ts';
import {
  badRequest,
  defineFormAction,
  FormRefused,
  notFoundPage,
  refuseForbidden,
  seeOther,
} from '#/server/actions/form-action.ts';
import { staffOf } from '#/features/staff-accounts/staff-of.ts';
import { optionalField, recordId } from '#/lib/validation.ts';
import { parseCodeInput } from '#/features/verification/code.ts';
import type { ActionAPIContext } from 'astro:actions';
import type { AstroGlobal } from 'astro';
import { clientIp, guardLookup } from '#/server/http/request-guard.ts';
import { screenPublicForm } from '#/server/actions/screen.ts';
import { getDb } from '#/server/db/index.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import {
  confirmVolunteer,
  confirmVolunteerByCode,
  resendVolunteerCode,
  signUpVolunteer,
  withdrawVolunteer,
} from './volunteers.ts';
import { maskPhone } from '#/features/verification/code.ts';
import { keptFormInput } from '#/server/forms/form-page.ts';
import {
  canListVolunteers,
  filtersQuery,
  readVolunteerFilters,
  setVolunteerStatus,
  volunteerMunicipi,
} from './staff-volunteers.ts';
import { volunteerFormSchema } from './vocabulary.ts';
import { VOLUNTEER_FIELDS } from './volunteer-form.ts';

/** The sign-up form's draft: what a refused sign-up typed, for the GET of /{locale}/volontari. */
export const SIGN_UP_FORM = { flow: 'volunteer', scope: 'volontari' } as const;

/** The withdraw page's draft, per link: only its outcome (not found, or wait), never a field. */
export const withdrawForm = (url: URL) => ({ flow: 'volunteer', scope: `ritira:${linkToken(url)}` }) as const;
const linkToken = (url: URL) => (url.searchParams.get('token') ?? '').slice(0, MAX_TOKEN);
/** The notice of a withdraw link that matches nobody (wrong, or already used). */
export const WITHDRAW_NOT_FOUND = 'notFound';
/** Longer than any token we issue (secret-link.ts). */
const MAX_TOKEN = 200;

/**
 * The confirmation link's page draft, per link (a digest of the token: the token itself stays in
 * the address): only the outcome of its button (expired or used, or wait), never a field.
 */
export const confirmForm = (url: URL) =>
  ({
    flow: 'volunteer',
    scope: `conferma:${createHash('sha256').update(linkToken(url)).digest('base64url').slice(0, 22)}`,
  }) as const;
/** The notice of a confirmation link that confirms nothing (wrong, expired, or already used). */
export const CONFIRM_EXPIRED = 'expired';

/** The sign-up draft's step once a code went to the phone given. */
export const CODE_STEP = 'code';
/** The code step's notice after "send the code again" (shown once). */
export const CODE_RESENT = 'resent';

function codeDraft(to: { volunteerId: number; phone: string }): FormData {
  const form = new FormData();
  form.set('volunteer', String(to.volunteerId));
  form.set('sentTo', maskPhone(to.phone));
  return form;
}

/** The sign-up a code was sent for, from the sealed draft (what "check your email" shows and confirms). */
export async function signUpCodeOf(
  context: Pick<ActionAPIContext, 'cookies'> & Partial<Pick<AstroGlobal, 'response' | 'redirect'>>,
) {
  const keeper = {
    cookies: context.cookies,
    redirect: context.redirect ?? (() => new Response()),
    response: context.response ?? { headers: new Headers() },
  };
  const kept = await keptFormInput(keeper as never, SIGN_UP_FORM.flow, SIGN_UP_FORM.scope);
  const volunteerId = Number(kept?.form.get('volunteer'));
  if (kept?.step !== CODE_STEP || !Number.isInteger(volunteerId) || volunteerId <= 0) return undefined;
  return { kept, form: kept.form, volunteerId, sentTo: String(kept.form.get('sentTo') ?? '').slice(0, 40) };
}

export const volunteers = {
  /**
   * A sign-up from /{locale}/volontari: recorded, then "check your email" (double opt-in). The
   * answer is the same for a new address and a known one, so it tells nobody who has signed up.
   */
  signUp: defineFormAction({
    input: volunteerFormSchema,
    slot: SIGN_UP_FORM,
    messages: 'volunteer.error.',
    fields: VOLUNTEER_FIELDS,
    honeypot: true,
    handler: async ({ formStartedAt, ...fields }, context) => {
      const signUp = { ...fields, locale: context.locals.locale };
      const db = await getDb();
      await screenPublicForm(context, db, {
        formStartedAt,
        secret: await getServerSecret(db),
        scope: 'volunteer',
        contact: signUp.email,
      });
      const outcome = await signUpVolunteer(db, signUp, new Date(), { code: true });
      const thanks = volunteerPath(signUp.locale, 'grazie');
      if (!outcome.codeTo) return { location: thanks };
      // A code went to the mobile phone: "check your email" also offers to type it. Which sign-up
      // it confirms waits in the sealed draft (the id, and the phone masked), never in the address.
      throw new FormRefused({ form: codeDraft(outcome.codeTo), step: CODE_STEP, status: 200, location: thanks });
    },
  }),

  /**
   * The code typed on "check your email" (/{locale}/volontari/grazie): right → "confirmed";
   * otherwise back to the page, which says why (5 tries, then the emailed link only).
   */
  confirmCode: defineFormAction({
    input: z.object({ code: optionalField(40) }),
    slot: SIGN_UP_FORM,
    messages: 'volunteer.error.',
    handler: async ({ code }, context) => {
      const locale = context.locals.locale;
      const kept = await signUpCodeOf(context);
      if (!kept) throw seeOther(volunteerPath(locale, 'grazie'));
      const back = { form: kept.form, step: CODE_STEP, location: volunteerPath(locale, 'grazie') };
      if (!parseCodeInput(code)) throw new FormRefused({ ...back, errors: { code: 'booking.error.codeFormat' } });
      const outcome = await confirmVolunteerByCode(await getDb(), kept.volunteerId, code);
      if (outcome.ok) return { location: volunteerPath(locale, 'conferma', { esito: 'codice' }) };
      if (outcome.reason === 'wrong')
        throw new FormRefused({
          ...back,
          errors: new Map([['code', { key: 'booking.error.codeWrong', values: { count: outcome.triesLeft } }]]),
        });
      throw new FormRefused({ ...back, errors: { code: 'volunteer.code.unusable' }, status: 429 });
    },
  }),

  /**
   * "Send the code again" on "check your email": a new code to the same phone, as a booking's code
   * step does (three codes in all, a minute apart); back to the page, which says what happened.
   * The emailed link serves as "use email instead": the form always takes an email.
   */
  resendCode: defineFormAction({
    input: z.object({}),
    slot: SIGN_UP_FORM,
    messages: 'volunteer.error.',
    handler: async (_input, context) => {
      const locale = context.locals.locale;
      const kept = await signUpCodeOf(context);
      if (!kept) throw seeOther(volunteerPath(locale, 'grazie'));
      const back = { form: kept.form, step: CODE_STEP, location: volunteerPath(locale, 'grazie') };
      const outcome = await resendVolunteerCode(await getDb(), kept.volunteerId);
      if (outcome.ok) throw new FormRefused({ ...back, notice: CODE_RESENT, status: 200 });
      if (outcome.reason === 'too_soon')
        throw new FormRefused({
          ...back,
          errors: new Map([
            ['resend', { key: 'booking.error.resendTooSoon', values: { count: outcome.retryAfterSeconds } }],
          ]),
          status: 429,
        });
      if (outcome.reason === 'no_more')
        throw new FormRefused({ ...back, errors: { resend: 'volunteer.code.resendNoMore' } });
      // Spent, expired or locked: the page says to use the emailed link.
      throw seeOther(volunteerPath(locale, 'grazie'));
    },
  }),

  /**
   * The button of the withdraw link (/{locale}/volontari/ritira?token=…): deletes everything about
   * the volunteer. The token stays in the link's address; a wrong one is counted (404, then 429),
   * so links cannot be tried one after another.
   */
  withdraw: defineFormAction({
    input: z.object({}),
    slot: (context) => withdrawForm(context.url),
    messages: 'volunteer.error.',
    handler: async (_input, context) => {
      const db = await getDb();
      if (await withdrawVolunteer(db, linkToken(context.url)))
        return { location: volunteerPath(context.locals.locale, 'ritira', { esito: 'ritirato' }) };
      const limit = await guardLookup(db, 'volunteer-withdraw', clientIp(context));
      if (!limit.allowed) throw new FormRefused({ retryAfterSeconds: limit.retryAfterSeconds });
      throw new FormRefused({ notice: WITHDRAW_NOT_FOUND, status: 404 });
    },
  }),

  /**
   * The button of the confirmation link's page (/{locale}/volontari/conferma?token=…): confirms the
   * address (or applies a confirmed volunteer's new details). Only this POST confirms: the GET of
   * the link shows what it would confirm. A link that confirms nothing is counted (410, then 429).
   */
  confirm: defineFormAction({
    input: z.object({}),
    slot: (context) => confirmForm(context.url),
    messages: 'volunteer.error.',
    handler: async (_input, context) => {
      const db = await getDb();
      if ((await confirmVolunteer(db, linkToken(context.url))) === 'confirmed')
        return { location: volunteerPath(context.locals.locale, 'conferma', { esito: 'confermato' }) };
      const limit = await guardLookup(db, 'volunteer-confirm', clientIp(context));
      if (!limit.allowed) throw new FormRefused({ retryAfterSeconds: limit.retryAfterSeconds });
      throw new FormRefused({ notice: CONFIRM_EXPIRED, status: 410 });
    },
  }),

  /**
   * Staff: a volunteer's status (new, contacted, active, inactive), from the filtered list
   * (/{locale}/staff/volontari?…): 303 back to the same list, at the volunteer's row. Authorized
   * with `can(actor, volunteers.manage {municipi})` on the list's filter and on the volunteer's
   * municipi as stored (inside setVolunteerStatus).
   */
  setStatus: defineFormAction({
    input: z.object({ volunteer: recordId('staff.volunteers.error.invalid'), status: z.string().max(40) }),
    slot: { flow: 'staff', scope: 'volontari' },
    messages: 'staff.volunteers.error.',
    gate: staffOf,
    invalid: 'bad-request',
    handler: async ({ volunteer, status }, context) => {
      const { actor } = staffOf(context);
      if (volunteerMunicipi(actor).length === 0) throw refuseForbidden();
      const { filters } = readVolunteerFilters(context.url.searchParams);
      if (!canListVolunteers(actor, filters)) throw refuseForbidden();
      const result = await setVolunteerStatus(await getDb(), actor, volunteer, status);
      if (!result.ok) {
        if (result.reason === 'forbidden') throw refuseForbidden();
        if (result.reason === 'not_found') throw notFoundPage();
        throw badRequest();
      }
      const back = new URL(staffPath(context.locals.locale, 'volontari') + filtersQuery(filters), context.url);
      back.searchParams.set('fatto', 'status');
      return { location: `${back.pathname}${back.search}#volunteer-${volunteer}` };
    },
  }),
};
