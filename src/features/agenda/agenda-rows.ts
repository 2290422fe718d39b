// The agenda table's rows as text, computed once per booking before rendering, and its column
// labels once per page (issue #15, "Scale"): at city scale a week lists many bookings, and calling
// a translation, a component and a formatter per cell was most of the page's time. The page then
// writes plain markup. Same content as before: time, reference, name, contact (phone read aloud),
// topic, note, channel, language, status, and which buttons the row has.
import type { Translate } from '#/lib/i18n.ts';
import type { Locale } from '#/lib/locales.ts';
import { formatTimeRange, telHref } from '#/lib/format.ts';
import { serviceKey } from '#/features/desks/services.ts';
import { channelLabel, familyLanguage, statusLabel, type AgendaEntry } from './agenda-queries.ts';
import { readAloudPhone } from './read-aloud-phone.ts';

export interface AgendaRow {
  id: number;
  reference: string;
  /** "YYYY-MM-DD" in Rome. */
  day: string;
  time: string;
  name: string;
  phone: { text: string; href: string } | null;
  email: string | null;
  topic: string;
  note: string;
  channel: string;
  language: string;
  status: AgendaEntry['status'];
  statusLabel: string;
  /** Attended / not attended once it started, cancel before; nothing for a row no longer confirmed. */
  actions: 'mark' | 'cancel' | null;
}

/** The columns' headings, also each cell's label when the table stacks on a narrow screen. */
export function agendaColumns(t: Translate) {
  return {
    time: t('staff.agenda.col.time'),
    reference: t('staff.agenda.col.reference'),
    name: t('staff.agenda.col.name'),
    contact: t('staff.agenda.col.contact'),
    topic: t('staff.agenda.col.topic'),
    note: t('staff.agenda.col.note'),
    channel: t('staff.agenda.col.channel'),
    language: t('staff.agenda.col.language'),
    status: t('staff.agenda.col.status'),
    actions: t('staff.agenda.col.actions'),
    attended: t('staff.agenda.action.attended'),
    noShow: t('staff.agenda.action.noShow'),
    cancel: t('staff.agenda.action.cancel'),
  };
}

export function agendaRows(entries: readonly AgendaEntry[], locale: Locale, t: Translate, now: Date): AgendaRow[] {
  // Few distinct values repeat over many rows: each label is looked up once.
  const memo = new Map<string, string>();
  const once = (key: string, make: () => string) => {
    let value = memo.get(key);
    if (value === undefined) memo.set(key, (value = make()));
    return value;
  };
  return entries.map((e) => {
    const phone = e.phone ? readAloudPhone(e.phone) : null;
    return {
      id: e.id,
      reference: e.reference,
      day: e.day,
      time: formatTimeRange(e.start, e.end, locale),
      name: e.firstName ?? '—',
      phone: phone ? { text: phone, href: telHref(phone) } : null,
      email: e.email,
      topic: e.topic ? once(`topic:${e.topic}`, () => t(serviceKey(e.topic!))) : '—',
      note: e.note ?? '',
      channel: once(`channel:${e.source}`, () => channelLabel(e.source, t)),
      language: once(`language:${e.locale}`, () => familyLanguage(e, locale)),
      status: e.status,
      statusLabel: once(`status:${e.status}`, () => statusLabel(e.status, t)),
      actions: e.status !== 'confirmed' ? null : e.start.getTime() <= now.getTime() ? 'mark' : 'cancel',
    };
  });
}
