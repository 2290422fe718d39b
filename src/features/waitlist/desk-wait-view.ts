// What the desk's "tell me if a place opens" page shows (issue #13): the form as typed, with its
// errors or refusal in the visitor's language; the days start as today … two weeks on.
import type { AstroGlobal } from 'astro';
import type { Locale } from '#/lib/locales.ts';
import type { Translate } from '#/lib/i18n.ts';
import { keptFormInput } from '#/server/forms/form-page.ts';
import { romeDateString } from '#/lib/time.ts';
import { DESK_WAIT_FIELDS, deskWaitlistForm } from './actions.ts';

type Page = Pick<AstroGlobal, 'cookies' | 'response' | 'redirect'>;

export async function deskWaitView(page: Page, slug: string, locale: Locale, t: Translate, now: Date = new Date()) {
  const kept = await keptFormInput(page, 'signup', deskWaitlistForm(slug).scope);
  const values = Object.fromEntries(DESK_WAIT_FIELDS.map((f) => [f, String(kept?.form.get(f) ?? '')])) as Record<
    (typeof DESK_WAIT_FIELDS)[number],
    string
  >;
  if (!values.locale) values.locale = locale;
  if (!values.fromDay) values.fromDay = romeDateString(now);
  if (!values.toDay) values.toDay = romeDateString(new Date(now.getTime() + 14 * 86_400_000));
  const errors: Record<string, string> = {};
  for (const [field, message] of kept?.errors ?? []) errors[field] = t(message.key);
  const summary = DESK_WAIT_FIELDS.filter((f) => errors[f]).map((f) => ({ href: `#${f}`, text: errors[f]! }));
  if (kept?.notice) summary.unshift({ href: '#fromDay', text: t(kept.notice) });
  return { values, errors, summary, retryAfterSeconds: kept?.retryAfterSeconds ?? 0 };
}
