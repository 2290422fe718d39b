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
} from '#/server/actions/form-action.ts';
import { staffOf } from '#/features/staff-accounts/staff-of.ts';
import { recordId } from '#/lib/validation.ts';
import { clientIp, guardLookup } from '#/server/http/request-guard.ts';
import { screenPublicForm } from '#/server/actions/screen.ts';
import { getDb } from '#/server/db/index.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { confirmVolunteer, signUpVolunteer, withdrawVolunteer } from './volunteers.ts';
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
      await signUpVolunteer(db, signUp);
      return { location: volunteerPath(signUp.locale, 'grazie') };
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
