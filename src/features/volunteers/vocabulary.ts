// The volunteer sign-up vocabulary and its validation (pure; shared by the form and the API).
import { z } from 'astro/zod';
import { LOCALES } from '#/lib/locales.ts';
import { normalizeEmail, normalizePhone } from '#/features/booking/contact.ts';

export const VOLUNTEER_SKILLS = [
  'events',
  'homework',
  'distribution',
  'translation',
  'accompaniment',
  'other',
] as const;
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const DAY_PARTS = ['morning', 'afternoon', 'evening'] as const;
export const AVAILABILITY = WEEKDAYS.flatMap((d) => DAY_PARTS.map((p) => `${d}-${p}`));
/** Languages a volunteer can translate from or to (ISO 639-1), beyond the site's own. */
export const VOLUNTEER_LANGUAGES = [
  'it',
  'en',
  'ar',
  'es',
  'zh',
  'fr',
  'ro',
  'uk',
  'ru',
  'bn',
  'ur',
  'tl',
  'sq',
  'pt',
  'ti',
  'so',
  'wo',
] as const;

const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/;
const list = <T extends string>(values: readonly T[]) =>
  z.array(z.enum(values as unknown as [T, ...T[]])).max(values.length);

export const volunteerSchema = z.object({
  name: z
    .string({ error: 'volunteer.error.nameRequired' })
    .max(10000)
    .transform((v) => v.trim().replace(/\s+/g, ' '))
    .pipe(
      z
        .string()
        .min(1, { error: 'volunteer.error.nameRequired' })
        .max(120, { error: 'volunteer.error.nameTooLong' })
        .refine((v) => !CONTROL.test(v), { error: 'volunteer.error.nameInvalid' }),
    ),
  email: z
    .string({ error: 'volunteer.error.emailRequired' })
    .max(10000)
    .transform((v, ctx) => {
      const email = normalizeEmail(v);
      if (!email)
        ctx.addIssue({
          code: 'custom',
          message: v.trim() ? 'volunteer.error.emailInvalid' : 'volunteer.error.emailRequired',
        });
      return email ?? '';
    }),
  phone: z
    .string()
    .max(10000)
    .optional()
    .transform((v, ctx) => {
      if (!v?.trim()) return null;
      const phone = normalizePhone(v);
      if (!phone) ctx.addIssue({ code: 'custom', message: 'volunteer.error.phoneInvalid' });
      return phone ?? null;
    }),
  municipi: z
    .array(z.coerce.number().int().min(1).max(9), { error: 'volunteer.error.municipiRequired' })
    .min(1, { error: 'volunteer.error.municipiRequired' })
    .max(9)
    .transform((v) => [...new Set(v)].sort((a, b) => a - b)),
  skills: list(VOLUNTEER_SKILLS).min(1, { error: 'volunteer.error.skillsRequired' }),
  languages: list(VOLUNTEER_LANGUAGES).default([]),
  availability: z
    .array(z.string().refine((v) => AVAILABILITY.includes(v)))
    .max(AVAILABILITY.length)
    .default([]),
  note: z
    .string()
    .max(10000)
    .optional()
    .transform((v) => v?.trim() || null)
    .pipe(
      z
        .string()
        .max(1000, { error: 'volunteer.error.noteTooLong' })
        .refine((v) => !CONTROL.test(v.replace(/\r?\n/g, ' ')), { error: 'volunteer.error.noteInvalid' })
        .nullable(),
    ),
  locale: z.enum(LOCALES, { error: 'volunteer.error.localeInvalid' }),
  consent: z.literal(true, { error: 'volunteer.error.consentRequired' }),
});

export type VolunteerInput = z.output<typeof volunteerSchema>;
