// The audit page's filters as its GET form sends them (?chi=<user id>&cosa=<group>&dal=<day>&al=<day>):
// read and checked here; anything malformed is dropped (a date typed wrong is said so, not a 404).
import { parseFormDate } from '#/features/events/event-form.ts';
import { romeToInstant } from '#/lib/time.ts';
import { isAuditGroup, type AuditGroup } from './audit-sentences.ts';

export interface AuditFilterForm {
  chi: string;
  cosa: string;
  dal: string;
  al: string;
}

export function readAuditFilters(params: URLSearchParams) {
  const raw = (name: string) => (params.get(name) ?? '').slice(0, 40).trim();
  const form: AuditFilterForm = { chi: raw('chi'), cosa: raw('cosa'), dal: raw('dal'), al: raw('al') };
  const actorUserId = /^[1-9][0-9]{0,9}$/.test(form.chi) ? Number(form.chi) : undefined;
  const group: AuditGroup | undefined = isAuditGroup(form.cosa) ? form.cosa : undefined;
  const day = (value: string) => (value ? parseFormDate(value) : undefined);
  const from = day(form.dal);
  const to = day(form.al);
  const badDate = Boolean((form.dal && !from) || (form.al && !to));
  return {
    form,
    badDate,
    active: Boolean(actorUserId || group || from || to),
    filters: {
      actorUserId,
      group,
      from: from && romeToInstant(from.year, from.month, from.day),
      // The whole last day: up to the start of the next.
      to: to && romeToInstant(to.year, to.month, to.day + 1),
    },
    /** The filters as a query, kept by the pager's links. */
    query: new URLSearchParams(Object.entries(form).filter(([, v]) => v !== '')).toString(),
  };
}
