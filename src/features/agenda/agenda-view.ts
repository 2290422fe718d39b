// What the agenda page of a desk (/{locale}/staff/agenda/{desk}?giorno=…&vista=…) shows: the day or
// week of bookings, the notice after a change (&fatto=…), a refusal (&problema=…, 404 or 409), the
// cancel confirmation (&annulla=<id>), and on the day view the phone booking form with the free
// slots, its kept answers and errors (shown once, from the staff draft). Read-only: the changes are
// the actions' (agenda-actions.ts).
import type { AstroGlobal } from 'astro';
import type { Db } from '#/server/db/database.ts';
import { keptFormInput, messageKeys } from '#/server/forms/form-page.ts';
import type { Desk } from '#/features/desks/desks.ts';
import { listDeskSlots, nextFreeSlots } from '#/features/booking/slot-availability.ts';
import { newSubmissionKey } from '#/features/booking/booking-flow.ts';
import { addDays, daysBetween } from '#/features/booking/slots.ts';
import { formatLongDate } from '#/lib/format.ts';
import type { Locale } from '#/lib/locales.ts';
import { parseDateOnly, romeDateString, romeToInstant } from '#/lib/time.ts';
import { staffPath } from '#/lib/paths.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import {
  agendaRange,
  getAgendaEntry,
  listAgenda,
  standing,
  startOfDay,
  type AgendaEntry,
  type AgendaView,
} from './agenda-queries.ts';
import {
  AGENDA_DONE,
  AGENDA_PROBLEMS,
  agendaHref,
  agendaPlace,
  deskSettingsHref,
  phoneBookingForm,
} from './agenda-paths.ts';
import { rangeOpening } from './open-days.ts';
import { agendaColumns, agendaRows } from './agenda-rows.ts';
import {
  PHONE_BOOKING_FIELDS,
  newPhoneBooking,
  readPhoneBookingForm,
  type PhoneBookingErrors,
} from './phone-booking.ts';

type Page = Pick<AstroGlobal, 'url' | 'cookies' | 'response' | 'redirect' | 'locals'>;

const REFERENCE = /^QB-[A-Z0-9]{4}-[A-Z0-9]{2}$/;
const PROBLEM_KEYS: Record<(typeof AGENDA_PROBLEMS)[number], string> = {
  not_found: 'staff.agenda.problem.notFound',
  not_confirmed: 'staff.agenda.problem.notConfirmed',
  not_started: 'staff.agenda.problem.notStarted',
  started: 'staff.agenda.problem.started',
};
const DONE_KEYS: Record<(typeof AGENDA_DONE)[number], string> = {
  attended: 'staff.agenda.done.attended',
  no_show: 'staff.agenda.done.noShow',
  cancelled: 'staff.agenda.done.cancelled',
  booked: 'staff.agenda.done.booked',
};

/** Noon (Rome) of a "YYYY-MM-DD" day: what formatLongDate is given for a day. */
export function noonOf(day: string): Date {
  const p = parseDateOnly(day)!;
  return romeToInstant(p.year, p.month, p.day, 12, 0);
}

const oneOf = <T extends string>(list: readonly T[], value: string | null): value is T =>
  value !== null && (list as readonly string[]).includes(value);

/** Why the booking asked to be cancelled cannot be, or undefined when it can. */
function cancelRefusal(entry: AgendaEntry | undefined, now: Date) {
  if (!entry) return 'not_found' as const;
  if (entry.status !== 'confirmed') return 'not_confirmed' as const;
  return entry.start.getTime() <= now.getTime() ? ('started' as const) : undefined;
}

