// The second factor: TOTP (RFC 6238, 30-second steps, 6 digits, SHA-1 — what every authenticator app
// reads) with @oslojs/otp, and 10 single-use recovery codes. Only SHA-256 hashes of the recovery
// codes are stored; the codes are shown once, when they are made.
//
// Set-up keeps the new secret in app_user.totp_secret with totp_enabled_at still null ("pending"),
// so a reload shows the same secret; a correct code turns it on and makes the recovery codes.
//
// Each code is accepted once: the step of the last accepted code is kept (app_user.totp_last_step),
// and a code of that step or an earlier one is refused (RFC 6238 §5.2), whatever it is used for
// (signing in, turning TOTP on, replacing recovery codes, turning it off). The secret is stored
// encrypted with the key from APP_SECRET (at-rest.ts).
import { createHash, randomBytes, randomInt } from 'node:crypto';
import { createTOTPKeyURI, generateHOTP, verifyHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding, encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import type { Db } from '#/server/db/database.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { decryptAtRest, encryptAtRest } from '#/server/security/at-rest.ts';

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** The issuer shown by authenticator apps (ASCII: some apps mangle accents in the label). */
export const TOTP_ISSUER = 'QuBi Milano';
export const RECOVERY_CODE_COUNT = 10;
/** No 0/O, 1/I/L: codes are read off paper. 31^10 ≈ 2^49.5 per code. */
export const RECOVERY_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const RECOVERY_LENGTH = 10;

/** A new 160-bit secret, base32 (the form authenticator apps accept when typed). */
export function generateTotpSecret(): string {
  return encodeBase32UpperCaseNoPadding(randomBytes(20));
}

function secretBytes(secret: string): Uint8Array | undefined {
  try {
    const bytes = decodeBase32IgnorePadding(secret.replace(/\s+/g, '').toUpperCase());
    return bytes.length >= 10 ? bytes : undefined;
  } catch {
    return undefined;
  }
}

/** The secret in groups of four, easier to type into an app by hand. */
export function formatTotpSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}

/** The otpauth:// URI that authenticator apps read (as a link on a phone, or typed). */
export function totpKeyUri(secret: string, accountName: string): string {
  const bytes = secretBytes(secret);
  if (!bytes) throw new Error('not a TOTP secret');
  return createTOTPKeyURI(TOTP_ISSUER, accountName, bytes, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
}

const counterAt = (now: Date) => BigInt(Math.floor(now.getTime() / (TOTP_PERIOD_SECONDS * 1000)));

/** The code for a moment (tests and the demo print it; the server only verifies). */
export function totpCode(secret: string, now: Date = new Date()): string {
  const bytes = secretBytes(secret);
  if (!bytes) throw new Error('not a TOTP secret');
  return generateHOTP(bytes, counterAt(now), TOTP_DIGITS);
}

/** Keeps the digits of what was typed ("123 456" → "123456"), or undefined if it cannot be a code. */
export function normalizeTotpInput(input: string): string | undefined {
  const digits = input.replace(/[\s-]/g, '');
  return new RegExp(`^[0-9]{${TOTP_DIGITS}}$`).test(digits) ? digits : undefined;
}

/** True for the code of the current step or the one before or after it (clock drift, slow typing). */
export function verifyTotpCode(secret: string, input: string, now: Date = new Date()): boolean {
  return matchTotpStep(secret, input, now) !== undefined;
}

/**
 * The step (counter) whose code `input` is, among the current one and the one before or after it;
 * undefined if none. The latest matching step is returned, so a code is never accepted twice.
 */
export function matchTotpStep(secret: string, input: string, now: Date = new Date()): number | undefined {
  const bytes = secretBytes(secret);
  const code = normalizeTotpInput(input);
  if (!bytes || !code) return undefined;
  const counter = counterAt(now);
  let matched: bigint | undefined;
  // Every step is checked (no early exit), so the timing says nothing about which one matched.
  for (const step of [-1n, 0n, 1n]) if (verifyHOTP(bytes, counter + step, TOTP_DIGITS, code)) matched = counter + step;
  return matched === undefined ? undefined : Number(matched);
}

/** Ten codes like "7K4M2-P9QXH", uniformly drawn from the unambiguous alphabet. */
export function generateRecoveryCodes(count: number = RECOVERY_CODE_COUNT): string[] {
  return Array.from({ length: count }, () => {
    let code = '';
    for (let i = 0; i < RECOVERY_LENGTH; i++) code += RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)];
    return `${code.slice(0, 5)}-${code.slice(5)}`;
  });
}

/** What people type, made canonical: case, spaces and dashes do not matter. Undefined if it cannot be one. */
export function normalizeRecoveryCode(input: string): string | undefined {
  const compact = input.toUpperCase().replace(/[\s-]/g, '');
  if (compact.length !== RECOVERY_LENGTH || [...compact].some((c) => !RECOVERY_ALPHABET.includes(c))) return undefined;
  return compact;
}

export function hashRecoveryCode(code: string): string {
  return createHash('sha256')
    .update(normalizeRecoveryCode(code) ?? code)
    .digest('hex');
}

// --- database ---

export interface TotpState {
  enabled: boolean;
  enabledAt: Date | null;
  /** The secret while set-up is pending (never returned once TOTP is on). */
  pendingSecret: string | null;
  recoveryCodesLeft: number;
}

