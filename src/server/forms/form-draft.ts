// Answers kept between the steps of a form (POST → 303 → GET): a short-lived cookie per flow,
// sealed with AES-256-GCM under a key derived (HKDF) from the server secret. The browser holds
// it, so the Back button and the language switcher show the answers again; it cannot read or
// alter it, and a copy stolen from a shared phone is useless after an hour. A draft too big for
// a cookie is kept sealed the same way in a `form_draft` row, erased within the hour, and the
// cookie holds only its sealed handle. Nothing personal goes into a URL. See docs/architecture.md,
// "Drafts between form steps".
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AstroCookies } from 'astro';
import type { Db } from '#/server/db/database.ts';
import { getDb } from '#/server/db/index.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { getConfig } from '#/server/config.ts';

/** The flows that keep a draft; each has its own cookie, so one flow never reads another's. */
export type DraftFlow =
  | 'booking'
  | 'pledge'
  | 'volunteer'
  | 'cancel'
  | 'manage'
  | 'staff'
  | 'signup'
  | 'signup-hold'
  | 'wait-hold'
  | 'rating'
  | 'accessibility';

/** An hour: long enough to find a document half-way through, short enough for a shared phone. */
export const DRAFT_MAX_AGE_SECONDS = 3600;
/** Browsers keep cookies of at most about 4 KB; a bigger draft goes to a row (see saveFormDraft). */
export const MAX_SEALED_LENGTH = 3800;

const IV_BYTES = 12;
const TAG_BYTES = 16;

function draftKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'qubi-form-draft', 'aes-256-gcm form draft v1', 32));
}

export const draftCookieName = (flow: DraftFlow) => `qubi-draft-${flow}`;

const expiryFrom = (now: Date) => new Date(now.getTime() + DRAFT_MAX_AGE_SECONDS * 1000);

/** A draft as opened: its data and the end of its life (fixed when it was first written). */
export interface OpenedDraft {
  data: unknown;
  expiresAt: Date;
}

function seal(secret: string, aad: string, data: unknown, expiresAt: Date): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', draftKey(secret), iv);
  cipher.setAAD(Buffer.from(aad));
  const plain = deflateRawSync(Buffer.from(JSON.stringify({ exp: expiresAt.getTime(), data })));
  const sealed = Buffer.concat([iv, Buffer.alloc(TAG_BYTES), cipher.update(plain), cipher.final()]);
  cipher.getAuthTag().copy(sealed, IV_BYTES);
  return sealed.toString('base64url');
}

function open(secret: string, aad: string, value: string, now: Date, maxPlainBytes: number): OpenedDraft | undefined {
  try {
    const raw = Buffer.from(value, 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', draftKey(secret), raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(aad));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    const { exp, data } = JSON.parse(inflateRawSync(plain, { maxOutputLength: maxPlainBytes }).toString()) as {
      exp: unknown;
      data: unknown;
    };
    return typeof exp === 'number' && exp > now.getTime() ? { data, expiresAt: new Date(exp) } : undefined;
  } catch {
    // A wrong tag, truncated or foreign value: as if there were no draft.
    return undefined;
  }
}

/**
 * The draft as a cookie value: base64url(iv | tag | ciphertext) of the deflated JSON with its
 * expiry. The flow name is authenticated data, so a booking draft cannot be replayed as a pledge
 * draft. Undefined when it would not fit in a cookie.
 */
export function sealDraft(
  secret: string,
  flow: DraftFlow,
  data: unknown,
  now: Date = new Date(),
  expiresAt: Date = expiryFrom(now),
): string | undefined {
  const value = seal(secret, flow, data, expiresAt);
  return value.length <= MAX_SEALED_LENGTH ? value : undefined;
}

/** The data of a sealed draft, or undefined when it is altered, of another flow, or expired. */
export function openDraft(secret: string, flow: DraftFlow, value: string | undefined, now: Date = new Date()): unknown {
  return openDraftEntry(secret, flow, value, now)?.data;
}

