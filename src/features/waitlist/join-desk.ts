// "Tell me if a place opens" at a desk (issue #13): a family waits for a place on any day from
// `fromDay` to `toDay` (Rome dates, today onwards, at most MAX_RANGE_DAYS), with a name, one
// contact and its language — the same fields and rules as a sign-up's (events/party.ts), one
// person. Pending until the code sent to its contact confirms it, as for events (join-event.ts).
import type { Db } from '#/server/db/database.ts';
import { scopedSubmissionKey } from '#/server/security/submission-key.ts';
import { romeDateString } from '#/lib/time.ts';
import { toLatinDigits } from '#/lib/contact.ts';
import { parsePartyJson, type Parsed } from '#/features/events/party.ts';
import type { Locale } from '#/lib/locales.ts';
import { checkWaitLimits, type WaitRefusal } from './wait-limits.ts';
import { insertWaitEntry } from './wait-token.ts';
import { JoinRefused, joinPending, type JoinOutcome } from './join-pending.ts';

export const MAX_RANGE_DAYS = 60;
const E = 'waitlist.desk.error.';

export interface DeskWait {
  fromDay: string;
  toDay: string;
  name: string;
  phone: string | null;
  email: string | null;
  locale: Locale;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const dayNumber = (day: string) => Date.UTC(+day.slice(0, 4), +day.slice(5, 7) - 1, +day.slice(8, 10)) / 86_400_000;
function realDay(raw: unknown): string | undefined {
  const day = toLatinDigits(typeof raw === 'string' ? raw : '').trim();
  const m = DAY.exec(day);
  if (!m) return undefined;
  const d = new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!));
  return d.toISOString().slice(0, 10) === day ? day : undefined;
}

/** The form's or the API's fields: the days, then the person as a party of one adult. */
export function parseDeskWait(body: Record<string, unknown>, now: Date = new Date()): Parsed<DeskWait> {
  const fields: Record<string, string> = {};
  const fromDay = realDay(body.fromDay);
  const toDay = realDay(body.toDay);
  const today = romeDateString(now);
  if (!fromDay) fields.fromDay = `${E}dayInvalid`;
  else if (fromDay < today) fields.fromDay = `${E}past`;
  if (!toDay) fields.toDay = `${E}dayInvalid`;
  else if (fromDay && toDay < fromDay) fields.toDay = `${E}order`;
  else if (fromDay && dayNumber(toDay) - dayNumber(fromDay) > MAX_RANGE_DAYS) fields.toDay = `${E}tooLong`;
  const person = parsePartyJson({ ...body, adults: 1, children: [] });
  if (!person.ok) Object.assign(fields, person.fields);
  if (!person.ok || Object.keys(fields).length > 0 || !fromDay || !toDay) return { ok: false, fields };
  const { name, phone, email, locale } = person.value;
  return { ok: true, value: { fromDay, toDay, name, phone, email, locale } };
}

export type DeskJoinOutcome = JoinOutcome<WaitRefusal>;

export async function joinDeskWaitlist(
  db: Db,
  desk: { id: number; slug: string },
  wait: DeskWait,
  options: { client: string; submissionKey?: string | null; now?: Date },
): Promise<DeskJoinOutcome> {
  const now = options.now ?? new Date();
  const submissionKey = scopedSubmissionKey(options.submissionKey ?? null, wait);
  return joinPending<WaitRefusal>(
    db,
    { column: 'desk_id', id: desk.id },
    { submissionKey, now, contact: wait },
    async (trx, secret, expiresAt) => {
      const refused = await checkWaitLimits(
        trx,
        { client: options.client, phone: wait.phone, email: wait.email, deskId: desk.id },
        now,
      );
      if (refused) throw new JoinRefused<WaitRefusal>(refused);
      return insertWaitEntry(trx, secret, {
        desk_id: desk.id,
        from_day: wait.fromDay,
        to_day: wait.toDay,
        adults: 1,
        seats: 1,
        name: wait.name,
        phone: wait.phone,
        email: wait.email,
        locale: wait.locale,
        client: options.client,
        submission_key: submissionKey,
        status: 'pending',
        hold_expires_at: expiresAt,
      });
    },
  );
}
