// How a form of the site is an Astro Action (`accept: 'form'`, its input a zod schema): the
// action validates, authorizes, calls one feature function and says where the browser goes next.
// It never renders and never touches the draft cookie: run-form-action.ts (a middleware step)
// turns its outcome into POST → 303 → GET. See docs/architecture.md, "Forms are Actions".
import { ActionError, defineAction, type ActionAPIContext } from 'astro:actions';
import type { z } from 'astro/zod';
import type { DraftFlow } from '#/server/forms/form-draft.ts';
import type { FormMessage } from '#/server/forms/form-page.ts';

/** Where a refused submission's answers wait for the GET: the flow's cookie, and the form within it. */
export interface FormSlot {
  flow: DraftFlow;
  scope: string;
}

/**
 * What a form action's handler gives back: the address of the page to show next (303); or, for
 * the one answer that must not outlive its POST (new recovery codes: a secret never kept to show
 * on a GET), `shown`: the page renders for this POST and reads it with Astro.getActionResult.
 */
export type FormDone = { location: string } | { shown: unknown };

export interface FormActionSpec<S extends z.ZodType> {
  /** The schema of the fields (astro/zod; the JSON API parses its bodies with the same pieces). */
  input: S;
  /** Where the answers of a refused submission are kept; a function when the form is per record. */
  slot: FormSlot | ((context: ActionAPIContext) => FormSlot);
  /** The key prefix of this form's messages ("volunteer.error."): zod's own words become `${prefix}${field}Invalid`. */
  messages: string;
  /** The fields in page order: the order of the error summary. */
  fields?: readonly string[];
  /**
   * A public form (no sign-in) carries the honeypot: a filled one is refused before anything is
   * read, with the page's "refused" view (400), as any bot-facing form of the site does.
   */
  honeypot?: boolean;
  /** Fields never kept in the draft besides the honeypot (a password, a code). */
  omit?: readonly string[];
  /**
   * Runs before the body is even parsed, and answers instead by throwing FormAnswered: a staff form
   * passes `staffOf` (src/features/staff-accounts/staff-of.ts), so nobody signed in is sent to
   * sign-in first (the handler still calls `staffOf` and `can` itself, which is what protects it).
   */
  gate?: (context: Pick<ActionAPIContext, 'cookies' | 'url' | 'locals'>) => unknown;
  /**
   * What a body that does not fit the schema gets: `keep` (default) the answers and errors in the
   * draft, 303 back; `bad-request` a plain 400, for forms of buttons and choices only, whose
   * fields nobody types (a hand-made request).
   */
  invalid?: 'keep' | 'bad-request';
  handler: (input: z.output<S>, context: ActionAPIContext) => Promise<FormDone>;
}

/** What the runner needs to know of a form action besides its result. */
export interface FormActionMeta {
  slot: FormActionSpec<z.ZodType>['slot'];
  messages: string;
  fields: readonly string[];
  honeypot: boolean;
  omit: readonly string[];
  gate: FormActionSpec<z.ZodType>['gate'];
  invalid: 'keep' | 'bad-request';
}

export const FORM_ACTION = Symbol.for('qubi.formAction');

/** An Astro Action for an HTML form, with what the middleware runner needs to answer it. */
export function defineFormAction<S extends z.ZodType>(spec: FormActionSpec<S>) {
  const action = defineAction<FormDone, 'form', S>({
    accept: 'form',
    input: spec.input,
    // Typed by the spec; Astro's own handler type cannot name the output of a generic schema.
    handler: (async (input: z.output<S>, context: ActionAPIContext) => {
      try {
        return await spec.handler(input, context);
      } catch (error) {
        // Astro would turn any other error into a bare 500 ActionError; kept as it is instead, so
        // the runner rethrows it and the middleware's "database away" 503 still applies.
        if (error instanceof ActionError) throw error;
        throw new FormFault(error);
      }
    }) as never,
  });
  const meta: FormActionMeta = {
    slot: spec.slot as FormActionMeta['slot'],
    messages: spec.messages,
    fields: spec.fields ?? [],
    honeypot: spec.honeypot ?? false,
    omit: spec.omit ?? [],
    gate: spec.gate,
    invalid: spec.invalid ?? 'keep',
  };
  return Object.assign(action, { [FORM_ACTION]: meta });
}

