// Reading the JSON bodies of the booking API (POST /api/v1/bookings, POST /api/v1/bookings/cancel).
// Pure: the endpoints pass the parsed body, get back either clean values or field errors as locale
// keys. The booking details themselves go through the schema the HTML form uses (validate.ts).
import { bookingDetailsSchema, fieldErrors, type BookingDetails } from './validate.ts';
import { parseReference } from './reference.ts';
import { normalizePhone } from '#/lib/contact.ts';
import { DEFAULT_LOCALE, isLocale, type Locale } from '#/lib/locales.ts';
import type { Translate } from '#/lib/i18n.ts';

/** The API says `name` where the schema (shared with the form) says `firstName`. */
const API_FIELD: Record<string, string> = { firstName: 'name' };

/** Could be a desk's slug; anything else (a NUL byte included) never reaches the database. */
export const isDeskSlug = (value: unknown): value is string =>
  typeof value === 'string' && /^[a-z0-9-]{1,80}$/.test(value);
// Printable ASCII, at most the 64 characters the database allows: a UUID or any client-made key.
const SUBMISSION_KEY = /^[\x21-\x7E]{1,64}$/;
// PostgreSQL refuses U+0000 in text (an error, not a validation failure), and no control character
// belongs in an address; the form schema checks the free-text fields, this the email.
const CONTROL = /[\u0000-\u001F\u007F-\u009F]/;

/**
 * ISO 8601 instant with an explicit offset ("2026-12-15T10:00:00+01:00", "…Z"), strictly: no
 * calendar overflow (Date.parse turns 31 February into 3 March), no offset-less local time.
 */
export function parseIsoInstant(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|([+-])(\d{2}):(\d{2}))$/.exec(
    value,
  );
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const wall = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  if (wall.getUTCFullYear() !== year || wall.getUTCMonth() !== month - 1 || wall.getUTCDate() !== day) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[8] !== 'Z') {
    const [h, min] = [Number(m[10]), Number(m[11])];
    if (h > 14 || min > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (h * 60 + min);
  }
  const millis = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  return new Date(wall.getTime() + millis - offsetMinutes * 60000);
}

export interface BookingRequest {
  deskSlug: string;
  start: Date;
  details: BookingDetails;
  submissionKey: string | null;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; fields: Record<string, string> };

/** The locale to answer in: the request's own when valid, Italian otherwise (even if it is the error). */
export function responseLocale(body: Record<string, unknown>): Locale {
  return isLocale(body.locale) ? body.locale : DEFAULT_LOCALE;
}

/**
 * Checks everything that needs no database; every problem is reported at once, keyed by API field.
 * The desk's existence and its topics are checked by the caller, which loads the desk.
 */
export function parseBookingRequest(body: Record<string, unknown>): Parsed<BookingRequest> {
  const fields: Record<string, string> = {};
  const details = bookingDetailsSchema.safeParse({
    firstName: body.name,
    email: body.email ?? undefined,
    phone: body.phone ?? undefined,
    topic: body.topic ?? undefined,
    note: body.note ?? undefined,
    locale: body.locale,
    privacyAccepted: body.privacyAccepted,
  });
  if (!details.success) {
    for (const [field, key] of Object.entries(fieldErrors(details.error))) fields[API_FIELD[field] ?? field] = key;
  }
  if (typeof body.email === 'string' && CONTROL.test(body.email)) fields.email ??= 'booking.error.emailInvalid';

  const deskSlug = isDeskSlug(body.desk) ? body.desk : undefined;
  if (!deskSlug) fields.desk = 'booking.error.deskInvalid';
  const start = parseIsoInstant(body.start);
  if (!start) fields.start = 'booking.error.startInvalid';
  const key = body.submissionKey ?? null;
  if (key !== null && !(typeof key === 'string' && SUBMISSION_KEY.test(key)))
    fields.submissionKey = 'booking.error.submissionKeyInvalid';

  if (Object.keys(fields).length > 0 || !details.success) return { ok: false, fields };
  return {
    ok: true,
    value: { deskSlug: deskSlug!, start: start!, details: details.data, submissionKey: key as string | null },
  };
}

/** Field → message in the request's language, for the 422 answer. */
export function translateFields(fields: Record<string, string>, t: Translate): Record<string, string> {
  return Object.fromEntries(Object.entries(fields).map(([field, key]) => [field, t(key)]));
}

export type CancelRequest =
  { kind: 'token'; token: string } | { kind: 'reference'; reference: string | undefined; phone: string | undefined };

/**
 * `{token}` or `{reference, phone}`; undefined when the body is neither. A reference or phone that
 * cannot be valid stays undefined: the caller still counts the lookup and answers "not found", so
 * a malformed guess and a wrong guess look the same.
 */
export function parseCancelRequest(body: Record<string, unknown>): CancelRequest | undefined {
  if (typeof body.token === 'string' && body.token.length <= 200) return { kind: 'token', token: body.token };
  if (
    typeof body.reference === 'string' &&
    typeof body.phone === 'string' &&
    body.reference.length <= 50 &&
    body.phone.length <= 50
  ) {
    return { kind: 'reference', reference: parseReference(body.reference), phone: normalizePhone(body.phone) };
  }
  return undefined;
}
