import type { APIRoute } from 'astro';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { clientIp, guardLookup } from '#/server/http/request-guard.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { apiError, json, rateLimited, readJsonObject } from '#/server/http/api-respond.ts';
import { parseReference } from '#/lib/reference-code.ts';
import { pledgeManagePath } from '#/lib/paths.ts';
import { parseCodeInput } from '#/features/verification/code.ts';
import { confirmPledgeHold, findPledgeHold, findPledgeIdByReference } from '#/features/campaign/pledge-holds.ts';
import { CAMPAIGN_SLUG } from '#/features/campaign/pledge-form.ts';

/**
 * POST /api/v1/pledges/{reference}/confirm with {"code": "123456"}: the code sent to the contact
 * confirms the pending pledge. Documented in docs/api.md.
 */
export const POST: APIRoute = async (context) => {
  const read = await readJsonObject(context.request);
  if (!read.ok) return read.response;
  const reference = parseReference(context.params.reference ?? '', 'ZS');
  const code = parseCodeInput(read.body.code);
  if (!code) return apiError(422, 'invalid', { fields: { code: 'six digits' } });

  const db = await getDb();
  // Every try counts per client address too, on top of the hold's own 5 tries.
  const limit = await guardLookup(db, 'pledge-confirm', clientIp(context));
  if (!limit.allowed) return rateLimited(limit.retryAfterSeconds);
  const id = reference ? await findPledgeIdByReference(db, reference) : undefined;
  if (id === undefined) return apiError(404, 'not_found');

  const outcome = await confirmPledgeHold(db, id, code);
  if (!outcome.ok) {
    if (outcome.reason === 'wrong') return apiError(422, 'wrong_code', { triesLeft: outcome.triesLeft });
    if (outcome.reason === 'locked') return apiError(429, 'too_many_tries');
    // Lapsed: its quantities are needed again.
    await invalidateLiveData(context, [CACHE_TAGS.campaign(CAMPAIGN_SLUG)]);
    return apiError(410, 'expired');
  }
  await invalidateLiveData(context, [CACHE_TAGS.campaign(CAMPAIGN_SLUG)]);
  const pledge = (await findPledgeHold(db, id))!;
  return json({
    reference: pledge.reference,
    status: pledge.status,
    manageUrl: outcome.manageToken ? publicOrigin() + pledgeManagePath(pledge.locale, outcome.manageToken) : null,
  });
};
