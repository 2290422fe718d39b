// The one validation vocabulary of the site: zod pieces (from astro/zod, as the Actions use) for
// what forms, the JSON API and the staff tools all take in — names, contacts, notes, times, dates,
// ids, slugs, locales. Every message is a locale key ("volunteer.error.nameRequired"), never
// English: the page or the API translates it into the reader's language. A feature picks its
// own keys, so the words people already see stay the same.
import { z } from 'astro/zod';
import { LOCALES } from '#/lib/locales.ts';
import { normalizeEmail, normalizePhone, toLatinDigits } from '#/lib/contact.ts';
import { parseReference } from '#/lib/reference-code.ts';

/**
 * C0 and C1 control characters and DEL: no name, address or note needs one, and PostgreSQL
 * refuses U+0000 in text outright (an error, not a validation failure).
 */
export const CONTROL_CHARACTER = /[\u0000-\u001F\u007F-\u009F]/;
/** The same, but a note may hold line breaks and tabs. */
const CONTROL_IN_NOTE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

/** Far above any field's own limit: a longer value is refused before it is trimmed or parsed. */
const RAW_MAX = 10_000;

/** A person's name: trimmed, inner spaces collapsed, 1–`max` characters, no control character. */
export function personName(keys: { required: string; tooLong: string; invalid: string }, max: number) {
  return z
    .string({ error: keys.required })
    .max(RAW_MAX, { error: keys.tooLong })
    .transform((v) => v.trim().replace(/\s+/g, ' '))
    .pipe(
      z
        .string()
        .min(1, { error: keys.required })
        .max(max, { error: keys.tooLong })
        .refine((v) => !CONTROL_CHARACTER.test(v), { error: keys.invalid }),
    );
}

/** A required email address, normalised (lower case, trimmed); '' when refused. */
export function requiredEmail(keys: { required: string; invalid: string }) {
  return z
    .string({ error: keys.required })
    .max(RAW_MAX, { error: keys.invalid })
    .transform((v, ctx) => {
      const email = normalizeEmail(v);
      if (!email) ctx.addIssue({ code: 'custom', message: v.trim() ? keys.invalid : keys.required });
      return email ?? '';
    });
}

/** An optional phone number (Arabic-Indic digits read as 0–9), normalised to +39…; null when empty. */
export function optionalPhone(invalid: string) {
  return z
    .string({ error: invalid })
    .max(RAW_MAX, { error: invalid })
    .nullish()
    .transform((v, ctx) => {
      const raw = toLatinDigits(v ?? '');
      if (!raw.trim()) return null;
      const phone = normalizePhone(raw);
      if (!phone) ctx.addIssue({ code: 'custom', message: invalid });
      return phone ?? null;
    });
}

/** A required phone number (Arabic-Indic digits read as 0–9), normalised to +39…; '' when refused. */
export function requiredPhone(keys: { required: string; invalid: string }) {
  return z
    .string({ error: keys.required })
    .max(RAW_MAX, { error: keys.invalid })
    .transform((v, ctx) => {
      const raw = toLatinDigits(v);
      const phone = normalizePhone(raw);
      if (!phone) ctx.addIssue({ code: 'custom', message: raw.trim() ? keys.invalid : keys.required });
      return phone ?? '';
    });
}

/** A booking reference as printed on its confirmation ("QB-7K4M-2P", any case or spacing); '' when refused. */
export function bookingReference(invalid: string) {
  return z
    .string({ error: invalid })
    .max(RAW_MAX, { error: invalid })
    .transform((v, ctx) => {
      const reference = parseReference(toLatinDigits(v.slice(0, 100)));
      if (!reference) ctx.addIssue({ code: 'custom', message: invalid });
      return reference ?? '';
    });
}

/** A free-text note: trimmed, at most `max` characters, line breaks allowed, no other control character; null when empty. */
export function freeNote(keys: { tooLong: string; invalid: string }, max: number) {
  return z
    .string({ error: keys.invalid })
    .max(RAW_MAX, { error: keys.tooLong })
    .nullish()
    .transform((v) => v?.trim() || null)
    .pipe(
      z
        .string()
        .max(max, { error: keys.tooLong })
        .refine((v) => !CONTROL_IN_NOTE.test(v), { error: keys.invalid })
        .nullable(),
    );
}

