// The CSV of a window's pledges still to collect, for the drop-off (staff).
import type { Db } from '#/server/db/database.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { ITALIAN_CSV, toCsv } from '#/lib/csv.ts';
import { isLocale, languageName, localize, type Locale } from '#/lib/locales.ts';
import { romeDateString } from '#/lib/time.ts';
import { formatTime } from '#/lib/format.ts';
import type { Translate } from '#/lib/i18n.ts';
import type { WindowInfo } from './pledge-view.ts';
import { listWindowPledges } from './staff-pledge-queries.ts';

/**
 * The pledges still to collect in a window as CSV, with only what the drop-off needs: reference,
 * first name, phone (to call a donor who is late), items, the donor's language. No email. `;`-separated
 * with a BOM, as an Italian spreadsheet opens it. Recorded in the audit log with
 * the window and the number of rows, never the rows.
 */
export async function exportWindowCsv(
  db: Db,
  actor: Actor,
  window: WindowInfo,
  options: { t: Translate; locale: Locale },
): Promise<{ csv: string; rows: number; filename: string } | 'forbidden'> {
  const pledges = await listWindowPledges(db, actor, window, { onlyOpen: true });
  if (pledges === 'forbidden') return 'forbidden';
  const { t, locale } = options;
  const header = [
    t('staff.pledges.csv.reference'),
    t('staff.pledges.csv.firstName'),
    t('staff.pledges.csv.phone'),
    t('staff.pledges.csv.items'),
    t('staff.agenda.csv.language'),
  ];
  const rows = pledges.map((p) => [
    p.reference,
    p.firstName,
    p.phone,
    p.lines.map((l) => `${l.quantity} × ${localize(l.name, locale)}`).join('; '),
    languageName(isLocale(p.locale) ? p.locale : 'it', locale),
  ]);
  await writeAudit(db, {
    actorUserId: actor.id,
    action: 'export.pledges',
    subject: `window:${window.id}`,
    detail: { window: window.id, point: window.point.slug, municipio: window.point.municipioId, rows: rows.length },
  });
  const filename = `zaino-sospeso-${window.point.slug}-${romeDateString(window.startsAt)}-${formatTime(window.startsAt, locale).replace(':', '')}.csv`;
  return { csv: toCsv(header, rows, ITALIAN_CSV), rows: rows.length, filename };
}
