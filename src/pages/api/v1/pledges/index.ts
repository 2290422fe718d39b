import type { APIRoute } from 'astro';
import { pledgeManagePath } from '#/lib/paths.ts';
import { publicOrigin } from '#/server/config.ts';
import { getDb } from '#/server/db/index.ts';
import { getPledgeSetup, type PledgeSetup } from '#/features/campaign/pledge-setup-cache.ts';
import { createPledge } from '#/features/campaign/create-pledge.ts';
import { findPledgeHold } from '#/features/campaign/pledge-holds.ts';
import { pledgeHoldJson } from '#/features/campaign/pledge-code-view.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { limitKey } from '#/server/security/rate-limit.ts';
import { clientIp, guardPublicWrite } from '#/server/http/request-guard.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { toRomeIso } from '#/lib/time.ts';
import { apiError, json, rateLimited, readJsonObject } from '#/server/http/api-respond.ts';
import { responseLocale, translateFields } from '#/features/booking/booking-request.ts';
import { parsePledgeRequest } from '#/features/campaign/pledge-form.ts';

/**
 * POST /api/v1/pledges: holds items of a campaign until the code sent to the contact confirms the
 * pledge (…/confirm). Documented in docs/api.md.
 */
export const POST: APIRoute = async (context) => {
  const read = await readJsonObject(context.request);
  if (!read.ok) return read.response;
  const invalid = (fields: Record<string, string>) =>
    apiError(422, 'invalid', { fields: translateFields(fields, getTranslator(responseLocale(read.body))) });

  const parsed = parsePledgeRequest(read.body);
  if (!parsed.ok) return invalid(parsed.fields);
  const request = parsed.value;

  const db = await getDb();
  const now = new Date();
  // The campaign from this process's copy (ids and windows, no quantities); a name it does not know
  // reloads it once, so an item staff just added is accepted at once.
  const check = (c: PledgeSetup) => {
    const fields: Record<string, string> = {};
    if (request.lines.some((l) => !c.items.some((i) => i.slug === l.item))) fields.items = 'pledge.error.itemsInvalid';
    const point = c.dropOffPoints.find((p) => p.slug === request.dropOffPoint);
    const window = point?.windows.find((w) => w.id === request.collectionWindow && w.endsAt.getTime() > now.getTime());
    if (!point) fields.dropOffPoint = 'pledge.error.pointInvalid';
    else if (!window) fields.collectionWindow = 'pledge.error.windowInvalid';
    return { fields, point, window };
  };
  let campaign = await getPledgeSetup(db, request.campaign);
  let checked = campaign && check(campaign);
  if (!campaign || Object.keys(checked!.fields).length > 0) {
    campaign = await getPledgeSetup(db, request.campaign, { fresh: true });
    checked = campaign && check(campaign);
  }
  if (!campaign || !checked) return invalid({ campaign: 'pledge.error.campaignInvalid' });
  const { fields, point, window } = checked;
  if (Object.keys(fields).length > 0) return invalid(fields);

  // Counted only once the request is well formed: malformed ones cost no write.
  const { contact } = request;
  const limit = await guardPublicWrite(db, 'pledge', clientIp(context), [contact.phone, contact.email]);
  if (!limit.allowed) return rateLimited(limit.retryAfterSeconds);

  const secret = await getServerSecret(db);
  const outcome = await createPledge(
    db,
    {
      campaignSlug: campaign.slug,
      lines: request.lines,
      collectionWindowId: request.collectionWindow,
      firstName: contact.name,
      email: contact.email,
      phone: contact.phone,
      locale: contact.locale,
      submissionKey: request.submissionKey,
    },
    now,
    { campaign, hold: { client: limitKey('hold', clientIp(context), secret) } },
  );
  if (!outcome.ok) {
    if (outcome.reason === 'too_many_holds') return apiError(429, outcome.reason);
    // This client's unconfirmed pledges hold one pledge's share of these items already: once they
    // are confirmed or lapse, it may ask again (429), the share by item in `maxPerClient`.
    if (outcome.reason === 'client_share') return apiError(429, 'client_share', { maxPerClient: outcome.maxPerClient });
    if (outcome.reason === 'exceeds_remaining')
      return apiError(409, 'exceeds_remaining', { remaining: outcome.remaining });
    // More than one pledge may take of an item: asking again cannot help, so 422 with the limits.
    if (outcome.reason === 'exceeds_share')
      return apiError(422, 'exceeds_share', { maxPerPledge: outcome.maxPerPledge });
    if (outcome.reason === 'open_pledge')
      return apiError(409, 'open_pledge', {
        field: outcome.contact,
        message: getTranslator(contact.locale)('pledge.error.openPledge'),
      });
    // The window ended or the campaign changed between the checks above and the pledge.
    if (outcome.reason === 'invalid_window') return invalid({ collectionWindow: 'pledge.error.windowInvalid' });
    if (outcome.reason === 'invalid_items') return invalid({ items: 'pledge.error.itemsInvalid' });
    return invalid({ campaign: 'pledge.error.campaignInvalid' });
  }
  await invalidateLiveData(context, [CACHE_TAGS.campaign(campaign.slug)]);
  // A repeated submissionKey answers with the pledge it made first, which may name another window.
  const made = campaign.dropOffPoints
    .flatMap((p) => p.windows.map((w) => ({ p, w })))
    .find((x) => x.w.id === outcome.pledge.collectionWindowId) ?? { p: point!, w: window! };
  // A repeated submissionKey finds its pledge: pending still, or confirmed meanwhile.
  const hold = await findPledgeHold(db, outcome.pledge.id);
  return json(
    {
      reference: outcome.pledge.reference,
      campaign: campaign.slug,
      dropOffPoint: made.p.slug,
      collectionWindow: { id: made.w.id, start: toRomeIso(made.w.startsAt), end: toRomeIso(made.w.endsAt) },
      manageUrl: outcome.manageToken ? publicOrigin() + pledgeManagePath(contact.locale, outcome.manageToken) : null,
      ...pledgeHoldJson(hold),
    },
    { status: 201 },
  );
};
