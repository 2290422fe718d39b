// The donors' notice that their collection window was moved or cancelled by a coordinator (issue
// #15): one message per open pledge of the window, by email when the donor gave one, else by SMS
// to a mobile, in the donor's language. It names the reference, the old time and (moved) the new
// one, and sends them to the manage link of their confirmation to choose another time or cancel:
// only the link's hash is stored, so no new link can be written here.
import { getTranslator } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import type { Db } from '#/server/db/database.ts';
import { formatLongDate, formatTimeRange } from '#/lib/format.ts';
import { smsText, smsWhen } from '#/features/booking/sms.ts';
import { cancelPendingMessagesOf, enqueueMessage, smsRecipientOf } from '#/server/mail/outbox.ts';
import { WITHDRAWN, type MessageRenderers, type RenderRequest } from '#/server/mail/renderers.ts';
import { trimOrigin, type RenderedEmail } from '#/server/mail/email-layout.ts';
import { renderEmail } from '#/server/mail/render-email.ts';
import { pagePath } from '#/lib/paths.ts';

export const WINDOW_NOTICE_KIND = 'pledge_window_changed';

export interface WindowNotice {
  reference: string;
  pointName: string;
  change: 'moved' | 'cancelled';
  oldStart: Date;
  oldEnd: Date;
  /** The new times of a moved window. */
  start: Date | null;
  end: Date | null;
  /** A pledge still waiting for its code, released by the change (window-holds.ts): not recorded. */
  released?: boolean;
}

/**
 * Tells every donor with an open pledge on the window (inside the caller's transaction), and
 * withdraws their reminders, which name the old time. Returns how many were told.
 */
export async function tellDonors(trx: Db, windowId: number, notice: Omit<WindowNotice, 'reference'>): Promise<number> {
  const pledges = await trx
    .selectFrom('pledge')
    .select(['id', 'reference', 'email', 'phone', 'locale'])
    .where('collection_window_id', '=', windowId)
    .where('status', '=', 'pledged')
    .where('erased_at', 'is', null)
    .orderBy('id')
    .execute();
  let told = 0;
  for (const p of pledges) {
    await cancelPendingMessagesOf(trx, 'pledge_id', p.id, ['pledge_reminder']);
    if (await queueWindowNotice(trx, p, { ...notice, reference: p.reference }, p.id)) told++;
  }
  return told;
}

/**
 * One donor's notice: by email when they gave one, else by SMS to a mobile, in their language.
 * False when there is no contact to write to. `pledgeId`: none for a released hold (window-holds.ts).
 */
export async function queueWindowNotice(
  trx: Db,
  donor: { email: string | null; phone: string | null; locale: string },
  payload: WindowNotice,
  pledgeId?: number,
): Promise<boolean> {
  const recipient = donor.email ?? smsRecipientOf(donor.phone);
  if (!recipient) return false;
  await enqueueMessage(trx, {
    kind: WINDOW_NOTICE_KIND,
    channel: donor.email ? 'email' : 'sms',
    recipient,
    locale: donor.locale as Locale,
    payload: { ...payload },
    pledgeId,
  });
  return true;
}

export function parseWindowNotice(value: unknown): WindowNotice {
  const p = (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, unknown> | null;
  const date = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v) : null);
  const oldStart = date(p?.oldStart);
  const oldEnd = date(p?.oldEnd);
  if (
    typeof p?.reference === 'string' &&
    typeof p.pointName === 'string' &&
    (p.change === 'moved' || p.change === 'cancelled') &&
    oldStart &&
    oldEnd
  )
    return {
      reference: p.reference,
      pointName: p.pointName,
      change: p.change,
      oldStart,
      oldEnd,
      start: date(p.start),
      end: date(p.end),
      released: p.released === true,
    };
  throw new Error('window notice payload is malformed');
}

const when = (start: Date, end: Date, locale: Locale) =>
  `${formatLongDate(start, locale)}, ${formatTimeRange(start, end, locale)}`;