export async function getTotpState(db: Db, userId: number): Promise<TotpState> {
  const user = await db
    .selectFrom('app_user')
    .select(['totp_secret', 'totp_enabled_at'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
  const left = await db
    .selectFrom('recovery_code')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('used_at', 'is', null)
    .executeTakeFirstOrThrow();
  const enabled = user.totp_enabled_at !== null;
  return {
    enabled,
    enabledAt: user.totp_enabled_at,
    pendingSecret: enabled || !user.totp_secret ? null : decryptAtRest(user.totp_secret),
    recoveryCodesLeft: Number(left.n),
  };
}

/** The secret to show during set-up: the pending one if there is one, else a new one (stored as pending). */
export async function beginTotpSetup(db: Db, userId: number): Promise<string> {
  const state = await getTotpState(db, userId);
  if (state.enabled) throw new Error('TOTP is already on');
  if (state.pendingSecret && secretBytes(state.pendingSecret)) return state.pendingSecret;
  const secret = generateTotpSecret();
  await db
    .updateTable('app_user')
    .set({ totp_secret: encryptAtRest(secret), totp_last_step: null })
    .where('id', '=', userId)
    .where('totp_enabled_at', 'is', null)
    .execute();
  return secret;
}

/**
 * Turns TOTP on when `code` matches the pending secret: returns the new recovery codes (to show
 * once), or undefined for a wrong code.
 */
export async function enableTotp(
  db: Db,
  userId: number,
  code: string,
  now: Date = new Date(),
): Promise<string[] | undefined> {
  return runInTransaction(db, async (trx) => {
    const user = await trx
      .selectFrom('app_user')
      .select(['totp_secret', 'totp_enabled_at'])
      .where('id', '=', userId)
      .forUpdate()
      .executeTakeFirst();
    const step =
      user?.totp_secret && user.totp_enabled_at === null
        ? matchTotpStep(decryptAtRest(user.totp_secret), code, now)
        : undefined;
    if (step === undefined) return undefined;
    // The code that turned TOTP on cannot then pass the second step of a sign-in.
    await trx
      .updateTable('app_user')
      .set({ totp_enabled_at: now, totp_last_step: step })
      .where('id', '=', userId)
      .execute();
    return replaceRecoveryCodes(trx, userId);
  });
}

/** Throws the old recovery codes away and returns ten new ones (only their hashes are stored). */
export async function replaceRecoveryCodes(db: Db, userId: number): Promise<string[]> {
  const codes = generateRecoveryCodes();
  await runInTransaction(db, async (trx) => {
    await trx.deleteFrom('recovery_code').where('user_id', '=', userId).execute();
    await trx
      .insertInto('recovery_code')
      .values(codes.map((c) => ({ user_id: userId, code_hash: hashRecoveryCode(c) })))
      .execute();
  });
  return codes;
}

/** Turns TOTP off (never for an admin: the pages refuse it) and forgets secret and recovery codes. */
export async function disableTotp(db: Db, userId: number): Promise<void> {
  await runInTransaction(db, async (trx) => {
    await trx
      .updateTable('app_user')
      .set({ totp_secret: null, totp_enabled_at: null, totp_last_step: null })
      .where('id', '=', userId)
      .execute();
    await trx.deleteFrom('recovery_code').where('user_id', '=', userId).execute();
  });
}

/** Spends one recovery code: true once, false for a wrong or already used one. */
export async function useRecoveryCode(db: Db, userId: number, input: string, now: Date = new Date()): Promise<boolean> {
  const code = normalizeRecoveryCode(input);
  if (!code) return false;
  const used = await db
    .updateTable('recovery_code')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('code_hash', '=', hashRecoveryCode(code))
    .where('used_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return used !== undefined;
}

/**
 * Checks the second factor of a user whose TOTP is on: a current code, or else a recovery code
 * (spent). Returns which one matched, or false.
 */
export async function verifySecondFactor(
  db: Db,
  userId: number,
  input: string,
  now: Date = new Date(),
): Promise<'totp' | 'recovery' | false> {
  if (normalizeTotpInput(input)) return (await useTotpCode(db, userId, input, now)) ? 'totp' : false;
  const user = await db.selectFrom('app_user').select('totp_enabled_at').where('id', '=', userId).executeTakeFirst();
  if (!user || user.totp_enabled_at === null) return false;
  return (await useRecoveryCode(db, userId, input, now)) ? 'recovery' : false;
}

/**
 * Spends a TOTP code of a user whose TOTP is on: true once per step, false for a wrong code or one
 * whose step (or a later one) was already accepted. The step is recorded by one conditional
 * update, so two requests racing with the same code cannot both pass.
 */
export async function useTotpCode(db: Db, userId: number, input: string, now: Date = new Date()): Promise<boolean> {
  const user = await db
    .selectFrom('app_user')
    .select(['totp_secret', 'totp_enabled_at'])
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user?.totp_secret || user.totp_enabled_at === null) return false;
  const step = matchTotpStep(decryptAtRest(user.totp_secret), input, now);
  if (step === undefined) return false;
  const spent = await db
    .updateTable('app_user')
    .set({ totp_last_step: step })
    .where('id', '=', userId)
    .where((eb) => eb.or([eb('totp_last_step', 'is', null), eb('totp_last_step', '<', step)]))
    .returning('id')
    .executeTakeFirst();
  return spent !== undefined;
}
