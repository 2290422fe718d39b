// The pledge's messages as the outbox worker asks for them: the email of each kind, and the SMS of
// the confirmation and the reminder, rendered with the campaign read at send time; withdrawn when
// the donor's data is gone or the pledge was closed before its reminder.
import { localize } from '#/lib/locales.ts';
import { WITHDRAWN, type MessageRenderers, type RenderRequest } from '#/server/mail/renderers.ts';
import { getCampaign } from './campaigns.ts';
import { PLEDGE_MESSAGE_KINDS, parsePledgePayload, renderPledgeEmail, type PledgeMessageKind } from './emails.ts';
import { renderPledgeSms, type PledgeSmsKind } from './sms.ts';

async function prepare(request: RenderRequest, kind: PledgeMessageKind) {
  const { db, message } = request;
  const pledge =
    message.pledgeId === null
      ? undefined
      : await db
          .selectFrom('pledge')
          .select(['status', 'first_name', 'erased_at'])
          .where('id', '=', message.pledgeId)
          .executeTakeFirst();
  // The donor's data is gone, or the pledge was closed before its reminder (received, cancelled, expired).
  if (pledge?.erased_at || (kind === 'pledge_reminder' && pledge !== undefined && pledge.status !== 'pledged'))
    return undefined;
  const payload = parsePledgePayload(message.payload);
  const campaign = await getCampaign(db, payload.campaignSlug, message.createdAt);
  if (!campaign) throw new Error(`campaign "${payload.campaignSlug}" not found`);
  const point = campaign.dropOffPoints.find((p) => p.slug === payload.pointSlug);
  if (!point) throw new Error(`drop-off point "${payload.pointSlug}" not found`);
  return { pledge, payload, campaign, point };
}

function emailRenderer(kind: PledgeMessageKind) {
  return async (request: RenderRequest) => {
    const prepared = await prepare(request, kind);
    if (!prepared) return WITHDRAWN;
    const { locale } = request;
    return renderPledgeEmail({
      kind,
      payload: prepared.payload,
      point: prepared.point,
      itemNames: Object.fromEntries(prepared.campaign.items.map((i) => [i.slug, localize(i.name, locale)])),
      locale,
      origin: request.origin,
      firstName: prepared.pledge?.first_name ?? null,
      // Outbox ids grow, so the cancellation always carries a higher SEQUENCE than the confirmation.
      sequence: kind === 'pledge_confirmation' ? 0 : request.message.id,
      stamp: request.message.createdAt,
    });
  };
}

function smsRenderer(kind: PledgeSmsKind) {
  return async (request: RenderRequest) => {
    const prepared = await prepare(request, kind);
    if (!prepared) return WITHDRAWN;
    return renderPledgeSms({
      kind,
      payload: prepared.payload,
      point: prepared.point,
      locale: request.locale,
      origin: request.origin,
    });
  };
}

export const pledgeRenderers: MessageRenderers = {
  email: Object.fromEntries(PLEDGE_MESSAGE_KINDS.map((kind) => [kind, emailRenderer(kind)])),
  sms: { pledge_confirmation: smsRenderer('pledge_confirmation'), pledge_reminder: smsRenderer('pledge_reminder') },
};
