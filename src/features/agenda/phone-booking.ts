// Booking for a family on the phone, from the day view of a desk's agenda. The same rules as the
// public booking (validate.ts's fields: same limits, same `booking.error.*` words; the same
// createBooking: the slot must be offered, inside the booking window, with a place taken by the
// same statement that enforces capacity), except what staff do not need: a phone number or an
// email is optional (the family is on the phone, and the database allows a staff booking without
// contact), and there is no privacy checkbox (the operator gives the notice on the phone).
//
// "Send the family an SMS confirmation" is ticked when the form opens. A family who books by phone
// usually has no email, so the SMS is their only written record of the day, the time and the
// reference, and the reminder and the reply that cancels come with it: what a social worker
// expects to happen, as it does for a family who books online. Unticking it is the exception the
// operator chooses on the family's word (a phone shared with someone who must not know, or a
// family who says they don't want messages); nothing goes to a landline either way.
import { z } from 'astro/zod';
import type { Db } from '#/server/db/database.ts';
import type { Desk } from '#/features/desks/desks.ts';
import { createBooking, type BookingOutcome } from '#/features/booking/create-booking.ts';
import { bookingDetailFields, bookingDetailValues, checkTopic, fieldErrors } from '#/features/booking/validate.ts';
import { parseSlotValue } from '#/features/booking/flow.ts';
import type { Locale } from '#/lib/locales.ts';
import { errorsForOperator } from './phone-booking-messages.ts';

/** The phone booking form as typed (kept to show the form again with its errors). */
export interface PhoneBookingValues {
  slot: string;
  firstName: string;
  phone: string;
  email: string;
  topic: string;
  note: string;
  locale: string;
  /** The tick "Send the family an SMS confirmation": 'yes' when ticked, '' when not. */
  sendSms: string;
}
export const PHONE_BOOKING_FIELDS = [
  'slot',
  'firstName',
  'phone',
  'email',
  'topic',
  'note',
  'locale',
  'sendSms',
] as const satisfies (keyof PhoneBookingValues)[];
export type PhoneBookingErrors = Partial<Record<keyof PhoneBookingValues, string>>;

export interface PhoneBooking {
  start: Date;
  firstName: string;
  phone: string | null;
  email: string | null;
  topic: string | null;
  note: string | null;
  locale: Locale;
  /** False: no SMS for this booking, even to a mobile. */
  smsConfirmation: boolean;
}

/** The public booking's fields, a slot instead of the privacy checkbox, and no contact required. */
export const phoneBookingSchema = z
  .object({
    ...bookingDetailFields,
    slot: z
      .string()
      .transform((v) => v.trim())
      .pipe(z.string().min(1, { error: 'booking.error.slotRequired' }))
      .transform((v, ctx) => {
        const start = parseSlotValue(v);
        if (!start) ctx.addIssue({ code: 'custom', message: 'booking.error.startInvalid' });
        return start ?? new Date(0);
      }),
    // The form always sends one; a request without it books in Italian, as before.
    locale: z.preprocess((v) => v || 'it', bookingDetailFields.locale),
    // A checkbox: sent as 'yes' when ticked, missing when not.
    sendSms: z.string().optional(),
  })
  .transform(({ slot, sendSms, ...details }) => ({
    start: slot,
    ...bookingDetailValues(details),
    smsConfirmation: sendSms === 'yes',
  }));

/** The form as it opens: nothing typed, the SMS confirmation ticked (see the top of this file). */
export function newPhoneBooking(): PhoneBookingValues {
  return { ...readPhoneBookingForm(new FormData()), sendSms: 'yes' };
}

/** The fields of a form as typed, each a string ('' when missing). */
export function readPhoneBookingForm(form: FormData): PhoneBookingValues {
  const text = (name: string) => {
    const v = form.get(name);
    return typeof v === 'string' ? v.slice(0, 1000) : '';
  };
  return Object.fromEntries(PHONE_BOOKING_FIELDS.map((f) => [f, text(f)])) as unknown as PhoneBookingValues;
}

/**
 * Every problem of the form at once (the topic must be one of this desk's services), or the
 * booking. The messages address the operator (phone-booking-messages.ts), not the family.
 */
export function checkPhoneBooking(
  values: PhoneBookingValues,
  desk: Pick<Desk, 'services'>,
): { ok: true; value: PhoneBooking } | { ok: false; errors: PhoneBookingErrors } {
  const parsed = phoneBookingSchema.safeParse(values);
  const errors: PhoneBookingErrors = parsed.success ? {} : fieldErrors(parsed.error);
  const topic = values.topic.trim() || null;
  const topicError = checkTopic(topic, desk.services);
  if (topicError) errors.topic ??= topicError;
  if (!parsed.success || topicError) return { ok: false, errors: errorsForOperator(ordered(errors)) };
  return { ok: true, value: parsed.data };
}

/** The errors in the form's order (the error summary's). */
function ordered(errors: PhoneBookingErrors): PhoneBookingErrors {
  return Object.fromEntries(PHONE_BOOKING_FIELDS.filter((f) => errors[f]).map((f) => [f, errors[f]]));
}

/**
 * Books a checked phone booking through the public write path (createBooking), marked
 * `source: 'staff'`. The submission key of the form makes a double click book once.
 */
export function bookForFamily(
  db: Db,
  desk: Desk,
  booking: PhoneBooking,
  submissionKey: string | null,
  now: Date = new Date(),
): Promise<BookingOutcome> {
  return createBooking(db, { desk, ...booking, submissionKey, source: 'staff' }, now);
}
