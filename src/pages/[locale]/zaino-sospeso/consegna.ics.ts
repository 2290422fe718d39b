// The drop-off window of a pledge as an iCalendar file, linked from the confirmation and manage
// pages (same signed link as the confirmation page). Where and when only, as in the emails' files:
// calendars are often synced elsewhere, so nothing about the person or the pledge goes in. The UID
// is the emails' one (src/features/campaign/emails.ts), so adding both updates one entry.
import type { APIRoute } from 'astro';
import { getDb } from '#/server/db/index.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { publicOrigin } from '#/server/config.ts';
import { routeLocale } from '#/server/cache/live-page.ts';
import { loadPledgeView, pledgeEventUid } from '#/features/campaign/pledge-view.ts';
import { readPledgeConfirmation } from '#/features/campaign/pledge-confirmation.ts';
import { buildCalendar } from '#/lib/ics.ts';
import { calendarSequence } from '#/features/booking/calendar-sequence.ts';
import { getTranslator } from '#/lib/i18n.ts';

export const GET: APIRoute = async (context) => {
  const locale = routeLocale(context.params.locale);
  if (!locale) return context.rewrite('/404');
  const db = await getDb();
  const check = readPledgeConfirmation(await getServerSecret(db), context.url.searchParams.get('c'));
  const pledge = check.ok ? await loadPledgeView(db, check.pledgeId) : undefined;
  if (!pledge) return context.rewrite('/404');
  const t = getTranslator(locale);
  const sequence = check.ok ? await calendarSequence(db, { pledgeId: check.pledgeId }) : 0;
  const body = buildCalendar([
    {
      uid: pledgeEventUid(pledge.reference, publicOrigin()),
      start: pledge.window.startsAt,
      end: pledge.window.endsAt,
      summary: t('pledge.ics.summary', { place: pledge.point.name }),
      location: pledge.point.address,
      description: t('pledge.ics.description'),
      cancelled: pledge.status === 'cancelled' || pledge.status === 'expired',
      sequence,
    },
  ]);
  return new Response(body, {
    headers: {
      'Content-Type': 'text/calendar; charset=utf-8',
      'Content-Disposition': 'attachment; filename="zaino-sospeso.ics"',
      'Cache-Control': 'no-store',
    },
  });
};
