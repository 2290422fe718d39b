// The volunteer forms as Astro Actions: the public sign-up, the withdrawal from an email's link,
// and the staff tools (src/pages/[locale]/staff/volontari). Each validates with the shared schema,
// checks who may do it, calls one function of this feature and says which page comes next.
import { defineFormAction } from '#/server/actions/form-action.ts';
import { screenPublicForm } from '#/server/actions/screen.ts';
import { getDb } from '#/server/db/index.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { signUpVolunteer } from './volunteers.ts';
import { volunteerFormSchema } from './vocabulary.ts';
import { VOLUNTEER_FIELDS, volunteerPath } from './volunteer-form.ts';

/** The sign-up form's draft: what a refused sign-up typed, for the GET of /{locale}/volontari. */
export const SIGN_UP_FORM = { flow: 'volunteer', scope: 'volontari' } as const;

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
};