/** The page's view; `actor` may see this desk's agenda (the page asked `can`), maybe its settings too. */
export async function agendaPage(page: Page, db: Db, desk: Desk, actor: Actor) {
  const { t } = page.locals;
  const locale = page.locals.locale as Locale;
  const now = new Date();
  const today = romeDateString(now);
  const place = agendaPlace(page.url, locale, desk.slug, today);
  const { day, view } = place;
  const query = page.url.searchParams;
  const range = agendaRange(day, view);
  const here = agendaHref(place);

  let problem: string | undefined;
  const showProblem = (reason: (typeof AGENDA_PROBLEMS)[number]) => {
    page.response.status = reason === 'not_found' ? 404 : 409;
    problem = t(PROBLEM_KEYS[reason]);
  };
  let confirmCancel: AgendaEntry | undefined;
  let values = newPhoneBooking();
  let errors: PhoneBookingErrors = {};
  const cancelAsked = query.get('annulla');
  if (cancelAsked !== null) {
    const entry = /^\d{1,12}$/.test(cancelAsked) ? await getAgendaEntry(db, desk.id, Number(cancelAsked)) : undefined;
    const refused = cancelRefusal(entry, now);
    if (refused) showProblem(refused);
    else confirmCancel = entry;
  } else {
    const reported = query.get('problema');
    if (oneOf(AGENDA_PROBLEMS, reported)) showProblem(reported);
    const draft = phoneBookingForm(place);
    const kept = await keptFormInput(page, draft.flow, draft.scope);
    if (kept) {
      values = readPhoneBookingForm(kept.form);
      errors = messageKeys<keyof typeof values>(kept.errors);
    }
  }

  // What happened after a redirect, with a well-formed reference.
  const doneParam = query.get('fatto');
  const reference = query.get('codice') ?? '';
  const notice =
    oneOf(AGENDA_DONE, doneParam) && REFERENCE.test(reference) ? t(DONE_KEYS[doneParam], { reference }) : undefined;

  const entries = confirmCancel ? [] : await listAgenda(db, desk.id, range.from, range.to, now);
  const opening = await rangeOpening(db, desk, range.from, range.to);
  // The week leaves out the days the desk does not open, unless a booking is listed on one.
  const rows = agendaRows(entries, locale, t, now);
  const days = daysBetween(range.from, range.to)
    .map((d) => ({ day: d.key, entries: rows.filter((r) => r.day === d.key) }))
    .filter((d) => view === 'giorno' || opening.open.has(d.day) || d.entries.length > 0);
  // After "Close this day": how many families were told (&chiuso=N).
  const closedNow = query.get('chiuso');
  const familiesTold = closedNow !== null && /^\d{1,6}$/.test(closedNow) ? Number(closedNow) : undefined;
  const countParam = (name: string) => {
    const value = familiesTold === undefined ? null : query.get(name);
    return value !== null && /^\d{1,6}$/.test(value) ? Number(value) : 0;
  };
  // …and how many dates of the desk's activities it cancelled, with the parties signed up to them.
  const seriesDatesCancelled = countParam('attivita');
  const seriesParties = countParam('iscritti');

  // The phone booking form (day view only): the free slots of the shown day, or the next free one.
  const bookable = view === 'giorno' && !confirmCancel && day >= today;
  const freeSlots = bookable ? (await listDeskSlots(db, desk, day, day, now)).filter((s) => s.remaining > 0) : [];
  const nextFree =
    bookable && freeSlots.length === 0
      ? (await nextFreeSlots(db, desk, startOfDay(addDays(day, 1)), now, 1))[0]
      : undefined;

  const fieldIds: Record<string, string> = Object.fromEntries(PHONE_BOOKING_FIELDS.map((f) => [f, f]));
  fieldIds.slot = freeSlots.length === 0 ? 'book' : 'slot-0';
  const summary = PHONE_BOOKING_FIELDS.filter((f) => errors[f]).map((f) => ({
    href: `#${fieldIds[f]}`,
    text: t(errors[f]!),
  }));

  const rangeText =
    view === 'giorno'
      ? formatLongDate(noonOf(day), locale)
      : t('staff.agenda.weekOf', {
          from: formatLongDate(noonOf(range.from), locale),
          to: formatLongDate(noonOf(range.to), locale),
        });
  const heading = confirmCancel ? t('staff.agenda.cancel.title') : t('staff.agenda.deskTitle', { desk: desk.name });
  const pageTitle = summary.length
    ? t('staff.errorTitle', { title: heading })
    : confirmCancel
      ? heading
      : `${heading}: ${rangeText}`;
  return {
    locale,
    now,
    today,
    day,
    view,
    range,
    here,
    base: staffPath(locale, 'agenda', desk.slug),
    href: (d: string, v: AgendaView) => agendaHref(place, d, v),
    step: view === 'giorno' ? 1 : 7,
    csvHref: `${staffPath(locale, 'agenda', desk.slug, 'agenda.csv')}?giorno=${day}&vista=${view}`,
    odsHref: `${staffPath(locale, 'agenda', desk.slug, 'agenda.ods')}?giorno=${day}&vista=${view}`,
    settingsHref: can(actor, { kind: 'desk.settings', desk: { id: desk.id, municipioId: desk.municipioId } })
      ? deskSettingsHref(locale, desk.slug)
      : undefined,
    /** "Close this day" (desk.settings, like the closures it adds), for today and later days. */
    closeDayHref:
      day >= today && can(actor, { kind: 'desk.settings', desk: { id: desk.id, municipioId: desk.municipioId } })
        ? `${staffPath(locale, 'agenda', desk.slug, 'chiudi')}?giorno=${day}`
        : undefined,
    /** The shown day's closure (day view), all day or part of it. */
    dayClosure: view === 'giorno' ? opening.closed.get(day) : undefined,
    familiesTold,
    seriesDatesCancelled,
    seriesParties,
    notice,
    problem,
    confirmCancel,
    days,
    columns: agendaColumns(t),
    // Holds waiting for their code are counted apart: they may still lapse.
    bookedCount: entries.filter(standing).length,
    waitingCount: entries.filter((e) => e.status === 'pending').length,
    freeSlots,
    nextFree,
    submissionKey: newSubmissionKey(),
    values,
    errors,
    summary,
    rangeText,
    heading,
    pageTitle,
  };
}
