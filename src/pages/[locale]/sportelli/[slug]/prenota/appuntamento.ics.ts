// The appointment as an iCalendar file, linked from the confirmation page (same signed link).
// Desk name, address and phone only: nothing about the person. The UID is the one the emails'
// calendar files use, so adding both updates one entry instead of making two.
import type { APIRoute } from 'astro';
import { getDb } from '#/server/db/index.ts';
import { getDeskBySlug } from '#/features/desks/desks.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { publicOrigin } from '#/server/config.ts';
import { routeLocale } from '#/server/cache/live-page.ts';
import { findBookingForConfirmation } from '#/features/booking/booking-flow.ts';
import { readConfirmation } from '#/features/booking/confirmation.ts';
import { bookingEventUid } from '#/features/booking/emails.ts';
import { calendarSequence } from '#/features/booking/calendar-sequence.ts';
import { buildCalendar } from '#/lib/ics.ts';
import { getTranslator } from '#/lib/i18n.ts';

export const GET: APIRoute = async (context) => {
  const locale = routeLocale(context.params.locale);
  if (!locale) return context.rewrite('/404');
  const db = await getDb();
  const desk = await getDeskBySlug(db, context.params.slug ?? '');
  const secret = await getServerSecret(db);
  const check = readConfirmation(secret, context.url.searchParams.get('c'));
  const booking = desk && check.ok ? await findBookingForConfirmation(db, check.bookingId) : undefined;
  if (!desk || !booking || booking.deskSlug !== desk.slug) return context.rewrite('/404');
  const t = getTranslator(locale);
  const sequence = check.ok ? await calendarSequence(db, { bookingId: check.bookingId }) : 0;
  const body = buildCalendar([
    {
      uid: bookingEventUid(booking.reference, publicOrigin()),
      start: booking.start,
      end: booking.end,
      summary: desk.name,
      location: desk.address,
      description: t('booking.ics.description', { phone: desk.phone }),
      cancelled: booking.status === 'cancelled',
      sequence,
    },
  ]);
  return new Response(body, {
    headers: {
      'Content-Type': 'text/calendar; charset=utf-8',
      'Content-Disposition': 'attachment; filename="appuntamento-qubi.ics"',
      'Cache-Control': 'no-store',
    },
  });
};
