// The emails about a pledge to the "zaino sospeso" campaign, rendered at send time from the outbox
// payload: what the donor promised, where and when to bring it, an iCalendar file for the collection
// window, and the link to change or cancel the pledge. Pure: the worker loads the campaign (item names
// in the reader's language, the drop-off point) and passes it in.
//
// Privacy: subjects and .ics files carry nothing about the person (no name, no items, no link); the
// manage link is a key to the pledge, so it appears in the body only.
import { getTranslator, type Translate } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import { formatLongDate, formatTimeRange } from '#/lib/format.ts';
import { buildCalendar } from '#/lib/ics.ts';
import { pagePath, pledgeManagePath } from '#/lib/paths.ts';
import { siteUrl, trimOrigin, type Link, type RenderedEmail } from '#/server/mail/email-layout.ts';
import { renderEmail, type EmailBody } from '#/server/mail/render-email.ts';

export const PLEDGE_MESSAGE_KINDS = ['pledge_confirmation', 'pledge_reminder', 'pledge_cancelled'] as const;
export type PledgeMessageKind = (typeof PLEDGE_MESSAGE_KINDS)[number];

export function isPledgeMessageKind(value: unknown): value is PledgeMessageKind {
  return typeof value === 'string' && (PLEDGE_MESSAGE_KINDS as readonly string[]).includes(value);
}

/** What create-pledge.ts stores in the outbox row (dates as ISO strings). */
export interface PledgePayload {
  reference: string;
  campaignSlug: string;
  windowId: number;
  pointSlug: string;
  start: Date;
  end: Date;
  lines: { item: string; quantity: number }[];
  manageToken: string | null;
}

export interface EmailDropOffPoint {
  name: string;
  address: string;
}

export interface PledgeEmailInput {
  kind: PledgeMessageKind;
  payload: PledgePayload;
  point: EmailDropOffPoint;
  /** Item names in the reader's language, by item slug; a missing one shows its slug. */
  itemNames: Record<string, string>;
  locale: Locale;
  /** Public origin of the site, e.g. https://qubi.example.org */
  origin: string;
  /** Used in the greeting only, never in the subject or the calendar file. */
  firstName?: string | null;
  /** iCalendar SEQUENCE: must grow with each change of the same pledge (the worker uses the outbox id). */
  sequence?: number;
  /** DTSTAMP of the calendar file; the message's creation time keeps retries identical. */
  stamp?: Date;
}

