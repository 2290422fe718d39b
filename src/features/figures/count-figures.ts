// The hourly count behind the dashboard (issue #15): rewrites figure_month for the months still
// open from the rows they count, in one transaction, so the dashboard reads small aggregates and
// never scans bookings. It runs first among the hourly jobs (src/messages/index.ts), before any
// erasure; erasure keeps the counted columns of bookings and pledges (status, desk, topic, locale),
// and months older than FROZEN_AFTER_DAYS are never recounted, so the figures outlive personal data
// (docs/architecture.md, "The network's figures", says why the hourly job and not the writes).
//   booking   month of the appointment × desk (and its municipio) × topic × locale
//   event     month of the event × municipio × locale of the party (walk-ins and seats: no locale)
//   pledge    month of the collection window × municipio of the drop-off point × locale
//   item      this month only: what each campaign item still needs (target − pledged)
//   waitlist  month the family joined × municipio (of the event or desk) × desk × locale
//   rating    month of the rating × municipio and desk (of a desk's booking; none for a page) × flow × locale
//   volunteer this month only: confirmed volunteers by status, skill and language, per municipio
//             they chose and for the whole city (municipio NULL)
import { sql } from 'kysely';
import type { Db } from '#/server/db/database.ts';
import { runInTransaction } from '#/server/db/transaction.ts';
import { romeParts, romeToInstant } from '#/lib/time.ts';

/** A month is recounted until this long after it began: attendance is marked, late cancellations settle. */
export const FROZEN_AFTER_DAYS = 62;

/** 'YYYY-MM-01' of the Rome month of an instant. */
export function monthOf(at: Date): string {
  const p = romeParts(at);
  return `${p.year}-${String(p.month).padStart(2, '0')}-01`;
}

function monthStart(month: string): Date {
  const [y, m] = month.split('-').map(Number);
  return romeToInstant(y!, m!, 1);
}

const ROME_MONTH = (column: string) => sql.raw(`date_trunc('month', ${column} AT TIME ZONE 'Europe/Rome')::date`);

