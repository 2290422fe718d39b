// Today's and tomorrow's appointments at the desks the person may see (`can(desk.agenda)`), for
// the staff home: time, desk, reference (one click to the booking's row in its agenda day), first
// name and language. Cancelled ones and lapsed holds are left out; a hold still waiting for its
// code is listed (its place is taken). At most DAY_AHEAD_LIMIT per day: the home is a glance, the
// agenda has the rest.
import type { Db } from '#/server/db/database.ts';
import { listDesks } from '#/features/desks/desks.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import { addDays } from '#/features/booking/slots.ts';
import { isLocale, type Locale } from '#/lib/locales.ts';
import { romeDateString } from '#/lib/time.ts';
import { startOfDay } from './agenda-queries.ts';
import { agendaHref } from './agenda-paths.ts';

export const DAY_AHEAD_LIMIT = 40;

export interface Appointment {
  id: number;
  reference: string;
  start: Date;
  end: Date;
  status: 'pending' | 'confirmed' | 'attended' | 'no_show';
  firstName: string | null;
  locale: Locale;
  deskName: string;
  /** The booking's row in its agenda day. */
  href: string;
}

export interface DayAhead {
  day: string;
  appointments: Appointment[];
  /** More than DAY_AHEAD_LIMIT that day. */
  more: boolean;
}

/** Today and tomorrow; `undefined` when the person sees no desk's agenda (nothing to show). */
export async function dayAhead(
  db: Db,
  actor: Actor,
  locale: string,
  now: Date = new Date(),
): Promise<DayAhead[] | undefined> {
  const desks = (await listDesks(db)).filter((d) =>
    can(actor, { kind: 'desk.agenda', desk: { id: d.id, municipioId: d.municipioId } }),
  );
  if (desks.length === 0) return undefined;
  const byId = new Map(desks.map((d) => [d.id, d]));
  const today = romeDateString(now);
  return Promise.all(
    [today, addDays(today, 1)].map(async (day) => {
      const rows = await db
        .selectFrom('booking')
        .select(['id', 'reference', 'desk_id', 'starts_at', 'ends_at', 'status', 'first_name', 'locale'])
        .where(
          'desk_id',
          'in',
          desks.map((d) => d.id),
        )
        .where('erased_at', 'is', null)
        .where('starts_at', '>=', startOfDay(day))
        .where('starts_at', '<', startOfDay(addDays(day, 1)))
        .where((eb) =>
          eb.or([
            eb('status', 'in', ['confirmed', 'attended', 'no_show']),
            eb.and([eb('status', '=', 'pending'), eb('hold_expires_at', '>', now)]),
          ]),
        )
        .orderBy('starts_at')
        .orderBy('id')
        .limit(DAY_AHEAD_LIMIT + 1)
        .execute();
      return {
        day,
        more: rows.length > DAY_AHEAD_LIMIT,
        appointments: rows.slice(0, DAY_AHEAD_LIMIT).map((r) => {
          const desk = byId.get(r.desk_id)!;
          return {
            id: r.id,
            reference: r.reference,
            start: r.starts_at,
            end: r.ends_at,
            status: r.status as Appointment['status'],
            firstName: r.first_name,
            locale: isLocale(r.locale) ? r.locale : 'it',
            deskName: desk.name,
            href: `${agendaHref({ locale, deskSlug: desk.slug, day, view: 'giorno' })}#booking-${r.id}`,
          };
        }),
      };
    }),
  );
}
