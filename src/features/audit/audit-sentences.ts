// The audit log read as sentences in the staff language (issue #15): "Anna Rossi published the
// event festa-di-natale-2026", not "event.publish event:festa-di-natale-2026 {"id":3}". Each action
// has its sentence (locale keys "partners.audit.action.<action>"); an action without one still
// reads as who and what. The subject is named without its type prefix ("event:", "user:").
import type { Translate } from '#/lib/i18n.ts';
import { messages } from '#/lib/i18n.ts';

/** The families of actions the log can be filtered by (the part before the dot). */
export const AUDIT_GROUPS = [
  'auth',
  'user',
  'event',
  'campaign',
  'pledge',
  'desk',
  'booking',
  'volunteer',
  'export',
  'gdpr',
] as const;
export type AuditGroup = (typeof AUDIT_GROUPS)[number];

export const isAuditGroup = (value: unknown): value is AuditGroup =>
  typeof value === 'string' && (AUDIT_GROUPS as readonly string[]).includes(value);

// One literal t('…') per key, so the locale test sees every key.
export function auditGroupLabel(group: AuditGroup, t: Translate): string {
  switch (group) {
    case 'auth':
      return t('partners.audit.group.auth');
    case 'user':
      return t('partners.audit.group.user');
    case 'event':
      return t('partners.audit.group.event');
    case 'campaign':
      return t('partners.audit.group.campaign');
    case 'pledge':
      return t('partners.audit.group.pledge');
    case 'desk':
      return t('partners.audit.group.desk');
    case 'booking':
      return t('partners.audit.group.booking');
    case 'volunteer':
      return t('partners.audit.group.volunteer');
    case 'export':
      return t('partners.audit.group.export');
    case 'gdpr':
      return t('partners.audit.group.gdpr');
  }
}

export interface AuditEntry {
  actorUserId: number | null;
  actorName: string | null;
  action: string;
  subject: string | null;
}

/** "event:festa-di-natale-2026" → "festa-di-natale-2026"; "user:12" → "n. 12" is left to the sentence. */
const subjectName = (subject: string | null) => (subject ? subject.replace(/^[a-z_]+:/, '') : '');

export function auditSentence(entry: AuditEntry, t: Translate): string {
  const who =
    entry.actorName ??
    (entry.actorUserId === null ? t('partners.audit.system') : t('partners.audit.someone', { id: entry.actorUserId }));
  const values = { who, subject: subjectName(entry.subject), action: entry.action };
  const key = `partners.audit.action.${entry.action}`;
  return key in messages.it ? t(key, values) : t('partners.audit.action.unknown', values);
}

/** The detail as "key: value" facts, for the eye (never nested JSON). */
export function auditFacts(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(' · ');
}
