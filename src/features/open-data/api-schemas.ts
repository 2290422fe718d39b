// The open-data API (/api/v1) in zod: the query parameters the endpoints parse with, the bodies the
// write endpoints take (built from the very field schemas that validate them) and the shapes of the
// answers (api-shapes.ts returns these types, so the compiler keeps them in step). openapi.ts turns
// all of it into /api/v1/openapi.json; docs/api.md says the same in words.
import { z } from 'astro/zod';
import { LOCALES } from '#/lib/locales.ts';
import { bookingDetailFields } from '#/features/booking/validate.ts';
import { pledgeContactSchema, QUANTITY_MAX } from '#/features/campaign/pledge-form.ts';
import { volunteerSchema } from '#/features/volunteers/vocabulary.ts';
import { AGE_BANDS, partySchema } from '#/features/events/party.ts';
import { PRICE_KINDS } from '#/features/events/event-facts.ts';

// ------------------------------------------------------------------------------ query parameters

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const date = (description: string) => z.string().regex(DATE).describe(description);

/** ?locale=: the language of texts. An unknown value is not an error: Italian is used. */
export const localeParam = z
  .enum(LOCALES)
  .optional()
  .catch(undefined)
  .describe('Language of the texts; a text without a translation falls back to Italian (default it).');

export const desksQuery = z.object({
  municipio: z
    .string()
    .regex(/^[1-9]$/)
    .optional()
    .describe('Only the desks of this municipio (1–9).'),
  locale: localeParam,
});

export const EVENTS_LIMIT_DEFAULT = 50;
export const EVENTS_LIMIT_MAX = 200;

export const eventsQuery = z.object({
  from: date('Events not ended by the start of this day in Rome (default: now).').optional(),
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(EVENTS_LIMIT_MAX))
    .optional()
    .describe(`Events per page, 1–${EVENTS_LIMIT_MAX} (default ${EVENTS_LIMIT_DEFAULT}).`),
  cursor: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,200}$/)
    .optional()
    .describe('Where the next page starts: the `cursor` of the previous answer’s `Link: rel="next"`.'),
  locale: localeParam,
});

export const slotsQuery = z.object({
  from: date('First day (Rome), default today.').optional(),
  to: date('Last day (Rome), default from + 6 days; at most 62 days in one request.').optional(),
});

/** HSDS lists: the HSDS API's own paging parameters. */
export const hsdsQuery = z.object({
  page: z
    .string()
    .regex(/^[0-9]{1,6}$/)
    .transform(Number)
    .pipe(z.number().int().min(1))
    .optional()
    .describe('Page number, from 1 (default 1).'),
  per_page: z
    .string()
    .regex(/^[0-9]{1,3}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(200))
    .optional()
    .describe('Items per page, 1–200 (default 50).'),
  locale: localeParam,
});

/** The parameters of a URL as an object (the last value of a repeated one). */
export function queryOf(url: URL): Record<string, string> {
  return Object.fromEntries(url.searchParams);
}

// ------------------------------------------------------------------------------ answers

const isoInstant = z.string().describe('ISO 8601 with the Europe/Rome offset, e.g. 2026-12-22T14:30:00+01:00');
const url = z.url();

export const errorSchema = z
  .object({
    error: z.string(),
    message: z.string().optional(),
    fields: z.record(z.string(), z.string()).optional(),
  })
  .loose();

export const deskSchema = z.object({
  slug: z.string(),
  name: z.string(),
  municipio: z.int().min(1).max(9),
  area: z.string(),
  address: z.string(),
  phone: z.string(),
  services: z.array(z.string()),
  description: z.string().nullable().describe('null when the desk has no description'),
  hours: z.array(
    z.object({
      weekday: z.int().min(1).max(7).describe('1 = Monday … 7 = Sunday'),
      opens: z.string().regex(/^\d{2}:\d{2}$/),
      closes: z.string().regex(/^\d{2}:\d{2}$/),
    }),
  ),
  slotMinutes: z.int().positive(),
  sampleAddress: z.boolean().describe('true: the address is sample data'),
  languages: z.array(z.string()).describe('languages spoken at the desk, as ISO 639 codes'),
  mediatorWeekdays: z
    .array(z.int().min(1).max(7))
    .describe('days a cultural mediator is at the desk, 1 = Monday … 7 = Sunday; empty: none'),
  stepFree: z.boolean().nullable().describe('step-free access; null: not checked yet'),
  whatToBring: z.string().nullable().describe('what to bring, in the requested language when translated'),
  transit: z.string().nullable().describe('the nearest metro, tram and bus lines'),
  coordinates: z
    .object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180) })
    .nullable()
    .describe('WGS 84; null when not known'),
  sampleFacts: z.boolean().describe('true: languages, access, lines and coordinates are sample data'),
  url,
});

const seatsSchema = z.object({ total: z.int().min(0), left: z.int().min(0) });

