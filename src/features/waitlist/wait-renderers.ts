// The waiting list's messages as the outbox worker asks for them (issue #13): rendered at send time
// with the status link derived again (wait-token.ts), or withdrawn when the entry has moved on
// (an offer already answered or lapsed, a family that left). SMS: no name, the short /g/ link.
// An offer's deadline is the entry's as it is then: a date moved nearer may have brought it forward
// (events/date-notices.ts), and the message must not promise the seats longer than they are held.
import type { Db } from '#/server/db/database.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { localize, type Locale } from '#/lib/locales.ts';
import { formatLongDate, formatTime } from '#/lib/format.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { WITHDRAWN, type MessageRenderers, type RenderRequest } from '#/server/mail/renderers.ts';
import { siteUrl } from '#/server/mail/email-layout.ts';
import { renderEmail, type EmailBody } from '#/server/mail/render-email.ts';
import { getPublicEventBySlug } from '#/features/events/events.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import { WAIT_MESSAGE_KINDS, parseWaitPayload, type WaitMessageKind } from './wait-messages.ts';
import { waitToken } from './wait-token.ts';
import { waitStatusPath } from './wait-paths.ts';
import { renderWaitSms, type WaitSmsKey } from './wait-sms.ts';

/** The statuses in which each message is still wanted. */
const WANTED: Record<WaitMessageKind, readonly string[]> = {
  waitlist_joined: ['waiting', 'offered'],
  waitlist_offer: ['offered'],
};

async function prepare(db: Db, kind: WaitMessageKind, raw: unknown) {
  const payload = parseWaitPayload(raw);
  const entry = await db
    .selectFrom('wait_entry')
    .select(['id', 'reference', 'status', 'offer_expires_at'])
    .where('reference', '=', payload.reference)
    .executeTakeFirst();
  if (!entry || !WANTED[kind].includes(entry.status)) return undefined;
  const until = kind === 'waitlist_offer' ? (entry.offer_expires_at ?? undefined) : undefined;
  const token = waitToken(await getServerSecret(db), entry);
  if (payload.deskSlug) {
    const desk = await getDeskBySlug(db, payload.deskSlug);
    const place = desk && { name: desk.name, short: desk.area, address: desk.address };
    return place && { payload, token, until, place, desk: true };
  }
  const event = payload.eventSlug ? await getPublicEventBySlug(db, payload.eventSlug) : undefined;
  if (!event || event.status !== 'published') return undefined;
  return { payload, token, until, event, desk: false };
}

/** The locale key's middle: an event's "joined"/"offer", or a desk's "deskJoined"/"deskOffer". */
const keyOf = (kind: WaitMessageKind, desk: boolean) => {
  const short = kind.replace('waitlist_', '');
  return desk ? `desk${short[0]!.toUpperCase()}${short.slice(1)}` : short;
};

const sms = (kind: WaitMessageKind) => async (request: RenderRequest) => {
  const p = await prepare(request.db, kind, request.message.payload);
  if (!p) return WITHDRAWN;
  const date = (iso?: string) => (iso ? new Date(iso) : undefined);
  return renderWaitSms({
    key: keyOf(kind, p.desk) as WaitSmsKey,
    locale: request.locale,
    origin: request.origin,
    token: p.token,
    seats: p.payload.seats,
    start: p.event?.startsAt ?? date(p.payload.startsAt),
    until: p.until,
    ...(p.place ? { desk: p.place.short } : {}),
  });
};

const email = (kind: WaitMessageKind) => async (request: RenderRequest) => {
  const p = await prepare(request.db, kind, request.message.payload);
  if (!p) return WITHDRAWN;
  const locale: Locale = request.locale;
  const t = getTranslator(locale);
  const when = (d: Date) => `${formatLongDate(d, locale)}, ${formatTime(d, locale)}`;
  const title = p.event ? localize(p.event.title, locale) : (p.place?.name ?? '');
  const url = siteUrl(request.origin, waitStatusPath(locale, { token: p.token }));
  const key = keyOf(kind, p.desk);
  const starts = p.event?.startsAt ?? (p.payload.startsAt ? new Date(p.payload.startsAt) : undefined);
  const body: EmailBody = {
    subject: t(`waitlist.email.${key}.subject`, { event: title, desk: title }),
    intro: t(`waitlist.email.${key}.intro`, {
      seats: p.payload.seats,
      event: title,
      desk: title,
      until: p.until ? when(p.until) : '',
    }),
    details: [
      { label: t('waitlist.reference'), value: p.payload.reference, ltr: true },
      ...(starts ? [{ label: t('event.when'), value: when(starts) }] : []),
      {
        label: t('event.where'),
        value: p.event ? `${p.event.venue}, ${p.event.address}` : `${p.place?.name}, ${p.place?.address}`,
      },
    ],
    links: [{ text: t(`waitlist.email.${key}.link`), url }],
  };
  return renderEmail(locale, body, { manageUrl: url });
};

export const waitlistRenderers: MessageRenderers = {
  email: Object.fromEntries(WAIT_MESSAGE_KINDS.map((kind) => [kind, email(kind)])),
  sms: Object.fromEntries(WAIT_MESSAGE_KINDS.map((kind) => [kind, sms(kind)])),
};