/** Reads a stored payload; throws on a malformed one (a bug, not a transient failure). */
export function parsePledgePayload(value: unknown): PledgePayload {
  const p = (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown> | null;
  const start = new Date(String(p?.start));
  const end = new Date(String(p?.end));
  const lines = Array.isArray(p?.lines) ? (p.lines as unknown[]) : undefined;
  const validLine = (l: unknown): l is { item: string; quantity: number } => {
    const line = l as Record<string, unknown> | null;
    return typeof line?.item === 'string' && Number.isInteger(line.quantity) && (line.quantity as number) > 0;
  };
  if (
    !p ||
    typeof p.reference !== 'string' ||
    typeof p.campaignSlug !== 'string' ||
    typeof p.pointSlug !== 'string' ||
    !Number.isInteger(p.windowId) ||
    Number.isNaN(start.getTime()) ||
    Number.isNaN(end.getTime()) ||
    !lines ||
    lines.length === 0 ||
    !lines.every(validLine)
  ) {
    throw new Error('pledge message payload is malformed');
  }
  const manageToken = typeof p.manageToken === 'string' && p.manageToken ? p.manageToken : null;
  return {
    reference: p.reference,
    campaignSlug: p.campaignSlug,
    windowId: p.windowId as number,
    pointSlug: p.pointSlug,
    start,
    end,
    lines: lines.map((l) => ({ item: l.item, quantity: l.quantity })),
    manageToken,
  };
}

/** The page where the donor changes or cancels the pledge (built by the campaign pages). */
export function managePledgeUrl(origin: string, locale: Locale, token: string): string {
  return siteUrl(origin, pledgeManagePath(locale, token));
}

/** Same UID for every message about a pledge, so calendars update one entry instead of adding another. */
export function pledgeEventUid(reference: string, origin: string): string {
  return `pledge-${reference}@${new URL(origin).hostname}`;
}

/** The calendar entry's title: the campaign and the place, nothing about the donor. */
export function pledgeEventSummary(pointName: string): string {
  return `Zaino sospeso – ${pointName}`;
}

export function renderPledgeEmail(input: PledgeEmailInput): RenderedEmail {
  const t = getTranslator(input.locale);
  const { payload, locale, kind } = input;
  const manageUrl =
    payload.manageToken && kind !== 'pledge_cancelled'
      ? managePledgeUrl(input.origin, locale, payload.manageToken)
      : undefined;
  const campaignUrl = `${trimOrigin(input.origin)}${pagePath(locale, 'campaign')}`;
  const notes: string[] = [];
  if (kind !== 'pledge_cancelled') notes.push(t('email.pledge.bring'));
  if (!manageUrl && kind !== 'pledge_cancelled') notes.push(t('email.pledge.manageAtPoint'));
  if (kind === 'pledge_confirmation') notes.push(t('email.pledge.calendar'));
  if (kind === 'pledge_cancelled') notes.push(t('email.pledge.calendarCancelled'));
  const link: Link =
    kind === 'pledge_cancelled'
      ? { text: t('email.pledge.pledgeAgain'), url: campaignUrl }
      : manageUrl
        ? { text: t('email.pledge.manage'), url: manageUrl }
        : { text: t('email.pledge.campaignPage'), url: campaignUrl };
  const body: EmailBody = {
    subject: subjectFor(kind, t),
    name: input.firstName,
    intro: introFor(kind, t),
    list: {
      label: kind === 'pledge_cancelled' ? t('email.pledge.label.itemsCancelled') : t('email.pledge.label.items'),
      items: payload.lines.map((l) =>
        t('email.pledge.line', { quantity: String(l.quantity), item: input.itemNames[l.item] ?? l.item }),
      ),
    },
    details: [
      {
        label: t('email.label.when'),
        value: t('email.when', {
          date: formatLongDate(payload.start, locale),
          time: formatTimeRange(payload.start, payload.end, locale),
        }),
      },
      { label: t('email.pledge.label.point'), value: input.point.name },
      { label: t('email.label.address'), value: input.point.address },
      { label: t('email.pledge.label.reference'), value: payload.reference, ltr: true },
    ],
    links: [link],
    notes,
    closing: kind === 'pledge_cancelled' ? t('email.pledge.closingCancelled') : t('email.pledge.closing'),
    footer: t('email.pledge.footer'),
  };
  return renderEmail(locale, body, {
    ics: kind !== 'pledge_reminder' ? renderCalendarFile(input, t) : undefined,
    manageUrl,
  });
}

// One literal t('…') per key, so the locale test sees every key this module uses.
function subjectFor(kind: PledgeMessageKind, t: Translate): string {
  switch (kind) {
    case 'pledge_confirmation':
      return t('email.pledge.subject.confirmation');
    case 'pledge_reminder':
      return t('email.pledge.subject.reminder');
    case 'pledge_cancelled':
      return t('email.pledge.subject.cancelled');
  }
}

function introFor(kind: PledgeMessageKind, t: Translate): string {
  switch (kind) {
    case 'pledge_confirmation':
      return t('email.pledge.intro.confirmation');
    case 'pledge_reminder':
      return t('email.pledge.intro.reminder');
    case 'pledge_cancelled':
      return t('email.pledge.intro.cancelled');
  }
}

/** The collection window as a calendar entry; the cancellation removes it (same UID, higher SEQUENCE). */
function renderCalendarFile(input: PledgeEmailInput, t: Translate): string {
  const stamp = input.stamp ?? new Date();
  return buildCalendar(
    [
      {
        uid: pledgeEventUid(input.payload.reference, input.origin),
        start: input.payload.start,
        end: input.payload.end,
        summary: pledgeEventSummary(input.point.name),
        location: `${input.point.name}, ${input.point.address}`,
        description: t('email.pledge.icsDescription'),
        url: `${trimOrigin(input.origin)}${pagePath(input.locale, 'campaign')}`,
        cancelled: input.kind === 'pledge_cancelled',
        sequence: input.sequence ?? 0,
        updated: stamp,
      },
    ],
    { now: stamp },
  );
}