/** A time of day as "HH:MM" (00:00–23:59). */
export function timeOfDay(invalid: string) {
  return z.string({ error: invalid }).regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, { error: invalid });
}

/** A calendar date as "YYYY-MM-DD" that exists (no 31 April). */
export function calendarDate(invalid: string) {
  return z
    .string({ error: invalid })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: invalid })
    .refine(
      (v) => {
        const d = new Date(`${v}T00:00:00Z`);
        return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
      },
      { error: invalid },
    );
}

/** A database id as a form or a JSON body sends it ("12" or 12): a positive 32-bit integer. */
export function recordId(invalid: string) {
  return z.union([z.string(), z.number()], { error: invalid }).transform((v, ctx) => {
    const n = typeof v === 'number' ? v : /^\d{1,10}$/.test(v) ? Number(v) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > 2_147_483_647) {
      ctx.addIssue({ code: 'custom', message: invalid });
      return z.NEVER;
    }
    return n;
  });
}

/** A slug as used in addresses and item codes: lower-case letters, digits and dashes, 1–80. */
export function slug(invalid: string) {
  return z.string({ error: invalid }).regex(/^[a-z0-9-]{1,80}$/, { error: invalid });
}

/** One of the site's languages. */
export function siteLocale(invalid: string) {
  return z.enum(LOCALES, { error: invalid });
}

/** A checkbox of a form: sent as "yes" (or true from JSON) when ticked, absent otherwise. */
export function ticked() {
  return z
    .union([z.boolean(), z.string()])
    .nullish()
    .transform((v) => v === true || v === 'yes');
}

/**
 * A consent that must be given: true in JSON; in a form, the ticked checkbox (Astro reads a
 * boolean field of a form as "is it there").
 */
export function consentGiven(required: string) {
  return z.boolean({ error: required }).refine((v) => v, { error: required });
}

/** A hidden or text field a form may leave out: its string, or '' (bounded). */
export function optionalField(max = 1000) {
  return z
    .string()
    .nullish()
    .transform((v) => (v ?? '').slice(0, max));
}

/**
 * Field → first message key of a zod failure, in `order` (then any other field): what the error
 * summary lists. A message that is not one of the feature's keys (zod's own English) becomes
 * `${prefix}${field}Invalid`.
 */
export function issueKeys(
  issues: readonly { path: readonly PropertyKey[]; message: string }[],
  prefix: string,
  order: readonly string[] = [],
): Map<string, string> {
  const found = new Map<string, string>();
  for (const issue of issues) {
    const field = String(issue.path[0] ?? 'form');
    if (!found.has(field))
      found.set(field, issue.message.startsWith(prefix) ? issue.message : `${prefix}${field}Invalid`);
  }
  const sorted = new Map<string, string>();
  for (const field of order) if (found.has(field)) sorted.set(field, found.get(field)!);
  for (const [field, key] of found) if (!sorted.has(field)) sorted.set(field, key);
  return sorted;
}

/**
 * A secret typed into a form (a password, a one-time code): never trimmed (a space may be part of
 * a password), read up to `max` characters, required; `blank` also refuses one of spaces only.
 */
export function requiredSecret(missing: string, max: number, options: { blank?: boolean } = {}) {
  return z
    .string({ error: missing })
    .max(RAW_MAX, { error: missing })
    .transform((v) => v.slice(0, max))
    .refine((v) => (options.blank ? v.trim() !== '' : v !== ''), { error: missing });
}

/** A required line of text (an address typed to sign in): trimmed, read up to `max` characters. */
export function requiredText(missing: string, max: number) {
  return z
    .string({ error: missing })
    .max(RAW_MAX, { error: missing })
    .transform((v) => v.slice(0, max).trim())
    .refine((v) => v !== '', { error: missing });
}

/** ISO 639 codes typed as "it, ar es": lower-cased, each once, at most `max`; empty text is an empty list. */
export function languageCodes(invalid: string, max: number) {
  return z
    .string({ error: invalid })
    .transform((v) => [
      ...new Set(
        v
          .toLowerCase()
          .split(/[\s,;]+/)
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(z.string().regex(/^[a-z]{2,3}$/, { error: invalid })).max(max, { error: invalid }));
}
