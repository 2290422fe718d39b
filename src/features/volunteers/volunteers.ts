// Volunteer sign-ups with double opt-in: an emailed link (7 days, single use; only the POST of the
// page it opens confirms) or, for a mobile phone given on the site, a 6-digit code sent by SMS;
// unconfirmed sign-ups are deleted after 7 days; every email carries a link that deletes the data.
// A confirmed volunteer's details are never replaced by a sign-up with the same address until it is
// confirmed from that address (issue #12): the new details wait in `pending_details`.
import type { Db, VolunteerDetails } from '#/server/db/database.ts';
import type { Locale } from '#/lib/locales.ts';
import type { VolunteerInput } from './vocabulary.ts';
import { createHmac, randomBytes } from 'node:crypto';
import { generateToken, hashToken } from '#/features/booking/reference.ts';
import { sameSecret } from '#/server/security/same-secret.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { enqueueMessage, smsRecipientOf } from '#/server/mail/outbox.ts';
import { isUniqueViolation, runInTransaction } from '#/server/db/transaction.ts';
import { HOLD_MINUTES, MAX_ATTEMPTS, parseCodeInput } from '#/features/verification/code.ts';
import { checkCode, findCode, issueCode, resendCode, type CheckOutcome } from '#/features/verification/codes.ts';
import { queueCode } from '#/features/verification/send-code.ts';

const CONFIRM_DAYS = 7;

function withdrawMac(id: number, key: string, secret: string): string {
  return createHmac('sha256', secret).update(`withdraw:${id}:${key}`).digest('base64url');
}

/** The token of a volunteer's withdraw link: valid in every email, until the data is deleted. */
export async function withdrawToken(db: Db, volunteerId: number): Promise<string> {
  const row = await db
    .selectFrom('volunteer')
    .select('withdraw_key')
    .where('id', '=', volunteerId)
    .executeTakeFirstOrThrow();
  return `${volunteerId}.${withdrawMac(volunteerId, row.withdraw_key, await getServerSecret(db))}`;
}

/**
 * `change_sent`: the address is a confirmed volunteer's; the new details wait for its confirmation.
 * `codeTo`: a code went to the mobile phone given (see sendSignUpCode).
 */
export type SignUpOutcome = {
  status: 'confirmation_sent' | 'change_sent';
  codeTo?: { volunteerId: number; phone: string };
};

/**
 * Records a sign-up. A second sign-up with the same email: an unconfirmed one is replaced and gets
 * a fresh confirmation link; a confirmed one keeps its details and status, and the address gets a
 * link that applies the new ones (anyone may type someone else's address).
 */
export async function signUpVolunteer(
  db: Db,
  input: VolunteerInput,
  now: Date = new Date(),
  options: SignUpOptions = {},
): Promise<SignUpOutcome> {
  try {
    return await trySignUp(db, input, now, options);
  } catch (error) {
    // Two first sign-ups with the same email raced: the second becomes an update.
    if (isUniqueViolation(error, 'volunteer_email_key')) return trySignUp(db, input, now, options);
    throw error;
  }
}

export interface SignUpOptions {
  /** Also send a 6-digit code to a mobile phone (the site's form, which has the page to type it in). */
  code?: boolean;
}