export function formActionMeta(action: unknown): FormActionMeta | undefined {
  return typeof action === 'function' ? (action as { [FORM_ACTION]?: FormActionMeta })[FORM_ACTION] : undefined;
}

/** What a refused submission leaves for the GET (see KeepInput in form-page.ts). */
export interface Refusal {
  /** The answers to keep instead of the posted ones: a confirm step that carries none (they wait in the draft). */
  form?: FormData;
  errors?: Map<string, FormMessage> | Record<string, string | undefined>;
  notice?: string;
  /** 422 by default (errors), 409 taken meanwhile, 400 a notice, 429 with retryAfterSeconds. */
  status?: number;
  retryAfterSeconds?: number;
  step?: string;
  /** Fields not kept (beside the spec's): the form stamp, when a fresh one must be signed. */
  omit?: readonly string[];
  /** Back to another address than the form's own (a two-step page's first step). */
  location?: string;
}

/**
 * Thrown by a handler: the submission is refused, its answers and `refusal` are kept in the draft
 * and the browser goes back to the form (303). An ActionError, so a script calling the action
 * gets the status too.
 */
export class FormRefused extends ActionError {
  // Private: Astro's RPC route serializes an error's own fields, and these are for the runner only.
  readonly #refusal: Refusal;
  get refusal(): Refusal {
    return this.#refusal;
  }
  constructor(refusal: Refusal) {
    const status = refusal.retryAfterSeconds ? 429 : (refusal.status ?? 422);
    super({ code: ActionError.statusToCode(status), message: refusal.notice ?? 'form.refused' });
    this.#refusal = refusal;
  }
}

/** An unexpected error of a handler, carried through Astro's result to be rethrown by the runner. */
export class FormFault extends ActionError {
  // Private: never serialized to a script calling the action (a database error may quote data).
  readonly #fault: unknown;
  get fault(): unknown {
    return this.#fault;
  }
  constructor(fault: unknown) {
    super({ code: 'INTERNAL_SERVER_ERROR', message: 'form.fault' });
    this.#fault = fault;
  }
}

/**
 * Thrown by a handler to answer with a response of its own (the sign-in redirect, a 403, a 303
 * elsewhere with nothing kept), or with the site's page of that path (`/404`).
 */
export class FormAnswered extends ActionError {
  readonly #answer: Response | { rewrite: string };
  get answer(): Response | { rewrite: string } {
    return this.#answer;
  }
  constructor(answer: Response | { rewrite: '/404' }) {
    super({
      code: ActionError.statusToCode(answer instanceof Response ? answer.status : 404),
      message: 'form.answered',
    });
    this.#answer = answer;
  }
}

/** The site's 404 page: the record the form is about is not there (or not any more). */
export function notFoundPage(): FormAnswered {
  return new FormAnswered({ rewrite: '/404' });
}

/** A plain 400 for a request no page of ours sends (the form's hidden fields altered). */
export function badRequest(): FormAnswered {
  return new FormAnswered(
    new Response('Bad request', {
      status: 400,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
    }),
  );
}

/** Go to `location` (303) without keeping anything: nothing to do, or the record is gone. */
export function seeOther(location: string): FormAnswered {
  return new FormAnswered(new Response(null, { status: 303, headers: { Location: location } }));
}

/** A 403 for what the policy refuses: nothing changed, nothing shown. */
export function refuseForbidden(): FormAnswered {
  return new FormAnswered(
    new Response('Forbidden', {
      status: 403,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
    }),
  );
}
