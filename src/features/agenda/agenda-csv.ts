// The agenda as a CSV or ODS file, for a desk that calls families back from a spreadsheet.
import type { Db } from '#/server/db/database.ts';
import { writeAudit } from '#/features/audit/audit.ts';
import { serviceKey } from '#/features/desks/services.ts';
import { ITALIAN_CSV, toCsv } from '#/lib/csv.ts';
import { writeOds } from '#/lib/ods.ts';
import type { Translate } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import { channelLabel, familyLanguage, listAgenda, romeTime, statusLabel } from './agenda-queries.ts';

/**
 * The agenda with only what a desk needs to call families back: date, time, reference, first name,
 * phone, topic, how it was booked, the family's language, status (in the agenda page's order). A
 * hold still waiting for its code is a row "Waiting for code". No note and no email (the export
 * leaves the system; the less it carries the better). Every export is recorded in the audit log
 * with the desk, the range and the format, never the rows.
 */
async function agendaTable(
  db: Db,
  desk: { id: number; slug: string },
  fromDay: string,
  toDay: string,
  options: { actorUserId: number; t: Translate; locale: Locale; format: 'csv' | 'ods' },
): Promise<{ header: string[]; rows: string[][] }> {
  const { t } = options;
  const entries = await listAgenda(db, desk.id, fromDay, toDay);
  const header = [
    t('staff.agenda.csv.date'),
    t('staff.agenda.csv.time'),
    t('staff.agenda.csv.reference'),
    t('staff.agenda.csv.firstName'),
    t('staff.agenda.csv.phone'),
    t('staff.agenda.csv.topic'),
    t('staff.agenda.csv.channel'),
    t('staff.agenda.csv.language'),
    t('staff.agenda.csv.status'),
  ];
  const rows = entries.map((e) => [
    e.day,
    romeTime(e.start),
    e.reference,
    e.firstName ?? '',
    e.phone ?? '',
    e.topic ? t(serviceKey(e.topic)) : '',
    channelLabel(e.source, t),
    familyLanguage(e, options.locale),
    statusLabel(e.status, t),
  ]);
  await writeAudit(db, {
    actorUserId: options.actorUserId,
    action: 'export.agenda',
    subject: `desk:${desk.id}`,
    detail: {
      desk: desk.slug,
      from: fromDay,
      to: toDay,
      rows: rows.length,
      ...(options.format === 'ods' ? { format: 'ods' } : {}),
    },
  });
  return { header, rows };
}

type ExportOptions = { actorUserId: number; t: Translate; locale: Locale };

/** `;`-separated with a BOM, as an Italian spreadsheet opens it; formulas neutralised (csv.ts). */
export async function exportAgendaCsv(
  db: Db,
  desk: { id: number; slug: string },
  fromDay: string,
  toDay: string,
  options: ExportOptions,
): Promise<{ csv: string; rows: number }> {
  const { header, rows } = await agendaTable(db, desk, fromDay, toDay, { ...options, format: 'csv' });
  return { csv: toCsv(header, rows, ITALIAN_CSV), rows: rows.length };
}

/** One sheet, every cell text (a phone or a reference is never read as a number or a formula). */
export async function exportAgendaOds(
  db: Db,
  desk: { id: number; slug: string },
  fromDay: string,
  toDay: string,
  options: ExportOptions,
): Promise<{ ods: Uint8Array; rows: number }> {
  const { header, rows } = await agendaTable(db, desk, fromDay, toDay, { ...options, format: 'ods' });
  return { ods: writeOds([{ name: `${desk.slug} ${fromDay}`, rows: [header, ...rows] }]), rows: rows.length };
}
