// Small helpers shared by the JSON endpoints.
import { DEFAULT_LOCALE, isLocale, type Locale } from '#/lib/locales.ts';

export function json(body: unknown, init: ResponseInit = {}): Response {
  const headers = new Headers(init.headers);
  headers.set('Content-Type', 'application/json; charset=utf-8');
  const text = JSON.stringify(body);
  // Its length said up front: the adapter otherwise streams the body, and the compression
  // middleware (scripts/serve.ts), not knowing the size, compresses even an answer of a few hundred bytes.
  headers.set('Content-Length', String(Buffer.byteLength(text)));
  // CORS goes on reads only (open-data-cors.ts, from the middleware): never on a write's answer.
  return new Response(text, { ...init, headers });
}

export function apiError(status: number, error: string, extra: Record<string, unknown> = {}): Response {
  return json({ error, ...extra }, { status });
}

/** ?locale= picks the language of texts; unknown values fall back to Italian. */
export function requestedLocale(url: URL): Locale {
  const value = url.searchParams.get('locale');
  return isLocale(value) ? value : DEFAULT_LOCALE;
}

/** 429 with Retry-After, for a request refused by a rate limit. */
export function rateLimited(retryAfterSeconds: number): Response {
  return json(
    { error: 'rate_limited', retryAfter: retryAfterSeconds },
    { status: 429, headers: { 'Retry-After': String(retryAfterSeconds) } },
  );
}

/** Larger than any booking or cancel request; checked before parsing so a huge body costs nothing. */
export const MAX_JSON_BODY_BYTES = 16 * 1024;
/**
 * An oversized body sent without Content-Length is read and thrown away up to this size, so the
 * client gets its 413 on a connection still usable; beyond it the connection is closed.
 */
const DISCARD_MAX_BYTES = 8 * 1024 * 1024;

export type JsonBody = { ok: true; body: Record<string, unknown> } | { ok: false; response: Response };

function tooLarge(maxBytes: number, closeConnection = false): JsonBody {
  const response = apiError(413, 'too_large', { message: `the body may be at most ${maxBytes} bytes` });
  if (closeConnection) response.headers.set('Connection', 'close');
  return { ok: false, response };
}

/**
 * The body of a JSON write request as a plain object, or the 4xx answer to send: 415 when it is not
 * declared as JSON, 413 above `maxBytes` (never buffered beyond that), 400 when it is not UTF-8
 * JSON or not an object.
 */
export async function readJsonObject(request: Request, maxBytes = MAX_JSON_BODY_BYTES): Promise<JsonBody> {
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    return {
      ok: false,
      response: apiError(415, 'unsupported_media_type', { message: 'send Content-Type: application/json' }),
    };
  // A declared size is refused unread (Node discards the unread body after the answer).
  if (Number(request.headers.get('content-length') ?? 0) > maxBytes) return tooLarge(maxBytes);
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > DISCARD_MAX_BYTES) {
        await reader.cancel().catch(() => {});
        return tooLarge(maxBytes, true);
      }
      if (size <= maxBytes) chunks.push(value);
    }
  }
  if (size > maxBytes) return tooLarge(maxBytes);
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks)));
  } catch {
    return { ok: false, response: apiError(400, 'invalid_json', { message: 'the body is not valid UTF-8 JSON' }) };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return { ok: false, response: apiError(400, 'invalid_body', { message: 'the body must be a JSON object' }) };
  }
  return { ok: true, body: parsed as Record<string, unknown> };
}