/** Rewrites the open months; returns how many figure rows were written (for the worker's log). */
export async function countFigures(db: Db, now: Date = new Date()): Promise<number> {
  return runInTransaction(db, async (trx) => {
    // One counter at a time (two workers may run the hour together): the row lock serializes them.
    await sql`INSERT INTO figure_refresh (only_row, open_from, counted_at) VALUES (true, NULL, ${now})
              ON CONFLICT (only_row) DO NOTHING`.execute(trx);
    const state = await sql<{ open_from: string | null }>`
      SELECT open_from FROM figure_refresh WHERE only_row FOR UPDATE`.execute(trx);
    const openFrom = state.rows[0]?.open_from ?? null;
    // Nothing counted yet: count every month there is (the first run after deployment).
    const from = openFrom === null ? new Date(0) : monthStart(openFrom);
    const thisMonth = monthOf(now);

    await trx
      .deleteFrom('figure_month')
      .where('kind', 'in', ['booking', 'event', 'pledge', 'waitlist', 'rating'])
      .where('month', '>=', openFrom ?? '0001-01-01')
      .execute();
    await trx
      .deleteFrom('figure_month')
      .where('kind', 'in', ['item', 'volunteer'])
      .where('month', '=', thisMonth)
      .execute();

    let written = 0;
    const run = async (query: ReturnType<typeof sql>) => {
      const result = await query.execute(trx);
      written += Number(result.numAffectedRows ?? 0);
    };

    // Bookings: a hold never confirmed is not a booking; one cancelled by the desk left an audit row.
    await run(sql`
      INSERT INTO figure_month (month, kind, measure, municipio_id, desk_id, service, locale, value)
      SELECT c.month, 'booking', m.measure, c.municipio_id, c.desk_id, c.service, c.locale, m.value
      FROM (
        SELECT ${ROME_MONTH('b.starts_at')} AS month, d.municipio_id, b.desk_id, coalesce(b.topic, '') AS service, b.locale,
               count(*) AS made,
               count(*) FILTER (WHERE b.status = 'attended') AS attended,
               count(*) FILTER (WHERE b.status = 'no_show') AS no_show,
               count(*) FILTER (WHERE b.status = 'cancelled' AND NOT b.by_desk) AS cancelled_family,
               count(*) FILTER (WHERE b.status = 'cancelled' AND b.by_desk) AS cancelled_desk,
               count(*) FILTER (WHERE b.status = 'confirmed') AS open
        FROM (
          SELECT b.*, (b.status = 'cancelled' AND EXISTS (
                   SELECT 1 FROM audit_log a WHERE a.action = 'booking.cancelled_by_staff' AND a.subject = 'booking:' || b.id
                 )) AS by_desk
          FROM booking b
          WHERE b.starts_at >= ${from}
            AND (b.status IN ('confirmed', 'attended', 'no_show') OR (b.status = 'cancelled' AND b.hold_expires_at IS NULL))
        ) b
        JOIN desk d ON d.id = b.desk_id
        GROUP BY 1, 2, 3, 4, 5
      ) c
      CROSS JOIN LATERAL (VALUES ('made', c.made), ('attended', c.attended), ('no_show', c.no_show),
        ('cancelled_family', c.cancelled_family), ('cancelled_desk', c.cancelled_desk), ('open', c.open)) AS m (measure, value)
      WHERE m.value > 0`);

    // Coarser sums of the booking rows just written: a view without service or locale reads these.
    for (const [grain, columns, kept] of [
      ['municipio', "NULL::integer, '', ''", ''],
      ['desk', "desk_id, '', ''", ', desk_id'],
      ['service', "NULL::integer, service, ''", ', service'],
      ['locale', "NULL::integer, '', locale", ', locale'],
    ] as const)
      await run(sql`
        INSERT INTO figure_month (month, kind, grain, measure, municipio_id, desk_id, service, locale, value)
        SELECT month, 'booking', ${grain}, measure, municipio_id, ${sql.raw(columns)}, sum(value)
        FROM figure_month
        WHERE kind = 'booking' AND grain = 'detail' AND month >= ${openFrom ?? '0001-01-01'}::date
        GROUP BY month, measure, municipio_id${sql.raw(kept)}`);

    // Event sign-ups: parties confirmed (and not cancelled), the people in them, those who came.
    await run(sql`
      INSERT INTO figure_month (month, kind, measure, municipio_id, locale, value)
      SELECT c.month, 'event', m.measure, c.municipio_id, c.locale, m.value
      FROM (
        SELECT ${ROME_MONTH('e.starts_at')} AS month, e.municipio_id, r.locale,
               count(*) AS signups, sum(r.seats) AS people,
               coalesce(sum(r.seats) FILTER (WHERE r.arrived_at IS NOT NULL), 0) AS attended
        FROM event_registration r JOIN event e ON e.id = r.event_id
        WHERE e.starts_at >= ${from} AND r.status = 'confirmed'
        GROUP BY 1, 2, 3
      ) c
      CROSS JOIN LATERAL (VALUES ('signups', c.signups), ('people', c.people), ('attended', c.attended)) AS m (measure, value)
      WHERE m.value > 0`);
    // Per event, no locale: walk-ins, and seats nobody used once the event has begun.
    await run(sql`
      INSERT INTO figure_month (month, kind, measure, municipio_id, locale, value)
      SELECT c.month, 'event', m.measure, c.municipio_id, '', sum(m.value)
      FROM (
        SELECT ${ROME_MONTH('e.starts_at')} AS month, e.municipio_id, e.walk_ins,
               CASE WHEN e.seats IS NOT NULL AND e.starts_at <= ${now}
                    THEN greatest(e.seats - e.walk_ins - coalesce((
                      SELECT sum(r.seats) FROM event_registration r
                      WHERE r.event_id = e.id AND r.status = 'confirmed' AND r.arrived_at IS NOT NULL), 0), 0)
                    ELSE 0 END AS seats_unused
        FROM event e
        WHERE e.starts_at >= ${from} AND e.status = 'published'
      ) c
      CROSS JOIN LATERAL (VALUES ('walk_ins', c.walk_ins), ('seats_unused', c.seats_unused)) AS m (measure, value)
      WHERE m.value > 0
      GROUP BY c.month, m.measure, c.municipio_id`);

    // Pledges: a hold never confirmed is not a pledge; an unkept one (expired) was not brought.
    await run(sql`
      INSERT INTO figure_month (month, kind, measure, municipio_id, locale, value)
      SELECT c.month, 'pledge', m.measure, c.municipio_id, c.locale, m.value
      FROM (
        SELECT ${ROME_MONTH('w.starts_at')} AS month, dp.municipio_id, p.locale,
               count(*) AS made,
               count(*) FILTER (WHERE p.status = 'received') AS received,
               count(*) FILTER (WHERE p.status IN ('not_brought', 'expired')) AS not_brought,
               count(*) FILTER (WHERE p.status = 'cancelled') AS cancelled,
               count(*) FILTER (WHERE p.status = 'pledged') AS open
        FROM pledge p
        JOIN collection_window w ON w.id = p.collection_window_id
        JOIN drop_off_point dp ON dp.id = w.drop_off_point_id
        WHERE w.starts_at >= ${from}
          AND (p.status IN ('pledged', 'received', 'not_brought', 'expired') OR (p.status = 'cancelled' AND p.hold_expires_at IS NULL))
        GROUP BY 1, 2, 3
      ) c
      CROSS JOIN LATERAL (VALUES ('made', c.made), ('received', c.received), ('not_brought', c.not_brought),
        ('cancelled', c.cancelled), ('open', c.open)) AS m (measure, value)
      WHERE m.value > 0`);

    // Waiting lists (issue #13): families who asked, those placed, those still waiting, those the
    // list closed on without a place (the demand left unmet) and those who withdrew (declined, let an
    // offer lapse, left). Counted before the entries' data is erased; the status outlives it.
    await run(sql`
      INSERT INTO figure_month (month, kind, measure, municipio_id, desk_id, locale, value)
      SELECT c.month, 'waitlist', m.measure, c.municipio_id, c.desk_id, c.locale, m.value
      FROM (
        SELECT ${ROME_MONTH('w.created_at')} AS month, coalesce(e.municipio_id, d.municipio_id) AS municipio_id,
               w.desk_id, w.locale,
               count(*) AS requests,
               count(*) FILTER (WHERE w.status = 'accepted') AS placed,
               count(*) FILTER (WHERE w.status IN ('waiting', 'offered')) AS waiting,
               count(*) FILTER (WHERE w.status = 'closed') AS unmet,
               count(*) FILTER (WHERE w.status IN ('declined', 'lapsed', 'left')) AS withdrew
        FROM wait_entry w
        LEFT JOIN event e ON e.id = w.event_id
        LEFT JOIN desk d ON d.id = w.desk_id
        WHERE w.created_at >= ${from}
        GROUP BY 1, 2, 3, 4
      ) c
      CROSS JOIN LATERAL (VALUES ('requests', c.requests), ('placed', c.placed), ('waiting', c.waiting),
        ('unmet', c.unmet), ('withdrew', c.withdrew)) AS m (measure, value)
      WHERE m.value > 0`);

    // "Valuta questo servizio" (issue #14): how many ratings of each score, per flow (page, booking…).
    await run(sql`
      INSERT INTO figure_month (month, kind, measure, municipio_id, desk_id, service, locale, value)
      SELECT ${ROME_MONTH('r.created_at')}, 'rating', m.measure, d.municipio_id, r.desk_id, r.flow, r.locale, count(*)
      FROM rating r
      LEFT JOIN desk d ON d.id = r.desk_id
      CROSS JOIN LATERAL (VALUES ('ratings'), ('score_' || r.score)) AS m (measure)
      WHERE r.created_at >= ${from}
      GROUP BY 1, 3, 4, 5, 6, 7`);

    // This month's snapshots: what the campaigns still need, and who volunteers.
    await run(sql`
      INSERT INTO figure_month (month, kind, measure, service, value)
      SELECT ${thisMonth}::date, 'item', 'needed', i.slug, greatest(i.target - i.pledged, 0)
      FROM campaign_item i JOIN campaign c ON c.id = i.campaign_id
      WHERE c.active`);
    await run(sql`
      INSERT INTO figure_month (month, kind, measure, municipio_id, value)
      SELECT ${thisMonth}::date, 'volunteer', a.measure, m.municipio_id, count(*)
      FROM volunteer v
      CROSS JOIN LATERAL (
        SELECT 'status:' || v.status AS measure
        UNION ALL SELECT 'skill:' || s FROM unnest(v.skills) AS s
        UNION ALL SELECT 'language:' || l FROM unnest(v.languages) AS l
      ) a
      CROSS JOIN LATERAL (SELECT unnest(v.municipi) AS municipio_id UNION ALL SELECT NULL) m
      WHERE v.status <> 'unconfirmed'
      GROUP BY a.measure, m.municipio_id`);

    const frozenBefore = monthOf(new Date(now.getTime() - FROZEN_AFTER_DAYS * 86400000));
    const nextOpen = openFrom !== null && openFrom > frozenBefore ? openFrom : frozenBefore;
    await trx.updateTable('figure_refresh').set({ open_from: nextOpen, counted_at: now }).execute();
    return written;
  });
}
