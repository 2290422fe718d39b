// The messages of a confirmed sign-up (issue #13): the confirmation (the email with the event's
// .ics) and the day-before reminder, each with the "we can't come" link. Pure, rendered at send
// time from the outbox payload and the event as it is then. SMS: GSM-7 for it/en/es, UCS-2 for
// ar/zh, within 2 segments with the longest real values (registration-messages.test.ts); no name.
import { getTranslator } from '#/lib/i18n.ts';
import { localize, type Locale } from '#/lib/locales.ts';
import { formatDateAndTime } from '#/lib/format.ts';
import { buildCalendar } from '#/lib/ics.ts';
import { eventSignUpPath } from '#/lib/paths.ts';
import { siteUrl, type RenderedEmail } from '#/server/mail/email-layout.ts';
import { renderEmail, type EmailBody } from '#/server/mail/render-email.ts';
import { shortManageUrl, smsText, smsWhen } from '#/features/booking/sms.ts';
import { eventToIcs } from './event-formats.ts';
import type { PublicEvent } from './events.ts';

export const REGISTRATION_MESSAGE_KINDS = ['event_registration_confirmation', 'event_registration_reminder'] as const;
export type RegistrationMessageKind = (typeof REGISTRATION_MESSAGE_KINDS)[number];

export interface RegistrationPayload {
  reference: string;
  eventSlug: string;
  seats: number;
  cancelToken: string | null;
}

export function parseRegistrationPayload(raw: unknown): RegistrationPayload {
  const p = (typeof raw === 'string' ? JSON.parse(raw) : raw) as Record<string, unknown> | null;
  if (typeof p?.reference !== 'string' || typeof p.eventSlug !== 'string' || typeof p.seats !== 'number')
    throw new Error('sign-up payload is malformed');
  return {
    reference: p.reference,
    eventSlug: p.eventSlug,
    seats: p.seats,
    cancelToken: typeof p.cancelToken === 'string' ? p.cancelToken : null,
  };
}

const shortKind = (kind: RegistrationMessageKind) => kind.replace('event_registration_', '');

export function renderRegistrationSms(input: {
  kind: RegistrationMessageKind;
  payload: RegistrationPayload;
  start: Date;
  locale: Locale;
  origin: string;
}): string {
  const t = getTranslator(input.locale);
  const { payload, locale } = input;
  const values = { seats: payload.seats, reference: payload.reference, when: smsWhen(input.start, locale) };
  const main = t(`sms.event.${shortKind(input.kind)}`, values);
  const tail = payload.cancelToken
    ? ` ${t('sms.event.cancel', { link: shortManageUrl(input.origin, payload.cancelToken) })}`
    : '';
  return smsText(`${main}${tail}`, locale);
}

export function renderRegistrationEmail(input: {
  kind: RegistrationMessageKind;
  payload: RegistrationPayload;
  event: PublicEvent;
  locale: Locale;
  origin: string;
}): RenderedEmail {
  const t = getTranslator(input.locale);
  const { payload, event, locale, origin } = input;
  const title = localize(event.title, locale);
  const cancelUrl = payload.cancelToken
    ? siteUrl(origin, eventSignUpPath(locale, event.slug, 'non-veniamo', { token: payload.cancelToken }))
    : undefined;
  const body: EmailBody = {
    subject: t(`email.event.${shortKind(input.kind)}.subject`, { event: title }),
    intro: t(`email.event.${shortKind(input.kind)}.intro`, { seats: payload.seats, event: title }),
    details: [
      { label: t('events.confirmed.reference'), value: payload.reference, ltr: true },
      {
        label: t('event.when'),
        value: formatDateAndTime(event.startsAt, null, locale),
      },
      { label: t('event.where'), value: `${event.venue}, ${event.address}` },
    ],
    links: cancelUrl ? [{ text: t('email.event.cancelLink'), url: cancelUrl }] : [],
    notes: input.kind === 'event_registration_confirmation' ? [t('email.calendar')] : [],
  };
  return renderEmail(locale, body, {
    ics:
      input.kind === 'event_registration_confirmation' ? buildCalendar([eventToIcs(event, locale, origin)]) : undefined,
    manageUrl: cancelUrl,
  });
}
