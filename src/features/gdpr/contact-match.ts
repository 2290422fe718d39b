// The GDPR desk's match on a person's key, shared by every table it searches: the email (lower-cased:
// older rows may not be) or the phone, and an id list never empty (`in ()` is not SQL).
import { sql } from 'kysely';

export type ContactTable = 'booking' | 'pledge' | 'volunteer' | 'event_registration' | 'wait_entry';

/** WHERE email/phone match, case-insensitive on the email. */
export function contactMatch(key: { email: string | null; phone: string | null }, table: ContactTable) {
  const parts = [];
  if (key.email) parts.push(sql`lower(${sql.ref(`${table}.email`)}) = ${key.email}`);
  if (key.phone) parts.push(sql`${sql.ref(`${table}.phone`)} = ${key.phone}`);
  return sql<boolean>`(${sql.join(parts, sql` or `)})`;
}

const none = [-1];
export const inIds = (ids: number[]) => (ids.length ? ids : none);
