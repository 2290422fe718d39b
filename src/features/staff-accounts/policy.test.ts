import { describe, expect, it } from 'vitest';
import { can, type Actor, type Operation } from './policy.ts';

const admin: Actor = { id: 1, role: 'admin', organisationId: null, municipi: [], desks: [] };
const coord8: Actor = { id: 2, role: 'coordinator', organisationId: null, municipi: [8], desks: [] };
const operatorQO: Actor = { id: 3, role: 'desk_operator', organisationId: null, municipi: [], desks: [10] };
const partnerA: Actor = { id: 4, role: 'partner_editor', organisationId: 100, municipi: [], desks: [] };

const deskQO = { id: 10, municipioId: 8 };
const deskM2 = { id: 20, municipioId: 2 };
const eventOfA8 = { ownerOrganisationId: 100, municipioId: 8 };
const eventOfB2 = { ownerOrganisationId: 200, municipioId: 2 };

// The whole matrix: each role × each operation × an in-scope and an out-of-scope object.
const matrix: [string, Operation, Record<'admin' | 'coord8' | 'operatorQO' | 'partnerA', boolean>][] = [
  [
    'agenda of own desk',
    { kind: 'desk.agenda', desk: deskQO },
    { admin: true, coord8: true, operatorQO: true, partnerA: false },
  ],
  [
    'agenda of other desk',
    { kind: 'desk.agenda', desk: deskM2 },
    { admin: true, coord8: false, operatorQO: false, partnerA: false },
  ],
  [
    'settings of own desk',
    { kind: 'desk.settings', desk: deskQO },
    { admin: true, coord8: true, operatorQO: true, partnerA: false },
  ],
  [
    'settings of other desk',
    { kind: 'desk.settings', desk: deskM2 },
    { admin: true, coord8: false, operatorQO: false, partnerA: false },
  ],
  [
    'create event for own organisation',
    { kind: 'event.create', organisationId: 100, municipioId: 8 },
    { admin: true, coord8: true, operatorQO: false, partnerA: true },
  ],
  [
    'create event for another organisation elsewhere',
    { kind: 'event.create', organisationId: 200, municipioId: 2 },
    { admin: true, coord8: false, operatorQO: false, partnerA: false },
  ],
  [
    'edit own event',
    { kind: 'event.edit', event: eventOfA8 },
    { admin: true, coord8: true, operatorQO: false, partnerA: true },
  ],
  [
    'edit another partner’s event',
    { kind: 'event.edit', event: eventOfB2 },
    { admin: true, coord8: false, operatorQO: false, partnerA: false },
  ],
  [
    'moderate event in own municipio',
    { kind: 'event.moderate', event: eventOfA8 },
    { admin: true, coord8: true, operatorQO: false, partnerA: false },
  ],
  [
    'moderate event elsewhere',
    { kind: 'event.moderate', event: eventOfB2 },
    { admin: true, coord8: false, operatorQO: false, partnerA: false },
  ],
  [
    'pledges of own municipio',
    { kind: 'pledges.manage', municipioId: 8 },
    { admin: true, coord8: true, operatorQO: false, partnerA: false },
  ],
  [
    'pledges elsewhere',
    { kind: 'pledges.manage', municipioId: 2 },
    { admin: true, coord8: false, operatorQO: false, partnerA: false },
  ],
  [
    'items of a campaign collected in own municipio',
    { kind: 'campaign.edit', campaign: { municipi: [8] } },
    { admin: true, coord8: true, operatorQO: false, partnerA: false },
  ],
  [
    'items of a campaign collected in own municipio and elsewhere',
    { kind: 'campaign.edit', campaign: { municipi: [2, 8] } },
    { admin: true, coord8: true, operatorQO: false, partnerA: false },
  ],
  [
    'items of a campaign collected elsewhere',
    { kind: 'campaign.edit', campaign: { municipi: [2] } },
    { admin: true, coord8: false, operatorQO: false, partnerA: false },
  ],
  [
    'items of a campaign without drop-off points',
    { kind: 'campaign.edit', campaign: { municipi: [] } },
    { admin: true, coord8: false, operatorQO: false, partnerA: false },
  ],
  [
    'volunteers of own municipio',
    { kind: 'volunteers.manage', municipi: [2, 8] },
    { admin: true, coord8: true, operatorQO: false, partnerA: false },
  ],
  [
    'volunteers elsewhere',
    { kind: 'volunteers.manage', municipi: [2] },
    { admin: true, coord8: false, operatorQO: false, partnerA: false },
  ],
  [
    'invite operator for own desk',
    { kind: 'user.invite', role: 'desk_operator', municipi: [], desks: [deskQO] },
    { admin: true, coord8: true, operatorQO: false, partnerA: false },
  ],
  [
    'invite operator for other desk',
    { kind: 'user.invite', role: 'desk_operator', municipi: [], desks: [deskM2] },
    { admin: true, coord8: false, operatorQO: false, partnerA: false },
  ],
  [
    'invite a partner of an organisation in own municipio',
    { kind: 'user.invite', role: 'partner_editor', municipi: [], desks: [], organisation: { id: 100, municipioId: 8 } },
    { admin: true, coord8: true, operatorQO: false, partnerA: false },
  ],
  [
    'invite a partner of an organisation elsewhere',
    { kind: 'user.invite', role: 'partner_editor', municipi: [], desks: [], organisation: { id: 200, municipioId: 2 } },
    { admin: true, coord8: false, operatorQO: false, partnerA: false },
  ],
  [
    'invite a coordinator',
    { kind: 'user.invite', role: 'coordinator', municipi: [8], desks: [] },
    { admin: true, coord8: false, operatorQO: false, partnerA: false },
  ],
  [
    'invite an admin',
    { kind: 'user.invite', role: 'admin', municipi: [], desks: [] },
    { admin: true, coord8: false, operatorQO: false, partnerA: false },
  ],
  ['manage users', { kind: 'users.manage' }, { admin: true, coord8: false, operatorQO: false, partnerA: false }],
  ['GDPR desk', { kind: 'gdpr' }, { admin: true, coord8: false, operatorQO: false, partnerA: false }],
  ['audit log', { kind: 'audit.view' }, { admin: true, coord8: false, operatorQO: false, partnerA: false }],
  [
    'figures of own municipio',
    { kind: 'figures.view', municipi: [8] },
    { admin: true, coord8: true, operatorQO: false, partnerA: false },
  ],
  [
    'figures of another municipio',
    { kind: 'figures.view', municipi: [8, 2] },
    { admin: true, coord8: false, operatorQO: false, partnerA: false },
  ],
  [
    'figures of the whole city',
    { kind: 'figures.view', municipi: 'city' },
    { admin: true, coord8: false, operatorQO: false, partnerA: false },
  ],
  ['ratings of the site', { kind: 'ratings.view' }, { admin: true, coord8: true, operatorQO: false, partnerA: false }],
  [
    'accessibility reports',
    { kind: 'accessibility.feedback' },
    { admin: true, coord8: true, operatorQO: false, partnerA: false },
  ],
];

describe('authorization policy', () => {
  const actors = { admin, coord8, operatorQO, partnerA };
  for (const [name, op, expected] of matrix) {
    it(name, () => {
      const actual = Object.fromEntries(Object.entries(actors).map(([who, actor]) => [who, can(actor, op)]));
      expect(actual).toEqual(expected);
    });
  }

  it('a partner without an organisation can edit no event', () => {
    expect(
      can(
        { ...partnerA, organisationId: null },
        { kind: 'event.edit', event: { ownerOrganisationId: null, municipioId: 8 } },
      ),
    ).toBe(false);
  });
});