function openDraftEntry(
  secret: string,
  flow: DraftFlow,
  value: string | undefined,
  now: Date,
): OpenedDraft | undefined {
  if (!value || value.length > MAX_SEALED_LENGTH * 2) return undefined;
  return open(secret, flow, value, now, 64 * 1024);
}

// A draft too big for a cookie (five long event descriptions, a long note) is kept, sealed the
// same way, in a `form_draft` row; the cookie then carries only the row's random handle, sealed
// under its own authenticated data so that it can never be read as a draft nor forged.
const ROW_PREFIX = 'r.';
/** Bounds what a row's draft may inflate to: above the largest form body (1 MB) once in JSON. */
const MAX_ROW_PLAIN_BYTES = 8 * 1024 * 1024;
const handleAad = (flow: DraftFlow) => `${flow}:row-handle`;

function openHandle(secret: string, flow: DraftFlow, value: string, now: Date): string | undefined {
  if (!value.startsWith(ROW_PREFIX) || value.length > MAX_SEALED_LENGTH) return undefined;
  const id = open(secret, handleAad(flow), value.slice(ROW_PREFIX.length), now, 1024)?.data;
  return typeof id === 'string' && /^[0-9a-f]{32}$/.test(id) ? id : undefined;
}

/** Saves the draft in a row (an hour's life) and returns the cookie value that names it. */
export async function storeDraftRow(
  db: Db,
  secret: string,
  flow: DraftFlow,
  data: unknown,
  now: Date = new Date(),
  expiresAt: Date = expiryFrom(now),
): Promise<string> {
  const id = randomBytes(16).toString('hex');
  await db
    .insertInto('form_draft')
    .values({ id, payload: seal(secret, flow, data, expiresAt), expires_at: expiresAt })
    .execute();
  return ROW_PREFIX + seal(secret, handleAad(flow), id, expiresAt);
}

/**
 * Writes new content into the row a cookie value names, keeping the row, its handle and its
 * expiry (the draft shown once and written again without its errors). False when the value
 * names no row of this flow.
 */