async function trySignUp(db: Db, input: VolunteerInput, now: Date, options: SignUpOptions): Promise<SignUpOutcome> {
  return runInTransaction(db, async (trx) => {
    const details = {
      name: input.name,
      phone: input.phone,
      municipi: input.municipi,
      skills: input.skills,
      languages: input.languages,
      availability: input.availability,
      note: input.note,
      locale: input.locale,
      consent_at: now,
    };
    const existing = await trx
      .selectFrom('volunteer')
      .select(['id', 'status'])
      .where('email', '=', input.email)
      .forUpdate()
      .executeTakeFirst();
    const confirmToken = generateToken();
    const confirmation = {
      confirm_token_hash: hashToken(confirmToken),
      confirm_expires_at: new Date(now.getTime() + CONFIRM_DAYS * 86400000),
    };
    if (existing && existing.status !== 'unconfirmed') {
      const pending: VolunteerDetails = { ...details, consent_at: now.toISOString() };
      // The page after the form looks the same as for a new address (a code too, when a mobile was
      // given), so it tells nobody that the address is a volunteer's; that code confirms nothing.
      const codeTo = await sendSignUpCode(trx, existing.id, input, now, options);
      await trx
        .updateTable('volunteer')
        .set({ ...confirmation, pending_details: JSON.stringify(pending) })
        .where('id', '=', existing.id)
        .execute();
      await enqueueMessage(trx, {
        kind: 'volunteer_confirm_address',
        recipient: input.email,
        locale: input.locale,
        payload: { confirmToken, withdrawToken: await withdrawToken(trx, existing.id), change: true },
        volunteerId: existing.id,
      });
      return { status: 'change_sent', ...(codeTo && { codeTo }) };
    }
    const id = existing
      ? (
          await trx
            .updateTable('volunteer')
            .set({ ...details, ...confirmation })
            .where('id', '=', existing.id)
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id
      : (
          await trx
            .insertInto('volunteer')
            .values({
              ...details,
              ...confirmation,
              email: input.email,
              withdraw_key: randomBytes(24).toString('base64url'),
            })
            .returning('id')
            .executeTakeFirstOrThrow()
        ).id;
    await enqueueMessage(trx, {
      kind: 'volunteer_confirm_address',
      recipient: input.email,
      locale: input.locale,
      payload: { confirmToken, withdrawToken: await withdrawToken(trx, id) },
      volunteerId: id,
    });
    const codeTo = await sendSignUpCode(trx, id, input, now, options);
    return { status: 'confirmation_sent' as const, ...(codeTo && { codeTo }) };
  });
}

/**
 * A mobile phone given on the site's form also gets a 6-digit code (HOLD_MINUTES, 5 tries): a new
 * sign-up replaces the previous code. It confirms a first sign-up; a confirmed volunteer's change
 * is applied only from the address, whatever the code.
 */
async function sendSignUpCode(
  trx: Db,
  volunteerId: number,
  input: VolunteerInput,
  now: Date,
  options: SignUpOptions,
): Promise<{ volunteerId: number; phone: string } | undefined> {
  await trx.deleteFrom('verification_code').where('volunteer_id', '=', volunteerId).execute();
  const phone = options.code ? smsRecipientOf(input.phone) : undefined;
  if (!phone) return undefined;
  const expiresAt = new Date(now.getTime() + HOLD_MINUTES * 60000);
  const code = await issueCode(trx, { volunteerId, channel: 'sms', expiresAt }, await getServerSecret(trx), now);
  await queueCode(trx, { volunteerId }, { channel: 'sms', phone, email: null, locale: input.locale }, code, {
    expiresAt,
    minutes: HOLD_MINUTES,
  });
  return { volunteerId, phone };
}

export type VolunteerResendOutcome =
  | { ok: true }
  | { ok: false; reason: 'too_soon'; retryAfterSeconds: number }
  | { ok: false; reason: 'no_more' | 'gone' };

/**
 * "Send the code again" on "check your email": a new code to the same mobile phone, limited as a
 * hold's is (resendCode: MAX_SENDS in all, CODE_RESEND_SECONDS apart, within the first code's
 * HOLD_MINUTES; the tries already used still count). The earlier code stops working and its message,
 * if still unsent, is withdrawn (queueCode). The phone is the one the code went to: a confirmed
 * volunteer's change keeps it in `pending_details`, so the answer is the same for both.
 */
export async function resendVolunteerCode(
  db: Db,
  volunteerId: number,
  now: Date = new Date(),
): Promise<VolunteerResendOutcome> {
  const secret = await getServerSecret(db);
  return runInTransaction(db, async (trx) => {
    const row = await trx
      .selectFrom('volunteer')
      .select(['phone', 'locale', 'pending_details'])
      .where('id', '=', volunteerId)
      // Not locked: the code's row is (resendCode's UPDATE), in the order confirmVolunteerByCode
      // takes them (the code, then the volunteer), and a new sign-up replaces that row.
      .executeTakeFirst();
    const details = row?.pending_details ?? row;
    const phone = smsRecipientOf(details?.phone);
    if (!details || !phone) return { ok: false, reason: 'gone' };
    const outcome = await resendCode(trx, { volunteerId }, undefined, secret, now);
    if (!outcome.ok) return outcome;
    const current = await findCode(trx, { volunteerId });
    if (!current) return { ok: false, reason: 'gone' };
    // The new code lasts as long as the first one had left (resendCode keeps its expiry): the SMS says so.
    const minutes = Math.max(1, Math.ceil((current.expires_at.getTime() - now.getTime()) / 60000));
    await queueCode(
      trx,
      { volunteerId },
      { channel: 'sms', phone, email: null, locale: details.locale as Locale },
      outcome.code,
      { expiresAt: current.expires_at, minutes, again: true },
    );
    return { ok: true };
  });
}

/** What a confirmation link would confirm: a first sign-up, or a confirmed volunteer's new details. */
export interface PendingConfirmation {
  change: boolean;
  name: string;
  municipi: number[];
  skills: string[];
}

/**
 * Reads, without changing anything, what the link would confirm (the page it opens shows it with a
 * button: mail scanners follow links, so only that button's POST confirms). Undefined: wrong,
 * expired or already used.
 */
export async function findPendingConfirmation(
  db: Db,
  token: string,
  now: Date = new Date(),
): Promise<PendingConfirmation | undefined> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return undefined;
  const row = await db
    .selectFrom('volunteer')
    .select(['status', 'name', 'municipi', 'skills', 'pending_details'])
    .where('confirm_token_hash', '=', hashToken(token))
    .where('confirm_expires_at', '>', now)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.status === 'unconfirmed')
    return { change: false, name: row.name, municipi: row.municipi, skills: row.skills };
  const pending = row.pending_details;
  return pending ? { change: true, name: pending.name, municipi: pending.municipi, skills: pending.skills } : undefined;
}

