// Who may do what, as one pure function. Every staff page and action calls `can` with the object
// it is about to touch; nothing is authorized by the shape of a URL.
//   admin (the Comune): everything.
//   coordinator of municipi: desks, agendas, event moderation, pledges, volunteers of those municipi.
//   desk operator of desks: the agenda and the hours of those desks.
//   partner editor of one organisation: that organisation's events.
export type Role = 'admin' | 'coordinator' | 'desk_operator' | 'partner_editor';

export interface Actor {
  id: number;
  role: Role;
  organisationId: number | null;
  /** Municipi a coordinator is responsible for. */
  municipi: readonly number[];
  /** Desks a desk operator works at. */
  desks: readonly number[];
}

export type Operation =
  | { kind: 'desk.agenda'; desk: { id: number; municipioId: number } } // see, book for a family, cancel, mark attended, export
  | { kind: 'desk.settings'; desk: { id: number; municipioId: number } } // hours, slot length, capacity, closures
  | { kind: 'event.create'; organisationId: number | null; municipioId: number | null }
  | { kind: 'event.edit'; event: { ownerOrganisationId: number | null; municipioId: number | null } }
  | { kind: 'event.moderate'; event: { municipioId: number | null } } // publish, send back with a reason
  | { kind: 'pledges.manage'; municipioId: number } // see pledges of a drop-off point, mark received, export
  | { kind: 'campaign.edit'; campaign: { municipi: readonly number[] } } // items and targets; municipi of its drop-off points
  | { kind: 'volunteers.manage'; municipi: readonly number[] } // see, filter, set status, export
  | { kind: 'figures.view'; municipi: readonly number[] | 'city' } // the dashboard's aggregates (issue #15)
  | {
      kind: 'user.invite';
      role: Role;
      municipi: readonly number[];
      desks: readonly { id: number; municipioId: number }[];
      organisation?: { id: number; municipioId: number | null } | null;
    }
  | { kind: 'users.manage' } // list, disable, change roles
  | { kind: 'gdpr' }
  | { kind: 'audit.view' }
  | { kind: 'ratings.view' } // the answers of "Valuta questo servizio": no personal data, the whole site
  | { kind: 'accessibility.feedback' }; // the accessibility statement's reports: read, mark answered

const coordinates = (actor: Actor, municipioId: number | null) =>
  municipioId !== null && actor.municipi.includes(municipioId);

export function can(actor: Actor, op: Operation): boolean {
  if (actor.role === 'admin') return true;
  switch (op.kind) {
    case 'desk.agenda':
    case 'desk.settings':
      return (
        (actor.role === 'coordinator' && coordinates(actor, op.desk.municipioId)) ||
        (actor.role === 'desk_operator' && actor.desks.includes(op.desk.id))
      );
    case 'event.create':
      return (
        (actor.role === 'partner_editor' && op.organisationId !== null && op.organisationId === actor.organisationId) ||
        (actor.role === 'coordinator' && coordinates(actor, op.municipioId))
      );
    case 'event.edit':
      return (
        (actor.role === 'partner_editor' &&
          op.event.ownerOrganisationId !== null &&
          op.event.ownerOrganisationId === actor.organisationId) ||
        (actor.role === 'coordinator' && coordinates(actor, op.event.municipioId))
      );
    case 'event.moderate':
      return actor.role === 'coordinator' && coordinates(actor, op.event.municipioId);
    case 'pledges.manage':
      return actor.role === 'coordinator' && coordinates(actor, op.municipioId);
    case 'campaign.edit':
      // A coordinator edits a campaign collected in one of their municipi (a drop-off point there),
      // not any campaign of the city; one with no drop-off point yet is the Comune's.
      return actor.role === 'coordinator' && op.campaign.municipi.some((m) => actor.municipi.includes(m));
    case 'volunteers.manage':
      return actor.role === 'coordinator' && op.municipi.some((m) => actor.municipi.includes(m));
    case 'figures.view':
      // A coordinator sees the figures of their own municipi only; the whole city is the Comune's.
      return (
        actor.role === 'coordinator' &&
        op.municipi !== 'city' &&
        op.municipi.length > 0 &&
        op.municipi.every((m) => actor.municipi.includes(m))
      );
    case 'user.invite':
      // Coordinators bring in desk operators and partners for their own municipi, nothing above.
      return (
        actor.role === 'coordinator' &&
        (op.role === 'desk_operator' || op.role === 'partner_editor') &&
        op.municipi.every((m) => actor.municipi.includes(m)) &&
        op.desks.every((d) => actor.municipi.includes(d.municipioId)) &&
        // A partner editor's organisation must belong to one of the coordinator's municipi.
        (op.role !== 'partner_editor' || (op.organisation != null && coordinates(actor, op.organisation.municipioId)))
      );
    case 'ratings.view':
    case 'accessibility.feedback':
      return actor.role === 'coordinator';
    case 'users.manage':
    case 'gdpr':
    case 'audit.view':
      return false;
  }
}
