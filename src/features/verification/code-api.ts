// The JSON API's side of a code step (…/{reference}/confirm with {"code": "123456"}), shared by the
// event sign-up's and the waiting list's confirm endpoints: the body read, the code parsed, the
// client's lookups limited; and a refused code answered as docs/api.md says (422, 429, 410).
import type { APIContext } from 'astro';
import type { Db } from '#/server/db/database.ts';
import { getDb } from '#/server/db/index.ts';
import { clientIp, guardLookup } from '#/server/http/request-guard.ts';
import { apiError, rateLimited, readJsonObject } from '#/server/http/api-respond.ts';
import { parseCodeInput } from './code.ts';
import type { CheckOutcome } from './codes.ts';

/** The code of a confirm call, within the client's `scope` lookup limit; or the answer to give now. */
export async function readCodeConfirm(
  context: APIContext,
  scope: string,
): Promise<{ ok: true; db: Db; code: string } | { ok: false; response: Response }> {
  const read = await readJsonObject(context.request);
  if (!read.ok) return read;
  const code = parseCodeInput(read.body.code);
  if (!code) return { ok: false, response: apiError(422, 'invalid', { fields: { code: 'six digits' } }) };
  const db = await getDb();
  const limit = await guardLookup(db, scope, clientIp(context));
  if (!limit.allowed) return { ok: false, response: rateLimited(limit.retryAfterSeconds) };
  return { ok: true, db, code };
}

/** A refused code: 422 wrong (with the tries left), 429 locked, 410 for a hold that is over. */
export function codeRefusedResponse(outcome: Exclude<CheckOutcome, { ok: true }> | { reason: 'not_pending' }) {
  if (outcome.reason === 'wrong') return apiError(422, 'wrong_code', { triesLeft: outcome.triesLeft });
  if (outcome.reason === 'locked') return apiError(429, 'too_many_tries');
  return apiError(410, 'expired');
}
