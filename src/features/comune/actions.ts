// The accessibility statement's feedback form (public) and its staff side: a report is kept with
// its 30-day reply clock; staff mark it answered, which wipes the reply address.
import { z } from 'astro/zod';
import { pagePath, staffPath, withQuery } from '#/lib/paths.ts';
import { defineFormAction, FormRefused, notFoundPage, refuseForbidden } from '#/server/actions/form-action.ts';
import { clientIp, guardPublicWrite } from '#/server/http/request-guard.ts';
import { getDb } from '#/server/db/index.ts';
import { freeNote, optionalField, recordId } from '#/lib/validation.ts';
import { normalizeEmail } from '#/lib/contact.ts';
import { staffOf } from '#/features/staff-accounts/staff-of.ts';
import { can } from '#/features/staff-accounts/policy.ts';
import { insertReport, markAnswered } from './accessibility-feedback.ts';

/** Where a refused report's answers wait for the GET of /{locale}/accessibilita. */
export const REPORT_FORM = { flow: 'accessibility', scope: 'accessibilita' } as const;
export const REPORT_FIELDS = ['message', 'page', 'replyTo'] as const;
export const REPORT_MAX = 2000;

export const comune = {
  report: defineFormAction({
    input: z.object({
      message: freeNote(
        { tooLong: 'comune.a11y.error.messageTooLong', invalid: 'comune.a11y.error.messageInvalid' },
        REPORT_MAX,
      ),
      page: optionalField(300),
      replyTo: optionalField(300),
    }),
    slot: REPORT_FORM,
    messages: 'comune.a11y.error.',
    fields: REPORT_FIELDS,
    honeypot: true,
    handler: async ({ message, page, replyTo }, context) => {
      const locale = context.locals.locale;
      const email = replyTo.trim() ? normalizeEmail(replyTo) : null;
      const errors = {
        message: message ? undefined : 'comune.a11y.error.messageRequired',
        replyTo: email === undefined ? 'comune.a11y.error.replyToInvalid' : undefined,
      };
      if (errors.message || errors.replyTo) throw new FormRefused({ errors });
      const db = await getDb();
      const limit = await guardPublicWrite(db, 'accessibility', clientIp(context));
      if (!limit.allowed) throw new FormRefused({ retryAfterSeconds: limit.retryAfterSeconds });
      await insertReport(db, { page: page.trim() || null, message: message!, replyTo: email ?? null, locale });
      return { location: `${withQuery(pagePath(locale, 'accessibility'), { esito: 'inviata' })}#segnalazione` };
    },
  }),

  /** Staff: a report answered (its reply address wiped). `accessibility.feedback`, 403 otherwise. */
  answered: defineFormAction({
    input: z.object({ report: recordId('staff.error.invalid') }),
    slot: { flow: 'staff', scope: 'accessibilita' },
    messages: 'staff.error.',
    gate: staffOf,
    invalid: 'bad-request',
    handler: async ({ report }, context) => {
      const { actor } = staffOf(context);
      if (!can(actor, { kind: 'accessibility.feedback' })) throw refuseForbidden();
      if (!(await markAnswered(await getDb(), report))) throw notFoundPage();
      return { location: staffPath(context.locals.locale, 'accessibilita') };
    },
  }),
};
