// Short booking references people can read out on the phone: QB-7K4M-2P. No 0/O, 1/I/L.
import { randomBytes, createHash } from 'node:crypto';
import { REFERENCE_ALPHABET } from '#/lib/reference-code.ts';

// Reading a typed reference is pure and shared with the validation vocabulary (src/lib).
export { parseReference, REFERENCE_ALPHABET } from '#/lib/reference-code.ts';

/** `QB-7K4M-2P` for bookings; other features pass their own two-letter prefix (pledges: `ZS`). */
export function generateReference(prefix = 'QB'): string {
  const bytes = randomBytes(12);
  let chars = '';
  for (const b of bytes) {
    // Rejection sampling keeps every character equally likely.
    if (b < 248) chars += REFERENCE_ALPHABET[b % 31];
    if (chars.length === 6) break;
  }
  if (chars.length < 6) return generateReference(prefix);
  return `${prefix}-${chars.slice(0, 4)}-${chars.slice(4)}`;
}

/**
 * Inserts a row under a fresh reference, drawing again while the one drawn is taken: `insert` writes
 * the row with `ON CONFLICT (reference) DO NOTHING` and answers it, or undefined when the reference
 * was taken. With 31^6 references a collision is rare but grows with the table (1 in 10,000 at
 * 90,000 rows), and a unique violation would abort the caller's transaction: a family accepting an
 * offer would get an error page. The holds, whose statement cannot take ON CONFLICT, retry instead.
 */
export async function insertUnderFreshReference<R>(
  prefix: string,
  insert: (reference: string) => Promise<R | undefined>,
  draw: (prefix: string) => string = generateReference,
): Promise<R> {
  for (let tries = 0; tries < 5; tries++) {
    const row = await insert(draw(prefix));
    if (row !== undefined) return row;
  }
  throw new Error(`five ${prefix} references drawn were all taken`);
}

/** A random secret for the manage link (256 bits, base64url). Only its hash is stored. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * A shorter manage secret (120 bits, 20 characters base64url) for links an SMS carries, where every
 * character counts; still far beyond guessing, and accepted wherever a manage token is (20–100).
 */
export function generateShortToken(): string {
  return randomBytes(15).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
