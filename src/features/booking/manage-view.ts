// What the page of a booking's email link (/{locale}/prenotazione/gestisci?token=…) shows: the
// booking, the step to confirm a cancellation, or the week to move it to; "not found" (404) or the
// lookup limit (429) for a token that names no booking. Only a booking still to come can be
// cancelled or moved. Its forms post to bookings.cancel and bookings.move (manage-actions.ts); a
// refused move waits for this GET in the draft, scoped to the link.
import type { AstroGlobal } from 'astro';
import type { Translate } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import { bookingPath } from '#/lib/paths.ts';
import type { Db } from '#/server/db/database.ts';
import { keptFormInput } from '#/server/forms/form-page.ts';
import { getServerSecret } from '#/server/security/secret.ts';
import { refuseUnknownLink } from '#/server/security/secret-link.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import { findBookingByToken, type ManagedBooking } from './manage-booking.ts';
import { loadWeek, weekOf, type WeekOfSlots } from './booking-flow.ts';
import { signConfirmation } from './confirmation.ts';
import { parseWeekValue } from './flow.ts';
import { manageForm } from './manage-actions.ts';
import { romeDateString } from '#/lib/time.ts';
import { suggestedDays } from '#/features/agenda/displaced-families.ts';

export type ManageStep = 'not-found' | 'limited' | 'booking' | 'confirm-cancel' | 'move';

export interface ManageBookingView {
  booking: ManagedBooking | undefined;
  desk: Desk | undefined;
  step: ManageStep;
  upcoming: boolean;
  retryAfterSeconds: number;
  /** The message key of a refused move, shown on the week of the time asked for. */
  moveError: string | undefined;
  week: WeekOfSlots | undefined;
  /** A booking its desk's closed day cancelled: the waiting-list form's days and their errors. */
  wait: { values: { fromDay: string; toDay: string }; errors: { fromDay?: string; toDay?: string } } | undefined;
  calendarHref: string;
  title: string;
}

type PageContext = Pick<AstroGlobal, 'response' | 'request' | 'clientAddress' | 'cookies' | 'redirect' | 'url'>;

export async function manageBookingView(
  astro: PageContext,
  db: Db,
  locale: Locale,
  token: string,
  t: Translate,
): Promise<ManageBookingView> {
  const booking = await findBookingByToken(db, token);
  const desk = booking && (await getDeskBySlug(db, booking.deskSlug));
  const upcoming = booking?.status === 'confirmed' && booking.end > new Date();
  const view: ManageBookingView = {
    booking,
    desk,
    step: 'booking',
    upcoming,
    retryAfterSeconds: 0,
    moveError: undefined,
    week: undefined,
    wait: undefined,
    calendarHref: '',
    title: '',
  };
  if (!booking || !desk) {
    ({ view: view.step, retryAfterSeconds: view.retryAfterSeconds } = await refuseUnknownLink(astro, db, 'manage'));
  } else {
    view.calendarHref = bookingPath(locale, desk.slug, 'appuntamento.ics', {
      c: signConfirmation(await getServerSecret(db), booking.id),
    });
    // A booking its desk's closed day cancelled may choose another time too (issue #15).
    if (upcoming || booking.displaced) await upcomingStep(astro, db, desk, view);
  }
  const titles: Record<ManageStep, string> = {
    'not-found': t('manage.notFound.title'),
    limited: t('booking.limit.title'),
    booking: view.wait ? t('closeDay.page.title') : t('manage.title'),
    'confirm-cancel': t('manage.cancel.title'),
    move: t('manage.move.title'),
  };
  const refused = view.moveError || view.wait?.errors.fromDay || view.wait?.errors.toDay;
  view.title = refused ? t('booking.errorTitle', { title: titles[view.step] }) : titles[view.step];
  return view;
}

/** The step the address asks for (?azione=annulla|sposta), or the lookup limit a refused form met. */
async function upcomingStep(astro: PageContext, db: Db, desk: Desk, view: ManageBookingView): Promise<void> {
  const { flow, scope } = manageForm(astro.url);
  const kept = await keptFormInput(astro, flow, scope);
  const intent = astro.url.searchParams.get('azione');
  if (view.booking?.displaced) {
    // The days typed (kept when refused), else two weeks from the closed day or tomorrow.
    const suggested = suggestedDays(romeDateString(view.booking.start));
    const typed = (field: 'fromDay' | 'toDay') => {
      const value = kept?.form.get(field);
      return typeof value === 'string' ? value : suggested[field];
    };
    view.wait = {
      values: { fromDay: typed('fromDay'), toDay: typed('toDay') },
      errors: { fromDay: kept?.errors.get('fromDay')?.key, toDay: kept?.errors.get('toDay')?.key },
    };
  }
  if (kept?.retryAfterSeconds) {
    view.step = 'limited';
    view.retryAfterSeconds = kept.retryAfterSeconds;
  } else if (intent === 'annulla' && view.upcoming) view.step = 'confirm-cancel';
  else if (intent === 'sposta') {
    view.step = 'move';
    view.week = await loadWeek(db, desk, parseWeekValue(astro.url.searchParams.get('settimana')));
    // The error belongs to the week of the time asked for, not to the others paged to since.
    const asked = kept?.form.get('slot');
    if (!asked || weekOf(String(asked)) === view.week.week) view.moveError = kept?.errors.get('slots')?.key;
  }
}
