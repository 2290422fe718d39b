// The phone booking's messages as the operator reads them. The form checks a family's booking by
// the public booking's rules (phone-booking.ts), whose words speak to the family ("Scrivi il tuo
// nome"); on the staff form the operator is typing for someone else, so each public key has a
// staff one under `staffDay.phoneBooking.` ("Scrivi il nome della persona"), in the staff language.

/** The public keys the phone booking can meet, each with the operator's words. */
const FOR_OPERATOR: Record<string, string> = {
  'booking.error.slotRequired': 'staffDay.phoneBooking.slotRequired',
  'booking.error.startInvalid': 'staffDay.phoneBooking.startInvalid',
  'booking.error.slotTaken': 'staffDay.phoneBooking.slotTaken',
  'booking.error.nameRequired': 'staffDay.phoneBooking.nameRequired',
  'booking.error.nameTooLong': 'staffDay.phoneBooking.nameTooLong',
  'booking.error.nameInvalid': 'staffDay.phoneBooking.nameInvalid',
  'booking.error.firstNameInvalid': 'staffDay.phoneBooking.nameInvalid',
  'booking.error.phoneInvalid': 'staffDay.phoneBooking.phoneInvalid',
  'booking.error.emailInvalid': 'staffDay.phoneBooking.emailInvalid',
  'booking.error.topicInvalid': 'staffDay.phoneBooking.topicInvalid',
  'booking.error.noteTooLong': 'staffDay.phoneBooking.noteTooLong',
  'booking.error.noteInvalid': 'staffDay.phoneBooking.noteInvalid',
  'booking.error.localeInvalid': 'staffDay.phoneBooking.localeInvalid',
};

/**
 * The prefix of the staff form's own messages: what zod says of a field by itself (a value too
 * long to be typed, a hand-made request) becomes `staffDay.phoneBooking.<field>Invalid`.
 */
export const PHONE_BOOKING_MESSAGES = 'staffDay.phoneBooking.';

/** Every key the staff form can show (the locale files must have them all; tested). */
export const PHONE_BOOKING_MESSAGE_KEYS: string[] = [
  ...new Set([
    ...Object.values(FOR_OPERATOR),
    ...['slot', 'firstName', 'phone', 'email', 'topic', 'note', 'locale', 'sendSms', 'submissionKey'].map(
      (f) => `${PHONE_BOOKING_MESSAGES}${f}Invalid`,
    ),
  ]),
];

/** The operator's words for a public booking message key (a key with none stays as it is). */
export function forOperator(key: string): string {
  return FOR_OPERATOR[key] ?? key;
}

/** Each field's message in the operator's words. */
export function errorsForOperator<E extends Record<string, string | undefined>>(errors: E): E {
  return Object.fromEntries(
    Object.entries(errors).map(([field, key]) => [field, key === undefined ? key : forOperator(key)]),
  ) as E;
}