export async function rewriteDraftRow(
  db: Db,
  secret: string,
  flow: DraftFlow,
  value: string,
  data: unknown,
  expiresAt: Date,
  now: Date = new Date(),
): Promise<boolean> {
  const id = openHandle(secret, flow, value, now);
  if (!id) return false;
  const result = await db
    .updateTable('form_draft')
    .set({ payload: seal(secret, flow, data, expiresAt) })
    .where('id', '=', id)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** The draft a cookie value holds, in itself or in the row it names; undefined as openDraft. */
export async function openStoredDraft(
  db: Db,
  secret: string,
  flow: DraftFlow,
  value: string | undefined,
  now: Date = new Date(),
): Promise<unknown> {
  return (await openStoredDraftEntry(db, secret, flow, value, now))?.data;
}

/** As openStoredDraft, with the draft's expiry (kept when it is written again). */
async function openStoredDraftEntry(
  db: Db,
  secret: string,
  flow: DraftFlow,
  value: string | undefined,
  now: Date,
): Promise<OpenedDraft | undefined> {
  if (!value) return undefined;
  if (!value.startsWith(ROW_PREFIX)) return openDraftEntry(secret, flow, value, now);
  // Expired rows go on the way (the hourly housekeeping catches those nobody reads again).
  await pruneExpiredDrafts(db, now);
  const id = openHandle(secret, flow, value, now);
  if (!id) return undefined;
  const row = await db
    .selectFrom('form_draft')
    .select('payload')
    .where('id', '=', id)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row ? open(secret, flow, row.payload, now, MAX_ROW_PLAIN_BYTES) : undefined;
}

/** Erases the row a cookie value names, if any (a draft replaced or done with). */
async function dropDraftRow(db: Db, secret: string, flow: DraftFlow, value: string | undefined): Promise<void> {
  const id = value ? openHandle(secret, flow, value, new Date()) : undefined;
  if (id) await db.deleteFrom('form_draft').where('id', '=', id).execute();
}

/** Deletes the drafts older than an hour (on each read of a row, and by the hourly housekeeping). */
export async function pruneExpiredDrafts(db: Db, now: Date = new Date()): Promise<number> {
  const result = await db.deleteFrom('form_draft').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}

interface CookieContext {
  cookies: AstroCookies;
}

function cookieOptions(maxAge = DRAFT_MAX_AGE_SECONDS) {
  return {
    // Path / so that the same step in another language (/en/… after /it/…) still finds it.
    path: '/',
    httpOnly: true,
    secure: getConfig().publicUrl.startsWith('https:'),
    sameSite: 'lax' as const,
    maxAge,
  };
}

/** The flow's draft, as stored (the caller checks its shape), or undefined. */
export async function readFormDraft(context: CookieContext, flow: DraftFlow): Promise<unknown> {
  return (await readFormDraftEntry(context, flow))?.data;
}

/** The flow's draft with its expiry, to write it again (saveFormDraft) without lengthening its life. */
export async function readFormDraftEntry(context: CookieContext, flow: DraftFlow): Promise<OpenedDraft | undefined> {
  const value = context.cookies.get(draftCookieName(flow))?.value;
  if (!value) return undefined;
  const db = await getDb();
  return openStoredDraftEntry(db, await getServerSecret(db), flow, value, new Date());
}

/**
 * Stores the draft for the next GET: in the cookie when it fits, else in a sealed row the cookie
 * names. A new draft lives an hour; one written again (`expiresAt` of the draft it replaces, e.g.
 * its errors once shown) keeps the end of life it had, so re-writing never lengthens it, and a
 * row stays the same row (rewritten in place: a copy of the old cookie finds the new content).
 */
export async function saveFormDraft(
  context: CookieContext,
  flow: DraftFlow,
  data: unknown,
  expiresAt?: Date,
): Promise<void> {
  const db = await getDb();
  const secret = await getServerSecret(db);
  const now = new Date();
  const until = expiresAt ?? expiryFrom(now);
  const previous = context.cookies.get(draftCookieName(flow))?.value;
  const inCookie = sealDraft(secret, flow, data, now, until);
  if (!inCookie && expiresAt && previous && (await rewriteDraftRow(db, secret, flow, previous, data, until, now)))
    return;
  const value = inCookie ?? (await storeDraftRow(db, secret, flow, data, now, until));
  const maxAge = Math.max(1, Math.min(DRAFT_MAX_AGE_SECONDS, Math.ceil((until.getTime() - now.getTime()) / 1000)));
  context.cookies.set(draftCookieName(flow), value, cookieOptions(maxAge));
  // The draft this one replaces, if it was a row, is of no use any more.
  await dropDraftRow(db, secret, flow, previous);
}

/** The flow is complete (or abandoned): its answers leave the browser (and the server). */
export function clearFormDraft(context: CookieContext, flow: DraftFlow): void {
  const previous = context.cookies.get(draftCookieName(flow))?.value;
  context.cookies.delete(draftCookieName(flow), {
    path: '/',
    httpOnly: true,
    secure: cookieOptions().secure,
    sameSite: 'lax',
  });
  if (previous?.startsWith(ROW_PREFIX)) {
    // Not awaited (the pages call this synchronously); the row would expire within the hour anyway.
    void getDb()
      .then(async (db) => dropDraftRow(db, await getServerSecret(db), flow, previous))
      .catch(() => {});
  }
}

/** A string field of a stored draft, bounded; '' when missing or of another type. */
export function draftText(data: Record<string, unknown>, key: string, max: number): string {
  const v = data[key];
  return typeof v === 'string' ? v.slice(0, max) : '';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
