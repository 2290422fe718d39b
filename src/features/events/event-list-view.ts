// What the staff list of events (/{it|en}/staff/eventi) shows: the events the person may edit or
// moderate, grouped by status, moderators' "to review" first (shown to them even when empty). Pure.
import type { Translate } from '#/lib/i18n.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import { eventActions, type StaffEvent } from './staff-events.ts';

export interface EventGroup {
  id: string;
  title: string;
  events: StaffEvent[];
}

/** `changeWaiting`: published events whose edit waits for review (event-revisions.ts): moderators review them first. */
export function eventGroups(
  events: readonly StaffEvent[],
  actor: Actor,
  t: Translate,
  changeWaiting: ReadonlySet<number> = new Set(),
): EventGroup[] {
  const publishable = (e: StaffEvent) => eventActions(actor, e, changeWaiting.has(e.id)).publish;
  const withStatus = (status: StaffEvent['status']) => events.filter((e) => e.status === status);
  const groups: EventGroup[] = [
    { id: 'to-review', title: t('staff.event.group.toReview'), events: events.filter(publishable) },
    { id: 'drafts', title: t('staff.event.group.draft'), events: withStatus('draft') },
    {
      id: 'submitted',
      title: t('staff.event.group.submitted'),
      events: withStatus('submitted').filter((e) => !publishable(e)),
    },
    {
      id: 'published',
      title: t('staff.event.group.published'),
      events: withStatus('published').filter((e) => !publishable(e)),
    },
    { id: 'cancelled', title: t('staff.event.group.cancelled'), events: withStatus('cancelled') },
  ];
  const moderator = actor.role === 'coordinator' || actor.role === 'admin';
  return groups.filter((g) => g.events.length > 0 || (g.id === 'to-review' && moderator));
}
