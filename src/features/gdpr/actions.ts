// The GDPR desk's forms as Astro Actions (/{locale}/staff/gdpr, admins only): search, confirm an
// erasure, export as JSON, erase. Each checks who is asking (staffOf) and `can(actor, gdpr)` first.
//
// The email or phone searched is personal data: it never goes in a URL (so never in a log or the
// history), only in the sealed staff draft cookie, which the GET of the desk reads to run the
// search again and show the results or the confirmation. The runner writes that draft for a
// FormRefused only, so a search "answers" through one, with the step reached and no error.
import type { ActionAPIContext } from 'astro:actions';
import { staffPath } from '#/lib/paths.ts';
import { z } from 'astro/zod';
import { FormAnswered, FormRefused, defineFormAction, refuseForbidden } from '#/server/actions/form-action.ts';
import { staffOf } from '#/features/staff-accounts/staff-of.ts';
import { getDb } from '#/server/db/index.ts';
import { invalidateLiveData } from '#/server/cache/live-page.ts';
import { can } from '#/features/staff-accounts/policy.ts';
import { optionalField } from '#/lib/validation.ts';
import { romeDateString } from '#/lib/time.ts';
import { findPersonalData, isKeyProblem, type KeyProblem } from './personal-data-search.ts';
import { exportPersonalData } from './personal-data-export.ts';
import { erasePersonalData } from './personal-data-erasure.ts';

/** The desk's draft: the key searched, the step reached, the problems found. */
export const GDPR_DESK_FORM = { flow: 'staff', scope: 'gdpr' } as const;
/** Steps: the results shown; the erasure to confirm (at its own address, so Back returns to the results). */
export const GDPR_RESULTS = 'results';
export const GDPR_CONFIRM = 'confirm';
/** Notice: an admin may not erase their own account. */
export const GDPR_SELF = 'self';
export const gdprConfirmPath = (locale: string) => `${staffPath(locale, 'gdpr')}?passo=conferma`;

/** The key searched for: an email address and/or a phone number as typed (the feature normalises and checks them). */
const personalKey = z.object({
  email: optionalField(300).transform((v) => v.trim()),
  phone: optionalField(300).transform((v) => v.trim()),
});

/** The admin asking, or the sign-in redirect / 403 thrown. */
function admin(context: ActionAPIContext) {
  const { actor } = staffOf(context);
  if (!can(actor, { kind: 'gdpr' })) throw refuseForbidden();
  return actor;
}

/** Back to the desk with the key and these problems shown (422). */
const keyProblems = (problems: KeyProblem[]) =>
  new FormRefused({ errors: Object.fromEntries(problems.map((p) => [p, p])) });

/** Shared by the desk's forms: the draft slot, the message keys, the key's fields. */
const desk = { input: personalKey, slot: GDPR_DESK_FORM, messages: 'staff.gdpr.error.', fields: ['email', 'phone'] };

export const gdpr = {
  /** Search (audited here, once: the GET that shows the results reads without a new audit row). */
  search: defineFormAction({
    ...desk,
    handler: async (key, context) => {
      const actor = admin(context);
      const found = await findPersonalData(await getDb(), key, { actorUserId: actor.id });
      if (isKeyProblem(found)) throw keyProblems(found.problems);
      throw new FormRefused({ step: GDPR_RESULTS });
    },
  }),

  /** "Erase…": the confirmation step, showing what would go. */
  confirm: defineFormAction({
    ...desk,
    handler: async (key, context) => {
      admin(context);
      const found = await findPersonalData(await getDb(), key, {});
      if (isKeyProblem(found)) throw keyProblems(found.problems);
      throw new FormRefused({ step: GDPR_CONFIRM, location: gdprConfirmPath(context.locals.locale) });
    },
  }),

  /** Right of access: everything stored about the person, downloaded as JSON (audited). */
  export: defineFormAction({
    ...desk,
    handler: async (key, context) => {
      const actor = admin(context);
      const data = await exportPersonalData(await getDb(), key, { actorUserId: actor.id });
      if ('problems' in data) throw keyProblems(data.problems);
      throw new FormAnswered(
        new Response(JSON.stringify(data, null, 2), {
          headers: {
            'Content-Type': 'application/json; charset=utf-8',
            'Content-Disposition': `attachment; filename="dati-personali-${romeDateString(new Date())}.json"`,
            'Cache-Control': 'no-store',
            'X-Content-Type-Options': 'nosniff',
          },
        }),
      );
    },
  }),

  /** Right to erasure, once confirmed: 303 to the desk with the counts erased (no personal data in them). */
  erase: defineFormAction({
    ...desk,
    handler: async (key, context) => {
      const actor = admin(context);
      const result = await erasePersonalData(await getDb(), key, { actorUserId: actor.id });
      if (!result.ok && result.reason === 'invalid') throw keyProblems(result.problems);
      if (!result.ok) throw new FormRefused({ step: GDPR_RESULTS, notice: GDPR_SELF, status: 409 });
      if (result.cacheTags.length > 0) await invalidateLiveData(context, result.cacheTags);
      const c = result.counts;
      const counts = new URLSearchParams({
        fatto: 'erased',
        b: String(c.booking),
        p: String(c.pledge),
        v: String(c.volunteer),
        r: String(c.event_registration),
        w: String(c.wait_entry),
        o: String(c.outbox),
        u: String(c.app_user),
      });
      return { location: `${staffPath(context.locals.locale, 'gdpr')}?${counts}` };
    },
  }),
};
