// The emails about a booking, rendered at send time from the outbox payload: a subject, a plain
// text and an HTML body built from the same content, and an iCalendar file when the calendar entry
// changes. Pure: the worker loads the desk and passes it in.
//
// Privacy: subjects and .ics files carry nothing about the person (no name, topic or note), because
// they travel further than the body (notification previews, shared calendars). The manage link is a
// key to the booking, so it appears in the body only.
import { getTranslator, type Translate } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import { formatLongDate, formatTimeRange, telHref } from '#/lib/format.ts';
import { buildCalendar } from '#/lib/ics.ts';
import { deskPath, managePath } from '#/lib/paths.ts';
import type { DeskFacts } from '#/features/desks/desks.ts';
import { beforeYouComeSection } from '#/features/desks/before-you-come.ts';
import { siteUrl, trimOrigin, type Link, type RenderedEmail } from '#/server/mail/email-layout.ts';
import { renderEmail, type EmailBody } from '#/server/mail/render-email.ts';

export { type RenderedEmail } from '#/server/mail/email-layout.ts';
export { escapeHtml } from '#/lib/text.ts';

export const BOOKING_MESSAGE_KINDS = [
  'booking_confirmation',
  'booking_reminder',
  'booking_moved',
  'booking_cancelled',
] as const;
export type BookingMessageKind = (typeof BOOKING_MESSAGE_KINDS)[number];

export function isBookingMessageKind(value: unknown): value is BookingMessageKind {
  return typeof value === 'string' && (BOOKING_MESSAGE_KINDS as readonly string[]).includes(value);
}

/** What bookings.ts stores in the outbox row (dates as ISO strings). */
export interface BookingPayload {
  reference: string;
  deskSlug: string;
  start: Date;
  end: Date;
  manageToken: string | null;
  /**
   * A cancellation because the desk closed that day (issue #15): the message apologises and its
   * link (manageToken, issued for it) offers another time or the desk's waiting list.
   */
  dayClosed?: boolean;
}

export interface EmailDesk {
  name: string;
  address: string;
  phone: string;
  /** What to know before coming (issue #14): the block "Before you come" of every message but a cancellation. */
  facts?: DeskFacts;
}

export interface BookingEmailInput {
  kind: BookingMessageKind;
  payload: BookingPayload;
  desk: EmailDesk;
  locale: Locale;
  /** Public origin of the site, e.g. https://qubi.example.org */
  origin: string;
  /** Used in the greeting only, never in the subject or the calendar file. */
  firstName?: string | null;
  /** iCalendar SEQUENCE: must grow with each change of the same booking (the worker uses the outbox id). */
  sequence?: number;
  /** DTSTAMP of the calendar file; the message's creation time keeps retries identical. */
  stamp?: Date;
}

