// One-page forms (the pledge, the volunteer sign-up, the manage and cancel pages, staff forms) as
// POST → 303 → GET, like the booking flow's steps (booking-steps.ts). A POST that cannot finish
// keeps what was typed and what went wrong in the flow's sealed draft cookie (form-draft.ts) and
// answers 303 to the form's own address; the GET shows the form from the draft, with the GOV.UK
// error summary. So Back, a reload and the language switcher only ever repeat GETs, and never
// lose an answer. Nothing of it goes into a URL. What went wrong is shown once, by the GET right
// after the 303, and then dropped from the draft: a later GET (a reload, Back, another language,
// the next person at a shared phone) shows the answers only, with a 200.
import type { AstroCookies, AstroGlobal } from 'astro';
import { HONEYPOT_FIELD } from '#/server/security/anti-spam.ts';
import { clearFormDraft, isRecord, readFormDraftEntry, saveFormDraft, type DraftFlow } from './form-draft.ts';

/** A message key with its values, as the error summary and the field show it. */
export interface FormMessage {
  key: string;
  values?: Record<string, string | number>;
}

/** What a POST leaves for the GET that follows. */
export interface KeptFormInput {
  /** The fields as sent, read again by the page's own reader (never trusted as typed). */
  form: FormData;
  /** Field id → message, in the order the fields appear; empty after the first GET showed them. */
  errors: Map<string, FormMessage>;
  /** Shown as a line of the error summary (too fast, form expired…), or undefined; once, as the errors. */
  notice?: string;
  /** Above 0: still rate-limited for so many seconds (the page shows its 429 notice). */
  retryAfterSeconds: number;
  /** The status the GET answers with. */
  status: number;
  /** The step of a two-step page the POST led to (cancel by reference: `confirm`). */
  step?: string;
}

export interface KeepInput {
  form: FormData;
  errors?: Map<string, FormMessage> | Record<string, string | undefined>;
  notice?: string;
  /** 422 by default (errors), 409 taken meanwhile, 400 a notice. */
  status?: number;
  retryAfterSeconds?: number;
  /** The step of a two-step page the GET is to show (answers checked, to be confirmed). */
  step?: string;
  /** Fields never kept besides the honeypot and the submission key (a secret, a field re-made by each GET). */
  omit?: readonly string[];
}

type Context = Pick<AstroGlobal, 'cookies' | 'response' | 'redirect'>;

/**
 * Bounds on what a draft keeps: above every form's own limits (an event description may have
 * 10,000 characters, and its reader looks 1,000 further to say "too long"), so no answer is
 * ever shortened; more never reaches a valid answer anyway. A draft too big for the cookie goes
 * to a sealed row (form-draft.ts).
 */
const MAX_FIELDS = 120;
const MAX_VALUE = 20_000;
const ALWAYS_OMITTED = [HONEYPOT_FIELD, 'submissionKey'];

function keptFields(form: FormData, omit: readonly string[]): [string, string][] {
  const fields: [string, string][] = [];
  for (const [name, value] of form) {
    if (typeof value !== 'string' || omit.includes(name) || ALWAYS_OMITTED.includes(name)) continue;
    fields.push([name.slice(0, 100), value.slice(0, MAX_VALUE)]);
    if (fields.length === MAX_FIELDS) break;
  }
  return fields;
}

function messageList(errors: KeepInput['errors']): [string, FormMessage][] {
  if (!errors) return [];
  if (errors instanceof Map) return [...errors];
  return Object.entries(errors).flatMap(([field, key]) => (key ? [[field, { key }] as [string, FormMessage]] : []));
}

/**
 * Keeps the form's input for the GET of the same page and returns the 303 to it. `scope` names
 * the form (and the record, on a manage page): another form of the same flow starts empty.
 */
export async function keepFormInput(
  context: Context,
  flow: DraftFlow,
  scope: string,
  location: string,
  input: KeepInput,
): Promise<Response> {
  const fields = keptFields(input.form, input.omit ?? []);
  const stored = {
    scope,
    fields,
    errors: messageList(input.errors),
    notice: input.notice,
    status: input.status ?? 422,
    step: input.step,
    limitedUntil: input.retryAfterSeconds ? Date.now() + input.retryAfterSeconds * 1000 : undefined,
    // The errors and the notice wait for the GET this 303 leads to, which shows them and drops them.
    unseen: true,
  };
  await saveFormDraft(context, flow, stored);
  return context.redirect(location, 303);
}

