// Contact details as people type them, normalised so that the same person matches later
// (cancelling with reference + phone) and so that the database keeps one form.

/** "+39 300 123-4567", "0039 3001234567", "300 1234567" → "+393001234567"; undefined if not a phone number. */
export function normalizePhone(raw: string): string | undefined {
  let value = raw.trim().replace(/[\s().\-/]/g, '');
  if (value.startsWith('00')) value = `+${value.slice(2)}`;
  if (!/^\+?[0-9]{6,15}$/.test(value)) return undefined;
  // Italian numbers written without the country code: mobiles start with 3, landlines with 0.
  if (!value.startsWith('+') && /^(3[0-9]{8,9}|0[0-9]{5,10})$/.test(value)) value = `+39${value}`;
  return value;
}

/** A deliberately simple check: something@domain.tld, no spaces. The confirmation email proves the rest. */
export function normalizeEmail(raw: string): string | undefined {
  const value = raw.trim().toLowerCase();
  // \p{Cc} (control characters, NUL included) never belong in an address; PostgreSQL refuses NUL outright.
  if (value.length > 254 || /\p{Cc}/u.test(value) || !/^[^\s@<>"']+@[^\s@<>"']+\.[^\s@<>"']{2,}$/.test(value))
    return undefined;
  return value;
}
