import type { APIRoute } from 'astro';
import { getDb } from '#/server/db/index.ts';
import { getCampaign } from '#/features/campaign/campaigns.ts';
import { CACHE_TAGS, cacheLiveData } from '#/server/cache/live-page.ts';
import { campaignToJson } from '#/features/open-data/api-shapes.ts';
import { apiError, requestedLocale } from '#/server/http/api-respond.ts';
import { conditionalJson } from '#/server/http/conditional-get.ts';

/** GET /api/v1/campaigns/{slug}[?locale=]: items with aggregate progress, drop-off points, windows. */
export const GET: APIRoute = async (context) => {
  const campaign = await getCampaign(await getDb(), context.params.slug ?? '');
  if (!campaign) return apiError(404, 'not_found');
  cacheLiveData(context, [CACHE_TAGS.campaign(campaign.slug)]);
  return conditionalJson(context.request, campaignToJson(campaign, requestedLocale(context.url)));
};