function storedMessage(value: unknown): FormMessage | undefined {
  if (!isRecord(value) || typeof value.key !== 'string') return undefined;
  const values = isRecord(value.values)
    ? Object.fromEntries(Object.entries(value.values).filter(([, v]) => typeof v === 'string' || typeof v === 'number'))
    : undefined;
  return { key: value.key, values: values as FormMessage['values'] };
}

/**
 * The input a POST kept for this form, its status and Retry-After set on the response; undefined
 * when there is none (a first visit, another form's draft, or an hour later). The errors and the
 * notice come with the first read after the POST only: that read writes the draft again without
 * them (same expiry), so later GETs show the answers alone. A rate limit stays while it lasts.
 */
export async function keptFormInput(
  context: Context,
  flow: DraftFlow,
  scope: string,
): Promise<KeptFormInput | undefined> {
  const entry = await readFormDraftEntry(context, flow);
  const data = entry?.data;
  if (!entry || !isRecord(data) || data.scope !== scope || !Array.isArray(data.fields)) return undefined;
  const unseen = data.unseen === true;
  if (unseen) {
    // Shown now, never again: re-sealed without them, the hour counted from the POST as before.
    await saveFormDraft(context, flow, { ...data, errors: [], notice: undefined, unseen: false }, entry.expiresAt);
  }
  const form = new FormData();
  for (const field of data.fields as unknown[]) {
    if (Array.isArray(field) && typeof field[0] === 'string' && typeof field[1] === 'string')
      form.append(field[0], field[1]);
  }
  const errors = new Map<string, FormMessage>();
  for (const error of unseen && Array.isArray(data.errors) ? (data.errors as unknown[]) : []) {
    const message = Array.isArray(error) && typeof error[0] === 'string' ? storedMessage(error[1]) : undefined;
    if (message) errors.set((error as [string])[0], message);
  }
  const retryAfterSeconds = Math.max(
    0,
    Math.ceil(((typeof data.limitedUntil === 'number' ? data.limitedUntil : 0) - Date.now()) / 1000),
  );
  const notice = unseen && typeof data.notice === 'string' ? data.notice : undefined;
  const status =
    retryAfterSeconds > 0
      ? 429
      : typeof data.status === 'number' && data.status >= 200 && data.status < 500
        ? data.status
        : 422;
  if (retryAfterSeconds > 0 || errors.size > 0 || notice) {
    context.response.status = status;
    if (retryAfterSeconds > 0) context.response.headers.set('Retry-After', String(retryAfterSeconds));
  }
  return {
    form,
    errors,
    notice,
    retryAfterSeconds,
    status,
    step: typeof data.step === 'string' ? data.step : undefined,
  };
}

/**
 * What a one-field code form (the second sign-in step, the two-step set-up) shows after its POST:
 * the kept error of `field`, translated, the notice and the wait. The code itself is never kept.
 */
export async function keptCodeForm(
  context: Context,
  scope: string,
  field: string,
  t: (key: string) => string,
): Promise<{ error?: string; notice?: string; retryAfterSeconds: number }> {
  const kept = await keptFormInput(context, 'staff', scope);
  const key = kept?.errors.get(field)?.key;
  return { error: key ? t(key) : undefined, notice: kept?.notice, retryAfterSeconds: kept?.retryAfterSeconds ?? 0 };
}

/** The form is done: its answers leave the browser. */
export function forgetFormInput(context: { cookies: AstroCookies }, flow: DraftFlow): void {
  clearFormDraft(context, flow);
}

/** Field → message key, from a kept Map (for pages whose errors are keyed by field name). */
export function messageKeys<F extends string>(errors: Map<string, FormMessage>): Partial<Record<F, string>> {
  return Object.fromEntries([...errors].map(([field, m]) => [field, m.key])) as Partial<Record<F, string>>;
}
