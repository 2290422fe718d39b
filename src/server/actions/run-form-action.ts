// The middleware step that runs a form's Astro Action itself (getActionContext), so that every
// form answers as the site's forms always have, with or without JavaScript:
//   success → 303 to where the action says (its draft forgotten);
//   refused (zod issues, or FormRefused from the handler) → the answers and the message keys kept
//     in the sealed draft (form-page.ts), 303 back to the form's page, whose GET shows them (422…);
//   FormAnswered (sign-in, 403, "nothing to do") → that response;
//   a filled honeypot → the page renders its "refused" view (400) for this POST, nothing kept.
// The Back button therefore never offers to resend a form. See docs/architecture.md, "Forms are Actions".
import type { APIContext, MiddlewareNext } from 'astro';
import { ActionError, getActionContext, isInputError } from 'astro:actions';
import { server } from '#/actions/index.ts';
import { HONEYPOT_FIELD } from '#/server/security/anti-spam.ts';
import { forgetFormInput, keepFormInput } from '#/server/forms/form-page.ts';
import { issueKeys } from '#/lib/validation.ts';
import {
  badRequest,
  FormAnswered,
  FormFault,
  FormRefused,
  formActionMeta,
  type FormActionMeta,
  type FormDone,
} from './form-action.ts';

/** The message of the error a page sees (Astro.getActionResult) when the honeypot was filled. */
export const HONEYPOT_REFUSAL = 'form.honeypot';

/** The action `volunteers.signUp` of src/actions/index.ts, by its dotted name. */
function lookUp(name: string): unknown {
  let node: unknown = server;
  for (const part of name.split('.')) {
    if (typeof node !== 'object' && typeof node !== 'function') return undefined;
    node = Object.hasOwn(node as object, part) ? (node as Record<string, unknown>)[part] : undefined;
  }
  return node;
}

/** The form's own page: the address posted to, without the action's name. */
function formPage(url: URL): string {
  const params = new URLSearchParams(url.search);
  params.delete('_action');
  const query = params.toString();
  return query ? `${url.pathname}?${query}` : url.pathname;
}

/** Astro's own rule (security.checkOrigin), applied before the action runs rather than after. */
function crossSite(context: APIContext): Response | undefined {
  if (context.request.headers.get('origin') === context.url.origin) return undefined;
  return new Response(`Cross-site ${context.request.method} form submissions are forbidden`, { status: 403 });
}

export async function runFormAction(context: APIContext, next: MiddlewareNext): Promise<Response | undefined> {
  const { action, setActionResult, serializeActionResult } = getActionContext(context);
  if (!action || action.calledFrom !== 'form') return undefined;
  const meta = formActionMeta(lookUp(action.name));
  // Not a form action of ours (or none by that name): Astro answers it as it would.
  if (!meta) return undefined;
  const refused = crossSite(context);
  if (refused) return refused;
  // What was typed, as sent, for the draft (the action reads its own copy of the body).
  const form = await context.request
    .clone()
    .formData()
    .catch(() => new FormData());
  if (meta.honeypot && String(form.get(HONEYPOT_FIELD) ?? '') !== '') {
    const error = new ActionError({ code: 'BAD_REQUEST', message: HONEYPOT_REFUSAL });
    setActionResult(action.name, serializeActionResult({ data: undefined, error }));
    return next();
  }
  if (meta.gate) {
    // Sign-in first, before the body is judged (the handler checks again, and authorizes).
    try {
      meta.gate(context);
    } catch (error) {
      if (error instanceof FormAnswered) return answer(context, error);
      throw error;
    }
  }
  const result = await action.handler();
  const back = formPage(context.url);
  const slot = typeof meta.slot === 'function' ? meta.slot(context) : meta.slot;
  const error = result.error as unknown;
  if (!error) {
    forgetFormInput(context, slot.flow);
    const done = result.data as FormDone;
    if ('location' in done) return context.redirect(done.location, 303);
    // Rendered for this POST only (no-store), never kept: the page reads it as the action's result.
    setActionResult(action.name, serializeActionResult(result));
    return next();
  }
  if (error instanceof FormAnswered) return answer(context, error);
  const keeper = { cookies: context.cookies, redirect: context.redirect, response: { headers: new Headers() } };
  if (isInputError(error)) {
    if (meta.invalid === 'bad-request') return answer(context, badRequest());
    return keepFormInput(keeper, slot.flow, slot.scope, back, {
      form,
      errors: Object.fromEntries(issueKeys(error.issues, meta.messages, meta.fields)),
      omit: meta.omit,
    });
  }
  if (error instanceof FormRefused) {
    const { location, omit, ...kept } = error.refusal;
    return keepFormInput(keeper, slot.flow, slot.scope, location ?? back, {
      form,
      ...kept,
      omit: [...meta.omit, ...(omit ?? [])],
    });
  }
  // Anything else is a fault of ours: the server's error page (or the 503 while the database is
  // away), never a silent 303.
  throw error instanceof FormFault ? error.fault : error;
}

function answer(context: APIContext, answered: FormAnswered): Response | Promise<Response> {
  const { answer } = answered;
  return answer instanceof Response ? answer : context.rewrite(answer.rewrite);
}

export type { FormActionMeta };