export function renderWindowEmail(
  notice: WindowNotice,
  locale: Locale,
  firstName: string | null,
  origin = '',
): RenderedEmail {
  const t = getTranslator(locale);
  if (notice.released) return renderReleasedEmail(notice, locale, origin);
  const old = when(notice.oldStart, notice.oldEnd, locale);
  const moved = notice.change === 'moved' && notice.start && notice.end;
  return renderEmail(locale, {
    subject: moved ? t('partners.windows.email.subjectMoved') : t('partners.windows.email.subjectCancelled'),
    name: firstName,
    intro: moved
      ? t('partners.windows.email.introMoved', { point: notice.pointName, old })
      : t('partners.windows.email.introCancelled', { point: notice.pointName, old }),
    details: [
      { label: t('partners.windows.email.reference'), value: notice.reference, ltr: true },
      ...(moved
        ? [{ label: t('partners.windows.email.newTime'), value: when(notice.start!, notice.end!, locale) }]
        : []),
    ],
    notes: [t('partners.windows.email.choose')],
    footer: t('partners.windows.email.footer'),
  });
}

/** The pledge was waiting for its code when the day changed: not recorded, pledge again. */
function renderReleasedEmail(notice: WindowNotice, locale: Locale, origin: string): RenderedEmail {
  const t = getTranslator(locale);
  const moved = notice.change === 'moved' && notice.start && notice.end;
  return renderEmail(locale, {
    subject: t('partners.windows.released.subject'),
    intro: t('partners.windows.released.intro', {
      point: notice.pointName,
      old: when(notice.oldStart, notice.oldEnd, locale),
    }),
    details: moved
      ? [{ label: t('partners.windows.email.newTime'), value: when(notice.start!, notice.end!, locale) }]
      : [],
    links: [{ text: t('partners.windows.released.link'), url: campaignUrl(origin, locale) }],
    footer: t('partners.windows.email.footer'),
  });
}

const campaignUrl = (origin: string, locale: Locale) => `${trimOrigin(origin)}${pagePath(locale, 'campaign')}`;

export function renderWindowSms(notice: WindowNotice, locale: Locale, origin = ''): string {
  const t = getTranslator(locale);
  if (notice.released)
    return smsText(
      t('partners.windows.released.sms', {
        point: notice.pointName,
        old: smsWhen(notice.oldStart, locale),
        link: campaignUrl(origin, locale),
      }),
      locale,
    );
  const values = {
    reference: notice.reference,
    point: notice.pointName,
    old: smsWhen(notice.oldStart, locale),
    new: notice.start ? smsWhen(notice.start, locale) : '',
  };
  return smsText(
    notice.change === 'moved' && notice.start
      ? t('partners.windows.sms.moved', values)
      : t('partners.windows.sms.cancelled', values),
    locale,
  );
}

/** The pledge behind the message: withdrawn when it was closed or its donor's data erased meanwhile. */
async function stillOpen(db: Db, pledgeId: number | null) {
  if (pledgeId === null) return undefined;
  const pledge = await db
    .selectFrom('pledge')
    .select(['status', 'first_name', 'erased_at'])
    .where('id', '=', pledgeId)
    .executeTakeFirst();
  return pledge && !pledge.erased_at && pledge.status === 'pledged' ? pledge : undefined;
}

export const windowNoticeRenderers: MessageRenderers = {
  email: {
    [WINDOW_NOTICE_KIND]: async ({ db, message, locale, origin }: RenderRequest) => {
      const notice = parseWindowNotice(message.payload);
      // A released hold's message has no pledge any more (window-holds.ts): it always goes.
      if (notice.released) return renderWindowEmail(notice, locale, null, origin);
      const pledge = await stillOpen(db, message.pledgeId);
      if (!pledge) return WITHDRAWN;
      return renderWindowEmail(notice, locale, pledge.first_name, origin);
    },
  },
  sms: {
    [WINDOW_NOTICE_KIND]: async ({ db, message, locale, origin }: RenderRequest) => {
      const notice = parseWindowNotice(message.payload);
      if (!notice.released && !(await stillOpen(db, message.pledgeId))) return WITHDRAWN;
      return renderWindowSms(notice, locale, origin);
    },
  },
};
