// The waiting list's messages as the outbox worker asks for them (issue #13): rendered at send time
// with the status link derived again (wait-token.ts), or withdrawn when the entry has moved on
// (an offer already answered or lapsed, a family that left). SMS: no name, the short /g/ link.
import type { Db } from '#/server/db/database.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { localize, type Locale } from '#/lib/locales.ts';
import { formatLongDate, formatTime } from '#/lib/format.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { WITHDRAWN, type MessageRenderers, type RenderRequest } from '#/server/mail/renderers.ts';
import { renderHtml, renderText, siteUrl, type EmailContent } from '#/server/mail/email-layout.ts';
import { shortManageUrl, smsText, smsWhen } from '#/features/booking/sms.ts';
import { getPublicEventBySlug } from '#/features/events/events.ts';
import { WAIT_MESSAGE_KINDS, parseWaitPayload, type WaitMessageKind } from './wait-messages.ts';
import { waitToken } from './wait-token.ts';
import { waitStatusPath } from './wait-paths.ts';

/** The statuses in which each message is still wanted. */
const WANTED: Record<WaitMessageKind, readonly string[]> = {
  waitlist_joined: ['waiting', 'offered'],
  waitlist_offer: ['offered'],
};

async function prepare(db: Db, kind: WaitMessageKind, raw: unknown) {
  const payload = parseWaitPayload(raw);
  const entry = await db
    .selectFrom('wait_entry')
    .select(['id', 'reference', 'status'])
    .where('reference', '=', payload.reference)
    .executeTakeFirst();
  if (!entry || !WANTED[kind].includes(entry.status)) return undefined;
  const event = payload.eventSlug ? await getPublicEventBySlug(db, payload.eventSlug) : undefined;
  if (!event || event.status !== 'published') return undefined;
  return { payload, event, token: waitToken(await getServerSecret(db), entry) };
}

const short = (kind: WaitMessageKind) => kind.replace('waitlist_', '');

const sms = (kind: WaitMessageKind) => async (request: RenderRequest) => {
  const p = await prepare(request.db, kind, request.message.payload);
  if (!p) return WITHDRAWN;
  const t = getTranslator(request.locale);
  const until = p.payload.expiresAt ? smsWhen(new Date(p.payload.expiresAt), request.locale) : '';
  const text = t(`waitlist.sms.${short(kind)}`, {
    seats: p.payload.seats,
    when: smsWhen(p.event.startsAt, request.locale),
    until,
    link: shortManageUrl(request.origin, p.token),
  });
  return smsText(text, request.locale);
};

const email = (kind: WaitMessageKind) => async (request: RenderRequest) => {
  const p = await prepare(request.db, kind, request.message.payload);
  if (!p) return WITHDRAWN;
  const locale: Locale = request.locale;
  const t = getTranslator(locale);
  const title = localize(p.event.title, locale);
  const url = siteUrl(request.origin, waitStatusPath(locale, { token: p.token }));
  const until = p.payload.expiresAt ? new Date(p.payload.expiresAt) : undefined;
  const content: EmailContent = {
    subject: t(`waitlist.email.${short(kind)}.subject`, { event: title }),
    greeting: t('email.greetingAnonymous'),
    intro: t(`waitlist.email.${short(kind)}.intro`, {
      seats: p.payload.seats,
      event: title,
      until: until ? `${formatLongDate(until, locale)}, ${formatTime(until, locale)}` : '',
    }),
    details: [
      { label: t('waitlist.reference'), value: p.payload.reference, ltr: true },
      { label: t('event.when'), value: `${formatLongDate(p.event.startsAt, locale)}, ${formatTime(p.event.startsAt, locale)}` },
      { label: t('event.where'), value: `${p.event.venue}, ${p.event.address}` },
    ],
    links: [{ text: t(`waitlist.email.${short(kind)}.link`), url }],
    notes: [],
    closing: t('email.closing'),
    signature: t('email.signature'),
    footer: t('email.footer'),
  };
  return { subject: content.subject, text: renderText(content), html: renderHtml(content, locale), manageUrl: url };
};

export const waitlistRenderers: MessageRenderers = {
  email: Object.fromEntries(WAIT_MESSAGE_KINDS.map((kind) => [kind, email(kind)])),
  sms: Object.fromEntries(WAIT_MESSAGE_KINDS.map((kind) => [kind, sms(kind)])),
};
