// Validation of a booking request, shared by the form action and the JSON API. Error messages
// are locale keys ("booking.error.*"), so each caller shows them in the user's language.
import { z } from 'astro/zod';
import { LOCALES } from '#/lib/locales.ts';
import { normalizeEmail, normalizePhone } from '#/lib/contact.ts';

export const NOTE_MAX = 200;
export const NAME_MAX = 80;

// Control characters (C0, DEL, C1) never belong in a name or a note; line breaks do in a note.
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;

const optionalText = z
  .string()
  .max(10000)
  .optional()
  .transform((v) => (v ?? '').trim());

export const bookingDetailsSchema = z
  .object({
    firstName: z
      .string({ error: 'booking.error.nameRequired' })
      .max(10000)
      .transform((v) => v.trim().replace(/\s+/g, ' '))
      .pipe(
        z
          .string()
          .min(1, { error: 'booking.error.nameRequired' })
          .max(NAME_MAX, { error: 'booking.error.nameTooLong' })
          .refine((v) => !CONTROL.test(v), { error: 'booking.error.nameInvalid' }),
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
    locale: z.enum(LOCALES, { error: 'booking.error.localeInvalid' }),
    privacyAccepted: z.literal(true, { error: 'booking.error.privacyRequired' }),
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
  .transform((value) => ({
    ...value,
    email: value.email ? normalizeEmail(value.email)! : null,
    phone: value.phone ? normalizePhone(value.phone)! : null,
    topic: value.topic || null,
    note: value.note || null,
  }));

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
