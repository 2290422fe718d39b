// A family's phone number as the staff read it aloud or dial it: grouped the way the country
// writes it ("+39 333 123 4567", "+44 20 7946 0958"). Stored numbers are E.164 (contact.ts); a value
// that does not parse (an old row, a landline typed oddly) is shown as stored.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

export function readAloudPhone(phone: string): string {
  const parsed = parsePhoneNumberFromString(phone, 'IT');
  return parsed?.isValid() ? parsed.formatInternational() : phone;
}
