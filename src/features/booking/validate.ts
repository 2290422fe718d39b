// Validation of a booking request, shared by the form action and the JSON API. Error messages
// are locale keys ("booking.error.*"), so each caller shows them in the user's language.
import { z } from 'astro/zod';
import { personName, siteLocale } from '#/lib/validation.ts';
import { normalizeEmail, normalizePhone } from '#/lib/contact.ts';
import { smsRecipientOf } from '#/server/mail/outbox.ts';

export const NOTE_MAX = 200;
export const NAME_MAX = 80;

// Control characters (C0, DEL, C1) never belong in a note, line breaks and tabs do.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

const optionalText = z
  .string()
  .max(10000)
  .optional()
  .transform((v) => (v ?? '').trim());

/**
 * A booking's details, field by field: the one set of rules wherever a booking is taken (the
 * public flow, the JSON API, the staff booking for a family on the phone), so the limits and the
 * words are the same everywhere. Strings as sent; empty optional fields are ''.
 */
export const bookingDetailFields = {
  firstName: personName(
    {
      required: 'booking.error.nameRequired',
      tooLong: 'booking.error.nameTooLong',
      invalid: 'booking.error.nameInvalid',
    },
    NAME_MAX,
  ),
  email: optionalText.refine((v) => !v || normalizeEmail(v) !== undefined, { error: 'booking.error.emailInvalid' }),
  phone: optionalText.refine((v) => !v || normalizePhone(v) !== undefined, { error: 'booking.error.phoneInvalid' }),
  topic: optionalText,
  note: optionalText.pipe(
    z
      .string()
      .max(NOTE_MAX, { error: 'booking.error.noteTooLong' })
      .refine((v) => !CONTROL.test(v.replace(/\r?\n/g, ' ')), { error: 'booking.error.noteInvalid' }),
  ),
  locale: siteLocale('booking.error.localeInvalid'),
};

/** The optional fields as stored: contacts normalised, '' as null. */
export function bookingDetailValues<V extends { email: string; phone: string; topic: string; note: string }>(value: V) {
  return {
    ...value,
    email: value.email ? normalizeEmail(value.email)! : null,
    phone: value.phone ? normalizePhone(value.phone)! : null,
    topic: value.topic || null,
    note: value.note || null,
  };
}

export const bookingDetailsSchema = z
  .object({
    ...bookingDetailFields,
    // Processing rests on the Comune's public task (GDPR art. 6(1)(e)), not on consent (issue #14):
    // no box to tick. A client that still sends the old field sends a boolean.
    privacyAccepted: z.boolean({ error: 'booking.error.privacyRequired' }).optional(),
  })
  // Runs even when other fields failed, so the person sees every problem at once.
  .refine((v) => Boolean(v.email || v.phone), {
    path: ['phone'],
    error: 'booking.error.contactRequired',
    when: (payload) => {
      const v = payload.value as { email?: unknown; phone?: unknown } | undefined;
      return typeof v === 'object' && v !== null && !String(v.email ?? '').trim() && !String(v.phone ?? '').trim();
    },
  })
  // The code that confirms an online booking goes by SMS to a mobile or by email: a landline alone
  // cannot receive it (staff bookings by phone skip the code, and this rule).
  .refine((v) => Boolean(v.email?.trim()) || smsRecipientOf(normalizePhone(v.phone ?? '')) !== undefined, {
    path: ['phone'],
    error: 'booking.error.mobileOrEmail',
    when: (payload) => {
      const v = payload.value as { email?: unknown; phone?: unknown } | undefined;
      if (typeof v !== 'object' || v === null || String(v.email ?? '').trim()) return false;
      return normalizePhone(String(v.phone ?? '')) !== undefined;
    },
  })
  .transform(bookingDetailValues);

export type BookingDetails = z.output<typeof bookingDetailsSchema>;

/** Field → first message key, for the error summary and the JSON 422 answer. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = String(issue.path[0] ?? 'form');
    const key = issue.message.startsWith('booking.') ? issue.message : `booking.error.${field}Invalid`;
    out[field] ??= key;
  }
  return out;
}

/** Topic must be one of the desk's services (or none). */
export function checkTopic(topic: string | null, services: readonly string[]): string | undefined {
  return topic === null || services.includes(topic) ? undefined : 'booking.error.topicInvalid';
}
