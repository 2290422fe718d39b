// The 6-digit codes that prove a contact is real (issue #12): drawn with the crypto RNG, kept only
// as an HMAC under the server secret, typed back as people type them. Pure.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { normalizeEmail } from '#/lib/contact.ts';

/** How long a hold waits for its code, and the code with it. */
export const HOLD_MINUTES = 15;
/** Wrong codes allowed per hold; the next one locks it until it lapses. */
export const MAX_ATTEMPTS = 5;
/** Codes sent per hold in all (the first and two "send again"), CODE_RESEND_SECONDS apart (codes.ts). */
export const MAX_SENDS = 3;

/** "042917": six digits, every value equally likely. */
export function generateCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/**
 * The stored form: bound to what it confirms (a hold's id; `volunteer-<id>` for a sign-up), so a
 * code's hash is worth nothing for another one.
 */
export function hashCode(secret: string, holdId: number | string, code: string): string {
  return createHmac('sha256', secret).update(`verification:${holdId}:${code}`).digest('base64url');
}

export function codeMatches(secret: string, holdId: number | string, code: string, storedHash: string): boolean {
  const a = Buffer.from(hashCode(secret, holdId, code));
  const b = Buffer.from(storedHash);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * A code as typed: spaces, dashes and dots between digits are ignored, and Arabic-Indic (٠-٩) and
 * Persian (۰-۹) digits read as 0-9, as an Arabic keyboard or a pasted SMS gives them. Undefined
 * unless exactly six digits remain.
 */
export function parseCodeInput(raw: unknown): string | undefined {
  if (typeof raw !== 'string' || raw.length > 40) return undefined;
  const digits = raw
    .replace(/[\u0660-\u0669\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) & 0xf))
    .replace(/[\s\u00A0\u200E\u200F.-]/g, '');
  return /^[0-9]{6}$/.test(digits) ? digits : undefined;
}

/** "+39 ••• ••• 4567": enough to recognise one's own number, not to learn someone else's. */
export function maskPhone(phone: string): string {
  const visible = phone.slice(-4);
  const prefix = phone.startsWith('+') ? phone.slice(0, 3) : '';
  return `${prefix}${prefix ? ' ' : ''}••• ${visible}`;
}

/**
 * Where "use email instead" sends the code (a booking's or a sign-up's code step): the address typed
 * there, else the one the contact already gave; undefined when neither is an address.
 */
export function codeEmailTarget(typed: string, given: string | null | undefined): string | undefined {
  return typed.trim() ? normalizeEmail(typed) : (given ?? undefined);
}

/** "m•••@example.org" */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  return `${email[0]}•••${email.slice(at)}`;
}