/**
 * Confirms the address behind a link (the POST of the page the link opens). Single use; expired links fail. On success the volunteer is
 * welcomed and the coordinators of the chosen municipi are told (their networks' addresses).
 */
export async function confirmVolunteer(
  db: Db,
  token: string,
  now: Date = new Date(),
): Promise<'confirmed' | 'invalid'> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) return 'invalid';
  return runInTransaction(db, async (trx) => {
    const v = await trx
      .updateTable('volunteer')
      .set({ status: 'new', confirmed_at: now, confirm_token_hash: null, confirm_expires_at: null })
      .where('confirm_token_hash', '=', hashToken(token))
      .where('status', '=', 'unconfirmed')
      .where('confirm_expires_at', '>', now)
      .returning(['id', 'email', 'locale', 'municipi', 'skills'])
      .executeTakeFirst();
    if (!v) return confirmChange(trx, token, now);
    // Confirmed by the link: the code sent to the phone, if any, is spent too.
    await trx.deleteFrom('verification_code').where('volunteer_id', '=', v.id).execute();
    await welcomeVolunteer(trx, v);
    return 'confirmed';
  });
}

/**
 * Confirms a first sign-up with the code sent to its mobile phone (the other way than the link):
 * counted and compared (5 tries, single use, HOLD_MINUTES) and the volunteer confirmed in one
 * transaction. Only an unconfirmed sign-up: a confirmed volunteer's change needs the address, and
 * its right code answers the same `ok` and changes nothing.
 */
export async function confirmVolunteerByCode(
  db: Db,
  volunteerId: number,
  typed: string,
  now: Date = new Date(),
): Promise<CheckOutcome> {
  const code = parseCodeInput(typed);
  const secret = await getServerSecret(db);
  return runInTransaction(db, async (trx) => {
    const checked = await checkCode(trx, { volunteerId }, code, secret, now);
    if (!checked.ok) return checked;
    const v = await trx
      .updateTable('volunteer')
      .set({ status: 'new', confirmed_at: now, confirm_token_hash: null, confirm_expires_at: null })
      .where('id', '=', volunteerId)
      .where('status', '=', 'unconfirmed')
      .returning(['id', 'email', 'locale', 'municipi', 'skills'])
      .executeTakeFirst();
    // A confirmed volunteer's change stays waiting for the address (the answer says so, for both).
    if (v) await welcomeVolunteer(trx, v);
    return { ok: true };
  });
}

