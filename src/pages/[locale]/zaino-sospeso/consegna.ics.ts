// The drop-off window of a pledge as an iCalendar file, linked from the confirmation and manage
// pages (same signed link as the confirmation page). Where and when only, as in the emails' files:
// calendars are often synced elsewhere, so nothing about the person or the pledge goes in. The UID
// is the emails' one (src/lib/emails/pledge.ts), so adding both updates one entry.
import type { APIRoute } from 'astro';
import { getDb } from '../../../lib/server/db/index.ts';
import { getServerSecret } from '../../../lib/server/secret.ts';
import { publicOrigin } from '../../../lib/server/config.ts';
import { routeLocale } from '../../../lib/server/live-page.ts';
import { loadPledgeView, pledgeEventUid } from '../../../lib/server/pledge-view.ts';
import { readPledgeConfirmation } from '../../../lib/pledge-confirmation.ts';
import { buildCalendar } from '../../../lib/ics.ts';
import { getTranslator } from '../../../lib/i18n.ts';

export const GET: APIRoute = async (context) => {
  const locale = routeLocale(context.params.locale);
  if (!locale) return context.rewrite('/404');
  const db = await getDb();
  const check = readPledgeConfirmation(await getServerSecret(db), context.url.searchParams.get('c'));
  const pledge = check.ok ? await loadPledgeView(db, check.pledgeId) : undefined;
  if (!pledge) return context.rewrite('/404');
  const t = getTranslator(locale);
  const body = buildCalendar([
    {
      uid: pledgeEventUid(pledge.reference, publicOrigin()),
      start: pledge.window.startsAt,
      end: pledge.window.endsAt,
      summary: t('pledge.ics.summary', { place: pledge.point.name }),
      location: pledge.point.address,
      description: t('pledge.ics.description'),
      cancelled: pledge.status === 'cancelled' || pledge.status === 'expired',
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
