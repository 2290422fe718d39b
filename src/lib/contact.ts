// Contact details as people type them, normalised so that the same person matches later
// (cancelling with reference + phone) and so that the database keeps one form; and the key every
// per-contact limit counts by, so that one person writing their number or address in another way
// is still one contact (issue #12: "+39 333…", "333 …" and "0039 333…" are one phone).
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** Arabic-Indic and Persian digits, as an Arabic keyboard types them, become 0-9. */
export function toLatinDigits(value: string): string {
  return value.replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) & 0xf));
}

/**
 * A phone number in E.164 ("+393123456789"), Italy when no country is given; undefined when it is
 * not a number that exists (an invented "300 000 1111" or "12" is refused, as a wrong length is).
 * Arabic-Indic digits, spaces, dashes, dots, brackets and a leading 00 are read as people type them.
 */
export function normalizePhone(raw: string): string | undefined {
  const value = toLatinDigits(raw).trim();
  // Only what a phone number is written with: "351'; DROP…" is not a number with a comment.
  if (value.length > 40 || !/^[+0-9\s().\-/]+$/.test(value)) return undefined;
  const international = value.replace(/^00/, '+');
  const phone = parsePhoneNumberFromString(international, 'IT');
  return phone?.isValid() ? phone.number : undefined;
}

/** A deliberately simple check: something@domain.tld, no spaces. The confirmation email proves the rest. */
export function normalizeEmail(raw: string): string | undefined {
  const value = raw.trim().toLowerCase();
  // \p{Cc} (control characters, NUL included) never belong in an address; PostgreSQL refuses NUL outright.
  if (value.length > 254 || /\p{Cc}/u.test(value) || !/^[^\s@<>"']+@[^\s@<>"']+\.[^\s@<>"']{2,}$/.test(value))
    return undefined;
  return value;
}

/**
 * The "+tag" of an address's local part ("a+x@b.it"), removed for counting. The same pattern is
 * written in SQL by the migration 2026_12_05_0300_contact_keys (the pledge's one-per-window index):
 * change both together.
 */
export const EMAIL_TAG = /^([^+@]+)\+[^@]*@/;

/**
 * What per-contact limits count by: a phone in E.164, an address lower-cased without its "+tag".
 * A value that is neither (already refused by the form) counts as itself, trimmed.
 */
export function contactKey(contact: string): string {
  const value = contact.trim();
  if (value.includes('@')) return (normalizeEmail(value) ?? value.toLowerCase()).replace(EMAIL_TAG, '$1@');
  return normalizePhone(value) ?? value;
}

/** The contacts a form gave (phone, email): one, several, or none. */
export type GivenContacts = string | null | undefined | readonly (string | null | undefined)[];

/** Every contact a form gave, each as its key, without repeats (in the order given). */
export function contactKeys(given: GivenContacts): string[] {
  const contacts = typeof given === 'string' || !given ? [given] : given;
  return [...new Set(contacts.filter((c): c is string => Boolean(c?.trim())).map(contactKey))];
}