/** Reads a stored payload; throws on a malformed one (a bug, not a transient failure). */
export function parseBookingPayload(value: unknown): BookingPayload {
  const p = (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown> | null;
  const start = new Date(String(p?.start));
  const end = new Date(String(p?.end));
  if (
    !p ||
    typeof p.reference !== 'string' ||
    typeof p.deskSlug !== 'string' ||
    Number.isNaN(start.getTime()) ||
    Number.isNaN(end.getTime())
  ) {
    throw new Error('booking message payload is malformed');
  }
  const manageToken = typeof p.manageToken === 'string' && p.manageToken ? p.manageToken : null;
  return { reference: p.reference, deskSlug: p.deskSlug, start, end, manageToken, dayClosed: p.dayClosed === true };
}

/** The page where the person changes or cancels the booking (built by the booking pages). */
export function manageBookingUrl(origin: string, locale: Locale, token: string): string {
  return siteUrl(origin, managePath(locale, token));
}

/** Same UID for every message about a booking, so calendars update one entry instead of adding another. */
export function bookingEventUid(reference: string, origin: string): string {
  return `booking-${reference}@${new URL(origin).hostname}`;
}

export function renderBookingEmail(input: BookingEmailInput): RenderedEmail {
  const { manageUrl, ...body } = composeContent(input);
  return renderEmail(input.locale, body, {
    ics: hasCalendarFile(input.kind) ? renderCalendarFile(input) : undefined,
    manageUrl,
  });
}

/** The booking's content, plus the manage link the worker hands to the mailer. */
type BookingContent = EmailBody & { manageUrl?: string };

function composeContent(input: BookingEmailInput): BookingContent {
  const t = getTranslator(input.locale);
  const { payload, desk, locale } = input;
  if (displacedBy(input)) return closedDayContent(input, t);
  const manageUrl =
    payload.manageToken && input.kind !== 'booking_cancelled'
      ? manageBookingUrl(input.origin, locale, payload.manageToken)
      : undefined;
  const notes: string[] = [];
  if (!manageUrl && input.kind !== 'booking_cancelled') notes.push(t('email.manageByPhone'));
  if (input.kind === 'booking_confirmation' || input.kind === 'booking_moved') notes.push(t('email.calendar'));
  if (input.kind === 'booking_cancelled') notes.push(t('email.calendarCancelled'));
  const link: Link | undefined =
    input.kind === 'booking_cancelled'
      ? { text: t('email.bookAgain'), url: `${trimOrigin(input.origin)}${deskPath(locale, payload.deskSlug)}` }
      : manageUrl
        ? { text: t('email.manage'), url: manageUrl }
        : undefined;
  return {
    subject: subjectFor(input.kind, t),
    name: input.firstName,
    intro: introFor(input.kind, t),
    details: [
      {
        label: t('email.label.when'),
        value: t('email.when', {
          date: formatLongDate(payload.start, locale),
          time: formatTimeRange(payload.start, payload.end, locale),
        }),
      },
      { label: t('email.label.desk'), value: desk.name },
      { label: t('email.label.address'), value: desk.address },
      { label: t('email.label.phone'), value: desk.phone, href: telHref(desk.phone), ltr: true },
      { label: t('email.label.reference'), value: payload.reference, ltr: true },
    ],
    links: link ? [link] : [],
    sections: beforeYouCome(input, t),
    notes,
    ...(manageUrl ? { manageUrl } : {}),
  };
}

/**
 * The desk's facts in the confirmation, the reminder and the move: what a family reads before
 * setting out. A cancellation has no visit to prepare. A closure of the appointment's day cancels the
 * booking with its own message (issue #15), so the day these messages name is open.
 */
function beforeYouCome(input: BookingEmailInput, t: Translate) {
  if (input.kind === 'booking_cancelled' || !input.desk.facts) return [];
  const section = beforeYouComeSection(input.desk.facts, input.desk.name, input.locale, t);
  return section ? [section] : [];
}

/** A cancellation by the desk's closure that carries its link to choose again. */
const displacedBy = (input: BookingEmailInput) =>
  input.kind === 'booking_cancelled' && input.payload.dayClosed === true && input.payload.manageToken !== null;

/**
 * The desk closed on the appointment's day: the same facts as a cancellation, an apology, and the
 * link to the page where the family picks another time or joins the desk's waiting list.
 */
function closedDayContent(input: BookingEmailInput, t: Translate): BookingContent {
  const { payload, locale } = input;
  const manageUrl = manageBookingUrl(input.origin, locale, payload.manageToken!);
  const plain = composeContent({ ...input, payload: { ...payload, dayClosed: false } });
  return {
    ...plain,
    subject: t('closeDay.email.subject'),
    intro: t('closeDay.email.intro'),
    links: [{ text: t('closeDay.email.link'), url: manageUrl }],
    manageUrl,
  };
}

// One literal t('…') per key, so the locale test sees every key this module uses.
function subjectFor(kind: BookingMessageKind, t: Translate): string {
  switch (kind) {
    case 'booking_confirmation':
      return t('email.subject.confirmation');
    case 'booking_reminder':
      return t('email.subject.reminder');
    case 'booking_moved':
      return t('email.subject.moved');
    case 'booking_cancelled':
      return t('email.subject.cancelled');
  }
}

function introFor(kind: BookingMessageKind, t: Translate): string {
  switch (kind) {
    case 'booking_confirmation':
      return t('email.intro.confirmation');
    case 'booking_reminder':
      return t('email.intro.reminder');
    case 'booking_moved':
      return t('email.intro.moved');
    case 'booking_cancelled':
      return t('email.intro.cancelled');
  }
}

function hasCalendarFile(kind: BookingMessageKind): boolean {
  // The reminder repeats what the confirmation (or the latest change) already put in the calendar.
  return kind !== 'booking_reminder';
}

function renderCalendarFile(input: BookingEmailInput): string {
  const t = getTranslator(input.locale);
  const stamp = input.stamp ?? new Date();
  return buildCalendar(
    [
      {
        uid: bookingEventUid(input.payload.reference, input.origin),
        start: input.payload.start,
        end: input.payload.end,
        summary: input.desk.name,
        location: input.desk.address,
        description: t('email.icsDescription', { phone: input.desk.phone }),
        url: `${trimOrigin(input.origin)}${deskPath(input.locale, input.payload.deskSlug)}`,
        cancelled: input.kind === 'booking_cancelled',
        sequence: input.sequence ?? 0,
        updated: stamp,
      },
    ],
    { now: stamp },
  );
}
