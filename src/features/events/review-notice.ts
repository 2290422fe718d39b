// The coordinators' notice that an event waits for their review (issue #15): a new event submitted,
// or a change to a published one. Queued in the outbox inside the writing transaction, one email per
// active coordinator of the municipio; rendered at send time in Italian (staff users have no language
// of their own yet), naming only the event's title and linking to its staff page.
import type { Db } from '#/server/db/database.ts';
import { enqueueMessage } from '#/server/mail/outbox.ts';
import type { MessageRenderers, RenderRequest } from '#/server/mail/renderers.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { staffPath } from '#/lib/paths.ts';
import { siteUrl, type RenderedEmail } from '#/server/mail/email-layout.ts';
import { renderEmail } from '#/server/mail/render-email.ts';

export const REVIEW_NOTICE_KIND = 'event_review_notice';

export interface ReviewNotice {
  eventId: number;
  title: string;
  /** A change to a published event (true) or a new event (false). */
  change: boolean;
}

/** Queues the notice to every active coordinator of the municipio (none when it has none). */
export async function notifyReviewers(trx: Db, municipioId: number | null, notice: ReviewNotice): Promise<number> {
  if (municipioId === null) return 0;
  const coordinators = await trx
    .selectFrom('app_user')
    .innerJoin('user_municipio', 'user_municipio.user_id', 'app_user.id')
    .select('app_user.email')
    .where('app_user.role', '=', 'coordinator')
    .where('app_user.disabled_at', 'is', null)
    .where('user_municipio.municipio_id', '=', municipioId)
    .orderBy('app_user.id')
    .execute();
  for (const c of coordinators)
    await enqueueMessage(trx, { kind: REVIEW_NOTICE_KIND, recipient: c.email, locale: 'it', payload: { ...notice } });
  return coordinators.length;
}

export function parseReviewNotice(value: unknown): ReviewNotice {
  const p = (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown> | null;
  if (typeof p?.eventId === 'number' && typeof p.title === 'string' && typeof p.change === 'boolean')
    return { eventId: p.eventId, title: p.title, change: p.change };
  throw new Error('review notice payload is malformed');
}

export function renderReviewNotice(notice: ReviewNotice, origin: string): RenderedEmail {
  const locale = 'it';
  const t = getTranslator(locale);
  const url = siteUrl(origin, staffPath(locale, 'eventi', String(notice.eventId)));
  return renderEmail(locale, {
    subject: notice.change
      ? t('partners.review.email.subjectChange', { title: notice.title })
      : t('partners.review.email.subjectNew', { title: notice.title }),
    intro: notice.change
      ? t('partners.review.email.introChange', { title: notice.title })
      : t('partners.review.email.introNew', { title: notice.title }),
    links: [{ text: t('partners.review.email.link'), url }],
    closing: t('auth.email.closing'),
    footer: t('auth.email.footer'),
  });
}

export const reviewNoticeRenderers: MessageRenderers = {
  email: {
    [REVIEW_NOTICE_KIND]: ({ message, origin }: RenderRequest) =>
      renderReviewNotice(parseReviewNotice(message.payload), origin),
  },
  sms: {},
};
