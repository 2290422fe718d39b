// Answers kept between the steps of a form (POST → 303 → GET): a short-lived cookie per flow,
// sealed with AES-256-GCM under a key derived (HKDF) from the server secret. The browser holds
// it, so the Back button and the language switcher show the answers again; it cannot read or
// alter it, and a copy stolen from a shared phone is useless after an hour. Nothing personal goes
// into a URL or into the server's rows. See docs/architecture.md, "Drafts between form steps".
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { AstroCookies } from 'astro';
import { getDb } from './db/index.ts';
import { getServerSecret } from './secret.ts';
import { getConfig } from './config.ts';

/** The flows that keep a draft; each has its own cookie, so one flow never reads another's. */
export type DraftFlow = 'booking' | 'pledge' | 'volunteer' | 'cancel' | 'manage' | 'staff';

/** An hour: long enough to find a document half-way through, short enough for a shared phone. */
export const DRAFT_MAX_AGE_SECONDS = 3600;
/** Browsers keep cookies of at most about 4 KB; a bigger draft is not written (see sealDraft). */
export const MAX_SEALED_LENGTH = 3800;

const IV_BYTES = 12;
const TAG_BYTES = 16;

function draftKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'qubi-form-draft', 'aes-256-gcm form draft v1', 32));
}

export const draftCookieName = (flow: DraftFlow) => `qubi-draft-${flow}`;

/**
 * The draft as a cookie value: base64url(iv | tag | ciphertext) of the deflated JSON with its
 * expiry. The flow name is authenticated data, so a booking draft cannot be replayed as a pledge
 * draft. Undefined when it would not fit in a cookie.
 */
export function sealDraft(secret: string, flow: DraftFlow, data: unknown, now: Date = new Date()): string | undefined {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', draftKey(secret), iv);
  cipher.setAAD(Buffer.from(flow));
  const plain = deflateRawSync(Buffer.from(JSON.stringify({ exp: now.getTime() + DRAFT_MAX_AGE_SECONDS * 1000, data })));
  const sealed = Buffer.concat([iv, Buffer.alloc(TAG_BYTES), cipher.update(plain), cipher.final()]);
  cipher.getAuthTag().copy(sealed, IV_BYTES);
  const value = sealed.toString('base64url');
  return value.length <= MAX_SEALED_LENGTH ? value : undefined;
}

/** The data of a sealed draft, or undefined when it is altered, of another flow, or expired. */
export function openDraft(secret: string, flow: DraftFlow, value: string | undefined, now: Date = new Date()): unknown {
  if (!value || value.length > MAX_SEALED_LENGTH * 2) return undefined;
  try {
    const raw = Buffer.from(value, 'base64url');
    if (raw.length <= IV_BYTES + TAG_BYTES) return undefined;
    const decipher = createDecipheriv('aes-256-gcm', draftKey(secret), raw.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(flow));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const plain = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    const { exp, data } = JSON.parse(inflateRawSync(plain, { maxOutputLength: 64 * 1024 }).toString()) as { exp: unknown; data: unknown };
    return typeof exp === 'number' && exp > now.getTime() ? data : undefined;
  } catch {
    // A wrong tag, truncated or foreign value: as if there were no draft.
    return undefined;
  }
}

interface CookieContext {
  cookies: AstroCookies;
}

function cookieOptions() {
  return {
    // Path / so that the same step in another language (/en/… after /it/…) still finds it.
    path: '/',
    httpOnly: true,
    secure: getConfig().publicUrl.startsWith('https:'),
    sameSite: 'lax' as const,
    maxAge: DRAFT_MAX_AGE_SECONDS,
  };
}

/** The flow's draft, as stored (the caller checks its shape), or undefined. */
export async function readFormDraft(context: CookieContext, flow: DraftFlow): Promise<unknown> {
  const value = context.cookies.get(draftCookieName(flow))?.value;
  if (!value) return undefined;
  return openDraft(await getServerSecret(await getDb()), flow, value);
}

/** Stores the draft for the next GET; false when it is too big for a cookie (the caller keeps less). */
export async function saveFormDraft(context: CookieContext, flow: DraftFlow, data: unknown): Promise<boolean> {
  const sealed = sealDraft(await getServerSecret(await getDb()), flow, data);
  if (!sealed) return false;
  context.cookies.set(draftCookieName(flow), sealed, cookieOptions());
  return true;
}

/** The flow is complete (or abandoned): its answers leave the browser. */
export function clearFormDraft(context: CookieContext, flow: DraftFlow): void {
  context.cookies.delete(draftCookieName(flow), { path: '/', httpOnly: true, secure: cookieOptions().secure, sameSite: 'lax' });
}

/** A string field of a stored draft, bounded; '' when missing or of another type. */
export function draftText(data: Record<string, unknown>, key: string, max: number): string {
  const v = data[key];
  return typeof v === 'string' ? v.slice(0, max) : '';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