export const eventSchema = z.object({
  slug: z.string(),
  title: z.string(),
  summary: z.string(),
  description: z.string().describe('Markdown'),
  status: z.enum(['published', 'cancelled']),
  start: isoInstant,
  end: isoInstant.nullable().describe('null when the organiser gave no end time'),
  venue: z.string(),
  address: z.string(),
  transitHint: z.string().nullable(),
  priceNote: z.string().nullable(),
  municipio: z.int().min(1).max(9).nullable().describe('null: the whole city'),
  organisers: z.array(z.string()),
  seats: seatsSchema.nullable().describe('null: no sign-up, just come'),
  url,
  ics: url,
  facts: z.object({
    ageBands: z.array(z.enum(AGE_BANDS)).describe('empty: every age'),
    price: z.enum(PRICE_KINDS),
    priceEuro: z.number().min(0).nullable().describe('only with price "price"'),
    stepFree: z.boolean().nullable().describe('null: the organiser did not say'),
    lis: z.boolean().describe('Italian sign language'),
    childcare: z.boolean().describe('children looked after during the activity'),
    languages: z.array(z.string()).describe('languages spoken, as codes'),
  }),
  stops: z
    .array(z.object({ time: z.string(), place: z.string(), address: z.string(), transitHint: z.string().nullable() }))
    .describe('the itinerary in order; empty for one place'),
  occurrence: z.string().nullable().describe('YYYY-MM-DD: the date of a recurring activity this entry is'),
  series: z
    .object({
      slug: z.string(),
      repeats: z.string().describe('the rule in words, in the reader’s language'),
      rule: z.object({
        frequency: z.enum(['weekly', 'fortnightly', 'monthly']),
        weekday: z.int().min(1).max(7),
        weekOfMonth: z.int().nullable(),
        from: z.string(),
        until: z.string(),
        starts: z.string(),
        ends: z.string().nullable(),
      }),
      sampleTimes: z.boolean(),
      occurrences: z.array(
        z.object({
          date: z.string(),
          slug: z.string(),
          start: isoInstant,
          end: isoInstant.nullable(),
          status: z.enum(['published', 'cancelled']),
          seats: seatsSchema.nullable(),
          url,
        }),
      ),
    })
    .nullable()
    .describe('null for a one-off event'),
});

export const campaignSchema = z.object({
  slug: z.string(),
  title: z.string(),
  summary: z.string(),
  items: z.array(
    z.object({
      slug: z.string(),
      name: z.string(),
      target: z.int().min(0),
      pledged: z.int().min(0),
      remaining: z.int().min(0),
    }),
  ),
  dropOffPoints: z.array(
    z.object({
      slug: z.string(),
      name: z.string(),
      address: z.string(),
      municipio: z.int().min(1).max(9),
      notes: z.string().nullable(),
    }),
  ),
  collectionWindows: z.array(z.object({ id: z.int(), dropOffPoint: z.string(), start: isoInstant, end: isoInstant })),
});

export const slotSchema = z.object({
  start: isoInstant,
  end: isoInstant,
  capacity: z.int().min(0),
  remaining: z.int().min(0),
});

const codeSentTo = z.object({ channel: z.enum(['sms', 'email']), to: z.string() }).nullable();
const holdFields = {
  hold_expires_at: z.iso.datetime().nullable(),
  code_sent_to: codeSentTo,
};

export const bookingCreatedSchema = z.object({
  reference: z.string(),
  desk: z.string(),
  start: isoInstant,
  end: isoInstant,
  manageUrl: url.nullable(),
  status: z.string(),
  ...holdFields,
});

export const bookingConfirmedSchema = bookingCreatedSchema.pick({
  reference: true,
  desk: true,
  start: true,
  end: true,
  manageUrl: true,
  status: true,
});

export const bookingCancelledSchema = z.object({ reference: z.string(), status: z.literal('cancelled') });

export const pledgeCreatedSchema = z.object({
  reference: z.string(),
  campaign: z.string(),
  dropOffPoint: z.string(),
  collectionWindow: z.object({ id: z.int(), start: isoInstant, end: isoInstant }),
  manageUrl: url.nullable(),
  status: z.string(),
  ...holdFields,
});

export const pledgeConfirmedSchema = z.object({ reference: z.string(), status: z.string(), manageUrl: url.nullable() });

export const registrationSchema = z.object({
  reference: z.string(),
  event: z.string(),
  seats: z.int().positive(),
  status: z.string(),
  ...holdFields,
});

/** A waiting-list entry (issue #13): pending until its code is confirmed, then waiting with its position. */
export const waitEntrySchema = z.object({
  reference: z.string(),
  event: z.string(),
  seats: z.int().positive(),
  status: z.string(),
  position: z.int().positive().nullable().describe('1 = next when seats free up; null while pending or once closed'),
  ...holdFields,
});

export const volunteerAcceptedSchema = z.object({ status: z.literal('check_email') });

// ------------------------------------------------------------------------------ request bodies

const submissionKey = z
  .string()
  .regex(/^[\x21-\x7E]{1,64}$/)
  .optional()
  .describe('Makes the request idempotent: the same key answers with the first result.');

export const bookingBody = z.object({
  desk: z.string().regex(/^[a-z0-9-]{1,80}$/),
  start: isoInstant.describe('A slot’s start as the slots API gives it'),
  name: bookingDetailFields.firstName,
  email: bookingDetailFields.email,
  phone: bookingDetailFields.phone,
  topic: bookingDetailFields.topic.describe('One of the desk’s services'),
  note: bookingDetailFields.note,
  locale: bookingDetailFields.locale,
  privacyAccepted: z.literal(true),
  submissionKey,
});

export const codeBody = z.object({ code: z.string().describe('The six-digit code sent to the contact') });

export const cancelBody = z.union([
  z.object({ reference: z.string(), phone: z.string() }),
  z.object({ token: z.string() }),
]);

export const pledgeBody = z
  .object({
    campaign: z.string(),
    items: z.array(z.object({ item: z.string(), quantity: z.int().min(1).max(QUANTITY_MAX) })).min(1),
    dropOffPoint: z.string(),
    collectionWindow: z.int(),
    submissionKey,
  })
  .and(pledgeContactSchema);

export const registrationBody = z.object({
  adults: z.int().min(1).max(10),
  children: z.array(z.enum(AGE_BANDS)).max(9).describe('One age band per child, never names or birth dates'),
  name: partySchema.in.shape.name,
  phone: partySchema.in.shape.phone,
  email: partySchema.in.shape.email,
  locale: partySchema.in.shape.locale,
  submissionKey,
});

export const volunteerBody = volunteerSchema;
