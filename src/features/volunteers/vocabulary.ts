// The volunteer sign-up vocabulary and its validation (pure; shared by the form and the API).
import { z } from 'astro/zod';
import {
  consentGiven,
  freeNote,
  optionalField,
  optionalPhone,
  personName,
  requiredEmail,
  siteLocale,
} from '#/lib/validation.ts';

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

const list = <T extends string>(values: readonly T[]) =>
  z.array(z.enum(values as unknown as [T, ...T[]])).max(values.length);

/** The fields of a sign-up, as the JSON API and the form send them. */
const volunteerFields = {
  name: personName(
    {
      required: 'volunteer.error.nameRequired',
      tooLong: 'volunteer.error.nameTooLong',
      invalid: 'volunteer.error.nameInvalid',
    },
    120,
  ),
  email: requiredEmail({ required: 'volunteer.error.emailRequired', invalid: 'volunteer.error.emailInvalid' }),
  phone: optionalPhone('volunteer.error.phoneInvalid'),
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
  note: freeNote({ tooLong: 'volunteer.error.noteTooLong', invalid: 'volunteer.error.noteInvalid' }, 1000),
  locale: siteLocale('volunteer.error.localeInvalid'),
  consent: consentGiven('volunteer.error.consentRequired'),
};

/** Whoever offers translation says which languages (checked even when other fields failed). */
function translatorsNameLanguages<T extends z.ZodObject>(schema: T) {
  return schema.refine(
    (v) => {
      const { skills, languages } = v as { skills?: unknown; languages?: unknown };
      return (
        !(Array.isArray(skills) && skills.includes('translation')) || (Array.isArray(languages) && languages.length > 0)
      );
    },
    {
      path: ['languages'],
      error: 'volunteer.error.languagesRequired',
      when: (payload) => {
        const v = payload.value as { skills?: unknown } | undefined;
        return typeof v === 'object' && v !== null && Array.isArray(v.skills) && v.skills.includes('translation');
      },
    },
  );
}

/** A sign-up: the JSON API's body (POST /api/v1/volunteers) and the form's fields alike. */
export const volunteerSchema = translatorsNameLanguages(z.object(volunteerFields));

// The form's language is its page's (the action reads it from the request), not a field.
const { locale: _pageLocale, ...formFields } = volunteerFields;

/** The sign-up form: the same fields, plus its signed stamp (the honeypot is checked before). */
export const volunteerFormSchema = translatorsNameLanguages(
  z.object({ ...formFields, formStartedAt: optionalField(200) }),
);

export type VolunteerInput = z.output<typeof volunteerSchema>;