/** Whether the volunteer's code can still be used (undefined: none, or spent). */
export async function volunteerCodeState(db: Db, volunteerId: number, now: Date = new Date()) {
  const row = await db
    .selectFrom('verification_code')
    .select(['attempts', 'expires_at'])
    .where('volunteer_id', '=', volunteerId)
    .executeTakeFirst();
  if (!row) return undefined;
  return { usable: row.expires_at > now && row.attempts < MAX_ATTEMPTS };
}

/** The welcome email, and the coordinators of the chosen municipi told (their networks' addresses). */
async function welcomeVolunteer(
  trx: Db,
  v: { id: number; email: string; locale: string; municipi: number[]; skills: string[] },
): Promise<void> {
  await enqueueMessage(trx, {
    kind: 'volunteer_welcome',
    recipient: v.email,
    locale: v.locale as Locale,
    payload: { withdrawToken: await withdrawToken(trx, v.id) },
    volunteerId: v.id,
  });
  const networks = await trx
    .selectFrom('network')
    .select(['email', 'municipio_id'])
    .where('municipio_id', 'in', v.municipi)
    .where('email', 'is not', null)
    .execute();
  for (const n of networks) {
    // Coordinators get what they need to call back, not the whole record: they see it in the staff area.
    await enqueueMessage(trx, {
      kind: 'volunteer_coordinator_notice',
      recipient: n.email!,
      locale: 'it',
      payload: { municipio: n.municipio_id, skills: v.skills },
      volunteerId: v.id,
    });
  }
}

/**
 * A confirmed volunteer's change, confirmed from the address: the details that waited replace the
 * old ones (status and confirmation date stay) and the volunteer is told. Single use; expired fails.
 */
async function confirmChange(trx: Db, token: string, now: Date): Promise<'confirmed' | 'invalid'> {
  const row = await trx
    .selectFrom('volunteer')
    .select(['id', 'email', 'pending_details'])
    .where('confirm_token_hash', '=', hashToken(token))
    .where('status', '!=', 'unconfirmed')
    .where('confirm_expires_at', '>', now)
    .where('pending_details', 'is not', null)
    .forUpdate()
    .executeTakeFirst();
  if (!row?.pending_details) return 'invalid';
  const { consent_at, ...details } = row.pending_details;
  await trx.deleteFrom('verification_code').where('volunteer_id', '=', row.id).execute();
  await trx
    .updateTable('volunteer')
    .set({
      ...details,
      consent_at: new Date(consent_at),
      pending_details: null,
      confirm_token_hash: null,
      confirm_expires_at: null,
    })
    .where('id', '=', row.id)
    .execute();
  await enqueueMessage(trx, {
    kind: 'volunteer_welcome',
    recipient: row.email,
    locale: details.locale as Locale,
    payload: { withdrawToken: await withdrawToken(trx, row.id), updated: true },
    volunteerId: row.id,
  });
  return 'confirmed';
}

/** Deletes everything about the volunteer behind a withdraw link. */
export async function withdrawVolunteer(db: Db, token: string): Promise<boolean> {
  const m = /^(\d{1,10})\.([A-Za-z0-9_-]{43})$/.exec(token);
  if (!m) return false;
  const id = Number(m[1]);
  const row = await db.selectFrom('volunteer').select('withdraw_key').where('id', '=', id).executeTakeFirst();
  if (!row || !sameSecret(m[2]!, withdrawMac(id, row.withdraw_key, await getServerSecret(db)))) return false;
  const deleted = await db.deleteFrom('volunteer').where('id', '=', id).returning('id').execute();
  return deleted.length > 0;
}

/**
 * Sign-ups never confirmed are deleted once their link has expired; a confirmed volunteer's change
 * never confirmed is forgotten (the details they had stay).
 */
export async function deleteUnconfirmedVolunteers(db: Db, now: Date = new Date()): Promise<number> {
  await db
    .updateTable('volunteer')
    .set({ pending_details: null, confirm_token_hash: null, confirm_expires_at: null })
    .where('status', '!=', 'unconfirmed')
    .where('pending_details', 'is not', null)
    .where('confirm_expires_at', '<', now)
    .execute();
  const deleted = await db
    .deleteFrom('volunteer')
    .where('status', '=', 'unconfirmed')
    .where('confirm_expires_at', '<', now)
    .returning('id')
    .execute();
  return deleted.length;
}
