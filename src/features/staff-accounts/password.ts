// Passwords: argon2id with OWASP's minimum parameters (m=19456 KiB, t=2, p=1), 8–64 characters,
// paste allowed, no composition rules, refused when among ~49,000 common passwords.
import { hash, verify } from '@node-rs/argon2';
import { dictionary } from '@zxcvbn-ts/language-common';

const ARGON2 = { memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;
export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 64;

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  return (common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase())));
}

/** The message key of what is wrong with a new password, or undefined when it is acceptable. */
export function checkNewPassword(password: string, context: { email?: string } = {}): string | undefined {
  const length = [...password].length;
  if (length < PASSWORD_MIN) return 'auth.password.tooShort';
  if (length > PASSWORD_MAX) return 'auth.password.tooLong';
  const lower = password.toLowerCase();
  if (commonPasswords().has(lower)) return 'auth.password.common';
  if (context.email && (lower === context.email.toLowerCase() || lower === context.email.toLowerCase().split('@')[0]))
    return 'auth.password.likeEmail';
  return undefined;
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verifying against a fixed hash when the account does not exist keeps the timing of a failed
// sign-in the same whether or not the email is known.
let dummyHash: Promise<string> | undefined;
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('not-a-real-password-for-timing');
  await verifyPassword(await dummyHash, password);
  return false;
}
