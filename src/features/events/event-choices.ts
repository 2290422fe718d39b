// The choices the event form offers a staff member, the same for the page that shows it and the
// action that checks it: the municipi they may write events in, and the organisations they may
// name as organiser (none for a partner, who always writes for their own).
import type { Db } from '#/server/db/database.ts';
import { can, type Actor } from '#/features/staff-accounts/policy.ts';
import { listMunicipi } from '#/features/desks/desks.ts';
import { listOrganisations, municipiForNewEvents, type StaffEvent } from './staff-events.ts';

type Organisation = Awaited<ReturnType<typeof listOrganisations>>[number];

export interface EventChoices {
  municipi: number[];
  /** null for a partner: the organisation field is not offered. */
  organisations: Organisation[] | null;
  /** The partner's own organisation (named on the form). */
  ownOrganisation: Organisation | undefined;
}

/** For a new event: the municipi the actor may create events in. */
export async function newEventChoices(
  db: Db,
  actor: Actor,
): Promise<EventChoices & { defaultMunicipio: number | null }> {
  const [allMunicipi, allOrganisations] = await Promise.all([listMunicipi(db), listOrganisations(db)]);
  const municipi = municipiForNewEvents(
    actor,
    allMunicipi.map((m) => m.id),
  );
  const isPartner = actor.role === 'partner_editor';
  const ownOrganisation = allOrganisations.find((o) => o.id === actor.organisationId);
  const defaultMunicipio =
    municipi.length === 1
      ? municipi[0]!
      : isPartner && ownOrganisation?.municipioId && municipi.includes(ownOrganisation.municipioId)
        ? ownOrganisation.municipioId
        : null;
  return { municipi, organisations: isPartner ? null : allOrganisations, ownOrganisation, defaultMunicipio };
}

/** For an existing event: where it may be moved (the municipi the actor may edit events in, and its own). */
export async function eventChoices(db: Db, actor: Actor, event: StaffEvent): Promise<EventChoices> {
  const [allMunicipi, allOrganisations] = await Promise.all([listMunicipi(db), listOrganisations(db)]);
  const municipi = allMunicipi
    .map((m) => m.id)
    .filter(
      (m) =>
        can(actor, { kind: 'event.edit', event: { ownerOrganisationId: event.ownerOrganisationId, municipioId: m } }) ||
        m === event.municipioId,
    );
  const isPartner = actor.role === 'partner_editor';
  return {
    municipi,
    organisations: isPartner ? null : allOrganisations,
    ownOrganisation: allOrganisations.find((o) => o.id === actor.organisationId),
  };
}
