// Every message key the agenda's rules can return, for the test that the locale files have them all.
import { SETTINGS_ERRORS } from './desk-settings.ts';
import { PHONE_BOOKING_MESSAGE_KEYS } from './phone-booking-messages.ts';

/** Every message key the agenda and desk settings can return (the locale files must have them all; tested). */
export const AGENDA_MESSAGE_KEYS: string[] = [
  ...Object.values(SETTINGS_ERRORS),
  ...[
    'weekdayInvalid',
    'opensMissing',
    'closesMissing',
    'timeInvalid',
    'closesBeforeOpens',
    'overlap',
    'dayMissing',
    'dayInvalid',
    'dayPast',
    'dayTooFar',
    'reasonTooLong',
    'reasonInvalid',
    'closureExists',
    'extraOverlap',
    'extraOverlapsHours',
  ].map((k) => `staff.desk.error.${k}`),
  ...[
    'slotRequired',
    'startInvalid',
    'nameRequired',
    'nameTooLong',
    'nameInvalid',
    'phoneInvalid',
    'emailInvalid',
    'topicInvalid',
    'noteTooLong',
    'noteInvalid',
    'localeInvalid',
  ].map((k) => `booking.error.${k}`),
  ...PHONE_BOOKING_MESSAGE_KEYS,
];
