// What the sign-up pages show (issue #13): the party form as typed with its errors or refusal, the
// code step (where the code went, until when the seats are held), the confirmation, and the "we
// can't come" page. Each takes the page's context and reads; the pages only render.
import type { AstroGlobal } from 'astro';
import type { Db } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import type { Translate } from '#/lib/i18n.ts';
import { keptFormInput } from '#/server/forms/form-page.ts';
import { saveFormDraft } from '#/server/forms/form-draft.ts';
import { MAX_ATTEMPTS, maskEmail, maskPhone } from '#/features/verification/code.ts';
import { AGE_BANDS, BAND_COLUMN, PARTY_FIELD_ORDER } from './party.ts';
import { heldFromDraft, signUpForm } from './sign-up-drafts.ts';
import type { PublicEvent } from './events.ts';
import { findByCancelToken, findRegistration, registrationLapsed } from './registration-holds.ts';

type Page = Pick<AstroGlobal, 'cookies' | 'response' | 'redirect'>;

export const PARTY_FIELDS = ['adults', ...AGE_BANDS.map((b) => BAND_COLUMN[b]), 'name', 'phone', 'email'] as const;

/** Can a family sign up now: seats, published, not started. */
export function signUpOpen(event: PublicEvent, now: Date = new Date()): boolean {
  return event.seats !== null && event.status === 'published' && event.startsAt > now;
}

/** The party form as typed; `scope`: another form of the same fields (the waiting list's, features/waitlist). */
export async function partyFormView(
  page: Page,
  event: PublicEvent,
  locale: Locale,
  t: Translate,
  scope: string = signUpForm(event.slug, 'party').scope,
) {
  const kept = await keptFormInput(page, 'signup', scope);
  const values = Object.fromEntries(
    [...PARTY_FIELDS, 'locale'].map((f) => [f, String(kept?.form.get(f) ?? '')]),
  ) as Record<string, string>;
  if (!values.locale) values.locale = locale;
  if (!values.adults) values.adults = '1';
  const errors: Record<string, string> = {};
  for (const [field, message] of kept?.errors ?? []) errors[field] = t(message.key);
  const order = PARTY_FIELD_ORDER as readonly string[];
  const summary = [...Object.entries(errors)]
    .sort(([a], [b]) => order.indexOf(a) - order.indexOf(b))
    .map(([field, text]) => ({ href: `#${field === 'children' ? BAND_COLUMN['0-3'] : field}`, text }));
  if (kept?.notice) summary.unshift({ href: '#adults', text: t(kept.notice) });
  return { values, errors, summary, retryAfterSeconds: kept?.retryAfterSeconds ?? 0 };
}

export async function codeStepView(page: Page, db: Db, event: PublicEvent, t: Translate, now: Date = new Date()) {
  const held = await heldFromDraft(page, event.slug);
  const r = held && (await findRegistration(db, held.id));
  if (!r || r.eventSlug !== event.slug) return undefined;
  // What "send again" did is said once.
  if (held.said) await saveFormDraft(page, 'signup-hold', { slug: event.slug, id: held.id });
  const kept = await keptFormInput(page, 'signup', signUpForm(event.slug, 'code').scope);
  const error = kept?.errors.get('code');
  const emailError = kept?.errors.get('email');
  const notice = kept?.notice ?? (held.said ? `events.code.said.${held.said}` : undefined);
  const channel = r.channel ?? (r.phone ? 'sms' : 'email');
  return {
    status: r.status,
    reference: r.reference,
    seats: r.seats,
    sentTo: channel === 'sms' ? maskPhone(r.phone ?? '') : maskEmail(r.email ?? ''),
    channel,
    /** The email the family gave, masked, when the code went by SMS ("use email instead"). */
    otherEmail: channel === 'sms' && r.email ? maskEmail(r.email) : null,
    expiresAt: r.expiresAt,
    lapsed: registrationLapsed(r, now) || (r.status !== 'pending' && r.status !== 'confirmed'),
    locked: r.attempts >= MAX_ATTEMPTS,
    error: error ? t(error.key) : undefined,
    emailError: emailError ? t(emailError.key) : undefined,
    notice: notice ? t(notice) : undefined,
  };
}

export async function cancelView(db: Db, token: string | null) {
  return token ? findByCancelToken(db, token) : undefined;
}
