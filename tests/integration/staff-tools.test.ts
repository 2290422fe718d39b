// The coordinators' tools against the real database: drop-off points and windows in scope, pledges
// marked received / not brought (quantities kept or given back), the CSV of pledges to collect,
// items and targets (a target below what is pledged refused by the CHECK), volunteers filtered and
// their status, the volunteers' CSV, and user administration. Every forbidden call changes nothing;
// every export is in the audit log with counts only. PGlite by default, PostgreSQL with TEST_DATABASE_URL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import { createPledge, type NewPledge } from '#/features/campaign/create-pledge.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { createSession, generateSessionToken } from '#/features/staff-accounts/session.ts';
import { loadActor } from '#/features/staff-accounts/actor.ts';
import { inviteUser } from '#/features/staff-accounts/invitations.ts';
import { getTranslator } from '#/lib/i18n.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import { addCampaignItem, listCampaignItems, parseTarget, updateTargets } from '#/features/campaign/campaign-items.ts';
import { exportWindowCsv } from '#/features/campaign/pledge-csv.ts';
import { getCollectionWindow, type WindowInfo } from '#/features/campaign/pledge-view.ts';
import { listCollectionPoints, listWindowPledges, type StaffPledge } from '#/features/campaign/staff-pledge-queries.ts';
import { markPledge } from '#/features/campaign/mark-pledge.ts';
import {
  exportVolunteersCsv,
  filtersQuery,
  listVolunteers,
  readVolunteerFilters,
  setVolunteerStatus,
  type StaffVolunteer,
} from '#/features/volunteers/staff-volunteers.ts';
import {
  changeStaffRole,
  checkInvite,
  disableStaffUser,
  inviteChoices,
  listUsersFor,
  readInviteForm,
  type InviteValues,
} from '#/features/staff-accounts/user-admin.ts';

let t: TestDatabase;
const now = new Date('2026-11-24T10:00:00Z');
const actors: Record<'admin' | 'coord8' | 'coord5' | 'coord2' | 'operator' | 'partner', Actor> = {} as never;
const userIds: Record<string, number> = {};
let window8: WindowInfo;
let window5: WindowInfo;
const pledgeIds: Record<string, number> = {};
const volunteerIds: Record<string, number> = {};
const it_ = getTranslator('it');

const audits = (action: string) =>
  t.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();
const item = (slug: string) =>
  t.db.selectFrom('campaign_item').select(['target', 'pledged']).where('slug', '=', slug).executeTakeFirstOrThrow();
const status = async (id: number) =>
  (await t.db.selectFrom('pledge').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, now);
  const campaign = (await t.db.selectFrom('campaign').select('id').executeTakeFirstOrThrow()).id;
  // A drop-off point in Municipio 5: outside the Municipio 8 coordinator's scope.
  const point5 = await t.db
    .insertInto('drop_off_point')
    .values({
      campaign_id: campaign,
      slug: 'gratosoglio',
      name: 'Spazio QuBì Gratosoglio',
      address: 'Via Saponaro 1',
      municipio_id: 5,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const w5 = await t.db
    .insertInto('collection_window')
    .values({
      drop_off_point_id: point5.id,
      starts_at: new Date('2026-12-03T15:00:00Z'),
      ends_at: new Date('2026-12-03T17:00:00Z'),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const w8 = await t.db
    .selectFrom('collection_window')
    .innerJoin('drop_off_point', 'drop_off_point.id', 'collection_window.drop_off_point_id')
    .select('collection_window.id')
    .where('drop_off_point.slug', '=', 'quarto-oggiaro')
    .orderBy('collection_window.starts_at')
    .executeTakeFirstOrThrow();
  window8 = (await getCollectionWindow(t.db, w8.id))!;
  window5 = (await getCollectionWindow(t.db, w5.id))!;

  const desk8 = (
    await t.db.selectFrom('desk').select('id').where('slug', '=', 'quarto-oggiaro').executeTakeFirstOrThrow()
  ).id;
  const org5 = (
    await t.db.selectFrom('organisation').select('id').where('name', '=', 'Comunità Oklahoma').executeTakeFirstOrThrow()
  ).id;
  const people = {
    admin: { email: 'admin@comune.example', displayName: 'Admin', role: 'admin' },
    coord8: { email: 'coord8@comune.example', displayName: 'Coord Otto', role: 'coordinator', municipi: [8] },
    coord5: { email: 'coord5@comune.example', displayName: 'Coord Cinque', role: 'coordinator', municipi: [5] },
    coord2: { email: 'coord2@comune.example', displayName: 'Coord Due', role: 'coordinator', municipi: [2] },
    operator: { email: 'desk@comune.example', displayName: 'Operatore QO', role: 'desk_operator', desks: [desk8] },
    partner: {
      email: 'partner@oklahoma.example',
      displayName: 'Partner Oklahoma',
      role: 'partner_editor',
      organisationId: org5,
    },
  } as const;
  for (const [who, user] of Object.entries(people)) {
    userIds[who] = await createUser(t.db, {
      ...user,
      municipi: 'municipi' in user ? [...user.municipi] : undefined,
      desks: 'desks' in user ? [...user.desks] : undefined,
    });
    const u = await t.db.selectFrom('app_user').selectAll().where('id', '=', userIds[who]!).executeTakeFirstOrThrow();
    actors[who as keyof typeof actors] = await loadActor(t.db, {
      id: u.id,
      email: u.email,
      displayName: u.display_name,
      role: u.role,
      organisationId: u.organisation_id,
      totpEnabled: false,
    });
  }

  const pledge = (over: Partial<NewPledge>): NewPledge => ({
    campaignSlug: 'zaino-sospeso',
    lines: [{ item: 'zaino', quantity: 1 }],
    collectionWindowId: window8.id,
    firstName: 'Luca',
    email: 'luca@example.org',
    phone: '+393401234567',
    locale: 'it',
    submissionKey: null,
    ...over,
  });
  const make = async (name: string, over: Partial<NewPledge>) => {
    const r = await createPledge(t.db, pledge(over), now);
    if (!r.ok) throw new Error(`pledge ${name}: ${r.reason}`);
    pledgeIds[name] = r.pledge.id;
  };
  await make('luca', {
    lines: [
      { item: 'zaino', quantity: 2 },
      { item: 'colla', quantity: 3 },
    ],
  });
  await make('formula', {
    firstName: '=HYPERLINK("http://x")',
    phone: '+393400000001',
    email: null,
    lines: [{ item: 'astuccio', quantity: 1 }],
  });
  await make('anna', {
    firstName: 'Anna',
    phone: null,
    email: 'anna@example.org',
    lines: [{ item: 'diario', quantity: 4 }],
  });
  await make('elsewhere', {
    collectionWindowId: window5.id,
    firstName: 'Giulia',
    lines: [{ item: 'zaino', quantity: 1 }],
  });

  const volunteer = async (name: string, municipi: number[], over: Record<string, unknown> = {}) =>
    (
      await t.db
        .insertInto('volunteer')
        .values({
          name,
          email: `${name.toLowerCase().replace(/\s+/g, '.')}@example.org`,
          phone: '+393331234567',
          municipi,
          skills: ['homework'],
          languages: ['it'],
          availability: ['mon-morning'],
          note: 'Nota riservata',
          locale: 'it',
          status: 'new',
          withdraw_key: 'k'.repeat(32),
          consent_at: now,
          confirmed_at: now,
          ...over,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  volunteerIds.otto = await volunteer('Otto Ottavi', [8], {
    skills: ['translation', 'events'],
    languages: ['it', 'ar'],
    availability: ['sat-morning'],
  });
  volunteerIds.both = await volunteer('Bea Both', [5, 8], { status: 'active' });
  volunteerIds.cinque = await volunteer('Cinzia Cinque', [5], { languages: ['ar'] });
  volunteerIds.unconfirmed = await volunteer('Ugo Unconfirmed', [8], { status: 'unconfirmed', confirmed_at: null });
  volunteerIds.formula = await volunteer('=cmd|calc', [8], { phone: null });
});
afterAll(() => t.close());

describe(`pledges to collect (${process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite'})`, () => {
  it('lists only the drop-off points of the coordinator’s municipi, with open pledges per window', async () => {
    const mine = await listCollectionPoints(t.db, actors.coord8, now);
    expect(mine.map((p) => p.municipioId)).toEqual([8, 8, 8]);
    const qo = mine.find((p) => p.slug === 'quarto-oggiaro')!;
    expect(qo.windows[0]).toMatchObject({ id: window8.id, open: 3, total: 3 });
    expect((await listCollectionPoints(t.db, actors.coord5, now)).map((p) => p.slug)).toEqual(['gratosoglio']);
    expect((await listCollectionPoints(t.db, actors.admin, now)).map((p) => p.slug).sort()).toEqual([
      'gallaratese',
      'gratosoglio',
      'quarto-oggiaro',
      'villapizzone',
    ]);
    for (const who of ['coord2', 'operator', 'partner'] as const)
      expect(await listCollectionPoints(t.db, actors[who], now)).toEqual([]);
  });

  it('shows a window’s pledges in scope (reference, first name, items; never the email) and refuses others', async () => {
    const list = (await listWindowPledges(t.db, actors.coord8, window8)) as StaffPledge[];
    expect(list.map((p) => p.firstName)).toEqual(['=HYPERLINK("http://x")', 'Anna', 'Luca']);
    expect(list.find((p) => p.firstName === 'Luca')!.lines).toEqual([
      { name: expect.objectContaining({ it: 'Zaino' }), quantity: 2 },
      { name: expect.objectContaining({ it: 'Colla stick' }), quantity: 3 },
    ]);
    expect(JSON.stringify(list)).not.toContain('@example.org');
    expect(await listWindowPledges(t.db, actors.coord8, window5)).toBe('forbidden');
    expect(await listWindowPledges(t.db, actors.operator, window8)).toBe('forbidden');
    expect(await listWindowPledges(t.db, actors.admin, window5)).toHaveLength(1);
  });

  it('marks received (quantities stay) and not brought (quantities needed again), once', async () => {
    const zaino = await item('zaino');
    const diario = await item('diario');
    expect(await markPledge(t.db, actors.coord8, pledgeIds.luca!, 'received', now)).toMatchObject({
      ok: true,
      windowId: window8.id,
      campaignSlug: 'zaino-sospeso',
    });
    expect(await item('zaino')).toEqual(zaino);
    expect(await markPledge(t.db, actors.coord8, pledgeIds.anna!, 'not_brought', now)).toMatchObject({ ok: true });
    expect((await item('diario')).pledged).toBe(diario.pledged - 4);
    expect(await markPledge(t.db, actors.coord8, pledgeIds.anna!, 'received', now)).toEqual({
      ok: false,
      reason: 'not_open',
    });
    expect(await status(pledgeIds.anna!)).toBe('not_brought');
    expect(await markPledge(t.db, actors.coord8, 99999999, 'received', now)).toEqual({
      ok: false,
      reason: 'not_found',
    });
    const marks = [...(await audits('pledge.received')), ...(await audits('pledge.not_brought'))];
    expect(marks.map((a) => a.subject).sort()).toEqual([`pledge:${pledgeIds.anna}`, `pledge:${pledgeIds.luca}`].sort());
    expect(marks.every((a) => a.actor_user_id === userIds.coord8)).toBe(true);
  });

  it('refuses to mark another municipio’s pledge, or for a role without pledges: nothing changes', async () => {
    const zaino = await item('zaino');
    for (const who of ['coord8', 'coord2', 'operator', 'partner'] as const) {
      expect(await markPledge(t.db, actors[who], pledgeIds.elsewhere!, 'not_brought', now)).toEqual({
        ok: false,
        reason: 'forbidden',
      });
    }
    expect(await markPledge(t.db, actors.operator, pledgeIds.formula!, 'received', now)).toEqual({
      ok: false,
      reason: 'forbidden',
    });
    expect(await status(pledgeIds.elsewhere!)).toBe('pledged');
    expect(await status(pledgeIds.formula!)).toBe('pledged');
    expect(await item('zaino')).toEqual(zaino);
  });

  it('exports the pledges still to collect: only the needed columns, formulas neutralised, in the audit log', async () => {
    const result = await exportWindowCsv(t.db, actors.coord8, window8, { t: it_, locale: 'it' });
    if (result === 'forbidden') throw new Error('unexpected');
    expect(result.rows).toBe(1);
    const lines = result.csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('Riferimento;Nome;Telefono;Articoli;Lingua');
    expect(lines[1]).toMatch(
      /^ZS-[A-Z0-9]{4}-[A-Z0-9]{2};"'=HYPERLINK\(""http:\/\/x""\)";'\+393400000001;1 × Astuccio completo;italiano$/,
    );
    expect(lines).toHaveLength(3);
    expect(result.csv).not.toContain('@');
    expect(result.filename).toMatch(/^zaino-sospeso-quarto-oggiaro-\d{4}-\d{2}-\d{2}-\d{4}\.csv$/);
    const [audit] = await audits('export.pledges');
    expect(audit).toMatchObject({
      actor_user_id: userIds.coord8,
      subject: `window:${window8.id}`,
      detail: { window: window8.id, point: 'quarto-oggiaro', rows: 1 },
    });
    expect(JSON.stringify(audit)).not.toMatch(/HYPERLINK|3400000001/);
    expect(await exportWindowCsv(t.db, actors.coord8, window5, { t: it_, locale: 'it' })).toBe('forbidden');
    expect(await exportWindowCsv(t.db, actors.partner, window8, { t: it_, locale: 'it' })).toBe('forbidden');
    expect(await audits('export.pledges')).toHaveLength(1);
  });
});

describe('items and targets', () => {
  it('reads targets as whole numbers from 1', () => {
    expect(parseTarget('40')).toBe(40);
    expect(parseTarget(' 1 000 ')).toBe(1000);
    for (const bad of ['0', '-3', '2.5e3', 'abc', '', '1000001', undefined]) expect(parseTarget(bad)).toBeUndefined();
  });

  it('changes targets, all or nothing, and refuses one below what is pledged (the CHECK) with the count', async () => {
    const items = (await listCampaignItems(t.db))!.items;
    const zaino = items.find((i) => i.slug === 'zaino')!;
    const forbici = items.find((i) => i.slug === 'forbici')!;
    expect(zaino.pledged).toBeGreaterThan(1);
    const refused = await updateTargets(
      t.db,
      actors.coord8,
      new Map([
        [forbici.id, '55'],
        [zaino.id, '1'],
      ]),
    );
    expect(refused).toEqual({
      ok: false,
      reason: 'invalid',
      errors: { [zaino.id]: { key: 'staff.pledges.items.error.belowPledged', pledged: zaino.pledged } },
    });
    expect((await item('forbici')).target).toBe(forbici.target);
    expect(await updateTargets(t.db, actors.coord8, new Map([[forbici.id, 'tanti']]))).toEqual({
      ok: false,
      reason: 'invalid',
      errors: { [forbici.id]: { key: 'staff.pledges.items.error.target' } },
    });
    expect(
      await updateTargets(
        t.db,
        actors.coord8,
        new Map([
          [forbici.id, '55'],
          [zaino.id, String(zaino.pledged)],
        ]),
      ),
    ).toEqual({ ok: true, changed: 2 });
    expect(await item('forbici')).toMatchObject({ target: 55 });
    expect(await item('zaino')).toMatchObject({ target: zaino.pledged, pledged: zaino.pledged });
    const [audit] = await audits('campaign.targets');
    expect(audit!.detail).toEqual({
      changes: [
        { item: 'zaino', from: zaino.target, to: zaino.pledged },
        { item: 'forbici', from: forbici.target, to: 55 },
      ],
    });
  });

  it('refuses items and targets to roles without campaign.edit, and to a coordinator of another municipio', async () => {
    const forbici = (await item('forbici')).target;
    const id = (await listCampaignItems(t.db))!.items.find((i) => i.slug === 'forbici')!.id;
    // The campaign is collected in Municipi 5 and 8: its items are not Municipio 2's to change.
    for (const who of ['operator', 'partner', 'coord2'] as const) {
      expect(await updateTargets(t.db, actors[who], new Map([[id, '99']]))).toEqual({ ok: false, reason: 'forbidden' });
      expect(await addCampaignItem(t.db, actors[who], { nameIt: 'Righello', nameEn: 'Ruler', target: '10' })).toEqual({
        ok: false,
        reason: 'forbidden',
      });
    }
    expect((await item('forbici')).target).toBe(forbici);
    expect((await listCampaignItems(t.db))!.items.map((i) => i.slug)).not.toContain('righello');
  });

  it('adds an item at the end, with a slug from its Italian name', async () => {
    expect(await addCampaignItem(t.db, actors.coord8, { nameIt: '', nameEn: '', target: '0' })).toEqual({
      ok: false,
      reason: 'invalid',
      errors: { nameIt: 'staff.pledges.items.error.nameRequired', target: 'staff.pledges.items.error.target' },
    });
    expect(await addCampaignItem(t.db, actors.coord8, { nameIt: 'zaino', nameEn: '', target: '5' })).toMatchObject({
      ok: false,
      errors: { nameIt: 'staff.pledges.items.error.nameTaken' },
    });
    const added = await addCampaignItem(t.db, actors.coord8, {
      nameIt: '  Righello   30 cm ',
      nameEn: 'Ruler',
      target: '25',
    });
    expect(added).toMatchObject({ ok: true });
    const items = (await listCampaignItems(t.db))!.items;
    expect(items.at(-1)).toMatchObject({
      slug: 'righello-30-cm',
      name: { it: 'Righello 30 cm', en: 'Ruler' },
      target: 25,
      pledged: 0,
    });
  });
});

describe('volunteers', () => {
  const names = (list: StaffVolunteer[] | 'forbidden') =>
    list === 'forbidden' ? list : list.map((v) => v.name).sort();

  it('reads filters from the query string and drops unknown values', () => {
    const { filters, invalid } = readVolunteerFilters(
      new URLSearchParams('municipio=8&skill=translation&language=ar&availability=sat-morning&status=new'),
    );
    expect(filters).toEqual({
      municipio: 8,
      skill: 'translation',
      language: 'ar',
      availability: 'sat-morning',
      status: 'new',
    });
    expect(invalid).toEqual([]);
    expect(
      readVolunteerFilters(new URLSearchParams('municipio=10&skill=x&status=unconfirmed&availability=mon')),
    ).toEqual({ filters: {}, invalid: ['municipio', 'skill', 'availability', 'status'] });
    expect(filtersQuery({ status: 'active', municipio: 8 })).toBe('?municipio=8&status=active');
    expect(filtersQuery({})).toBe('');
  });

  it('lists confirmed volunteers of the coordinator’s municipi, with filters', async () => {
    expect(names(await listVolunteers(t.db, actors.coord8, {}))).toEqual(['=cmd|calc', 'Bea Both', 'Otto Ottavi']);
    expect(names(await listVolunteers(t.db, actors.coord5, {}))).toEqual(['Bea Both', 'Cinzia Cinque']);
    expect(names(await listVolunteers(t.db, actors.admin, {}))).toEqual([
      '=cmd|calc',
      'Bea Both',
      'Cinzia Cinque',
      'Otto Ottavi',
    ]);
    expect(names(await listVolunteers(t.db, actors.coord8, { skill: 'translation' }))).toEqual(['Otto Ottavi']);
    expect(names(await listVolunteers(t.db, actors.coord8, { language: 'ar' }))).toEqual(['Otto Ottavi']);
    expect(names(await listVolunteers(t.db, actors.coord8, { availability: 'mon-morning' }))).toEqual([
      '=cmd|calc',
      'Bea Both',
    ]);
    expect(names(await listVolunteers(t.db, actors.coord8, { status: 'active' }))).toEqual(['Bea Both']);
    expect(names(await listVolunteers(t.db, actors.coord8, { municipio: 8, language: 'it' }))).toEqual([
      '=cmd|calc',
      'Bea Both',
      'Otto Ottavi',
    ]);
    expect(names(await listVolunteers(t.db, actors.admin, { municipio: 5, language: 'ar' }))).toEqual([
      'Cinzia Cinque',
    ]);
  });

  it('refuses a municipio outside the scope, and roles without volunteers', async () => {
    expect(await listVolunteers(t.db, actors.coord8, { municipio: 5 })).toBe('forbidden');
    for (const who of ['operator', 'partner'] as const)
      expect(await listVolunteers(t.db, actors[who], {})).toBe('forbidden');
    expect(names(await listVolunteers(t.db, actors.coord2, {}))).toEqual([]);
  });

  it('sets a status in scope (audited); refuses out of scope, unconfirmed and unknown statuses; nothing changes', async () => {
    const statusOf = async (id: number) =>
      (await t.db.selectFrom('volunteer').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;
    expect(await setVolunteerStatus(t.db, actors.coord8, volunteerIds.otto!, 'contacted')).toEqual({
      ok: true,
      from: 'new',
      changed: true,
    });
    expect(await setVolunteerStatus(t.db, actors.coord8, volunteerIds.otto!, 'contacted')).toEqual({
      ok: true,
      from: 'contacted',
      changed: false,
    });
    expect(await setVolunteerStatus(t.db, actors.coord8, volunteerIds.both!, 'inactive')).toMatchObject({ ok: true });
    expect(await setVolunteerStatus(t.db, actors.coord8, volunteerIds.cinque!, 'active')).toEqual({
      ok: false,
      reason: 'forbidden',
    });
    expect(await setVolunteerStatus(t.db, actors.operator, volunteerIds.otto!, 'active')).toEqual({
      ok: false,
      reason: 'forbidden',
    });
    expect(await setVolunteerStatus(t.db, actors.coord8, volunteerIds.otto!, 'unconfirmed')).toEqual({
      ok: false,
      reason: 'invalid',
    });
    expect(await setVolunteerStatus(t.db, actors.coord8, volunteerIds.unconfirmed!, 'active')).toEqual({
      ok: false,
      reason: 'not_found',
    });
    expect(await statusOf(volunteerIds.cinque!)).toBe('new');
    expect(await statusOf(volunteerIds.otto!)).toBe('contacted');
    expect(await statusOf(volunteerIds.unconfirmed!)).toBe('unconfirmed');
    expect((await audits('volunteer.status')).map((a) => a.detail)).toEqual([
      { from: 'new', to: 'contacted' },
      { from: 'active', to: 'inactive' },
    ]);
  });

  it('exports the filtered list with the needed columns only (no note), audited with counts', async () => {
    const result = await exportVolunteersCsv(t.db, actors.coord8, { skill: 'homework' }, { t: it_, locale: 'it' });
    if (result === 'forbidden') throw new Error('unexpected');
    const lines = result.csv.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('Nome,Email,Telefono,Municipi,Competenze,Lingue,Disponibilità,Stato');
    expect(result.rows).toBe(2);
    expect(lines).toContain('\'=cmd|calc,\'=cmd|calc@example.org,,8,Compiti,italiano,"lunedì, mattina",Nuovo');
    expect(result.csv).not.toContain('Nota riservata');
    expect(result.csv).not.toContain('Cinzia');
    const [audit] = await audits('export.volunteers');
    expect(audit).toMatchObject({
      actor_user_id: userIds.coord8,
      detail: { filters: { skill: 'homework' }, scope: [8], rows: 2 },
    });
    expect(await exportVolunteersCsv(t.db, actors.coord8, { municipio: 5 }, { t: it_, locale: 'it' })).toBe(
      'forbidden',
    );
    expect(await exportVolunteersCsv(t.db, actors.partner, {}, { t: it_, locale: 'it' })).toBe('forbidden');
    expect(await audits('export.volunteers')).toHaveLength(1);
  });
});

describe('users', () => {
  it('admins see every account; coordinators those they invited or who work in their municipi; others nobody', async () => {
    const all = await listUsersFor(t.db, actors.admin);
    expect(all === 'forbidden' ? all : all.length).toBe(6);
    // Comunità Oklahoma is in Municipio 5: its partners are invited by Municipio 5's coordinator only.
    const refused = await inviteUser(t.db, actors.coord8, {
      email: 'nuova@partner.example',
      displayName: 'Nuova Partner',
      role: 'partner_editor',
      organisationId: actors.partner.organisationId,
    });
    expect(refused).toEqual({ ok: false, reason: 'forbidden' });
    const invited = await inviteUser(t.db, actors.coord5, {
      email: 'nuova@partner.example',
      displayName: 'Nuova Partner',
      role: 'partner_editor',
      organisationId: actors.partner.organisationId,
    });
    expect(invited.ok).toBe(true);
    const coord8 = await listUsersFor(t.db, actors.coord8);
    expect(coord8 === 'forbidden' ? coord8 : coord8.map((u) => u.email).sort()).toEqual(['desk@comune.example']);
    const coord5 = await listUsersFor(t.db, actors.coord5);
    expect(coord5 === 'forbidden' ? coord5 : coord5.map((u) => u.email).sort()).toEqual([
      'nuova@partner.example',
      'partner@oklahoma.example',
    ]);
    for (const who of ['operator', 'partner'] as const) expect(await listUsersFor(t.db, actors[who])).toBe('forbidden');
  });

  it('offers each inviter only the roles and scope they may give', async () => {
    const admin = await inviteChoices(t.db, actors.admin);
    expect(admin.roles).toEqual(['admin', 'coordinator', 'desk_operator', 'partner_editor']);
    const coord = await inviteChoices(t.db, actors.coord8);
    // No organisation belongs to Municipio 8 in the seed: there is nobody to make a partner editor of.
    expect(coord.roles).toEqual(['desk_operator']);
    expect((await inviteChoices(t.db, actors.coord5)).roles).toEqual(['desk_operator', 'partner_editor']);
    expect(coord.municipi).toEqual([8]);
    expect(coord.desks.every((d) => d.municipioId === 8)).toBe(true);
    expect(coord.organisations).toEqual([]);
    expect((await inviteChoices(t.db, actors.coord5)).organisations.map((o) => o.name)).toEqual(['Comunità Oklahoma']);
  });

  it('checks invitations: fields, then scope (403 beyond the inviter’s own)', async () => {
    const desk8 = actors.operator.desks[0]!;
    const values = (over: Partial<InviteValues>): InviteValues => ({
      displayName: 'Nuovo Operatore',
      email: 'Nuovo@Comune.Example',
      role: 'desk_operator',
      municipi: [],
      desks: [String(desk8)],
      organisationId: '',
      locale: 'it',
      ...over,
    });
    expect(await checkInvite(t.db, actors.coord8, values({}))).toEqual({
      ok: true,
      value: {
        email: 'nuovo@comune.example',
        displayName: 'Nuovo Operatore',
        role: 'desk_operator',
        municipi: [],
        desks: [desk8],
        organisationId: null,
        locale: 'it',
      },
    });
    expect(
      await checkInvite(t.db, actors.coord8, values({ displayName: ' ', email: 'x', locale: 'ar', desks: [] })),
    ).toEqual({
      ok: false,
      errors: {
        displayName: 'staff.users.error.nameRequired',
        email: 'staff.users.error.emailInvalid',
        locale: 'staff.users.error.locale',
        desks: 'staff.users.error.desks',
      },
    });
    expect(await checkInvite(t.db, actors.coord8, values({ role: 'coordinator', municipi: ['8'] }))).toBe('forbidden');
    expect(await checkInvite(t.db, actors.coord8, values({ role: 'admin' }))).toBe('forbidden');
    expect(await checkInvite(t.db, actors.coord5, values({}))).toBe('forbidden');
    expect(
      await checkInvite(
        t.db,
        actors.coord8,
        values({ role: 'partner_editor', organisationId: String(actors.partner.organisationId) }),
      ),
    ).toBe('forbidden');
    expect(
      await checkInvite(
        t.db,
        actors.coord5,
        values({ role: 'partner_editor', organisationId: String(actors.partner.organisationId) }),
      ),
    ).toMatchObject({ ok: true });
    expect(await checkInvite(t.db, actors.admin, values({ role: 'coordinator', municipi: ['3', '4'] }))).toMatchObject({
      ok: true,
      value: { role: 'coordinator', municipi: [3, 4], desks: [] },
    });
    const form = new FormData();
    for (const [k, v] of [
      ['displayName', 'A'],
      ['email', 'a@b.it'],
      ['role', 'coordinator'],
      ['municipi', '1'],
      ['municipi', '2'],
      ['locale', 'en'],
    ])
      form.append(k!, v!);
    expect(readInviteForm(form)).toEqual({
      displayName: 'A',
      email: 'a@b.it',
      role: 'coordinator',
      municipi: ['1', '2'],
      desks: [],
      organisationId: '',
      locale: 'en',
    });
  });

  it('admins disable accounts and change roles (signed out everywhere, audited); never their own; others get forbidden', async () => {
    const sessions = async (id: number) =>
      (await t.db.selectFrom('user_session').select('id').where('user_id', '=', id).execute()).length;
    await createSession(t.db, generateSessionToken(), userIds.coord2!, { twoFactorVerified: true });
    await createSession(t.db, generateSessionToken(), userIds.operator!, { twoFactorVerified: true });
    for (const who of ['coord8', 'operator', 'partner'] as const) {
      expect(await disableStaffUser(t.db, actors[who], userIds.coord2!)).toEqual({ ok: false, reason: 'forbidden' });
      expect(
        await changeStaffRole(t.db, actors[who], userIds.operator!, {
          role: 'admin',
          municipi: [],
          desks: [],
          organisationId: '',
        }),
      ).toEqual({ ok: false, reason: 'forbidden' });
    }
    expect(await sessions(userIds.coord2!)).toBe(1);
    expect(
      await t.db
        .selectFrom('app_user')
        .select(['role', 'disabled_at'])
        .where('id', '=', userIds.operator!)
        .executeTakeFirstOrThrow(),
    ).toEqual({ role: 'desk_operator', disabled_at: null });

    expect(await disableStaffUser(t.db, actors.admin, userIds.admin!)).toEqual({ ok: false, reason: 'self' });
    expect(
      await changeStaffRole(t.db, actors.admin, userIds.admin!, {
        role: 'coordinator',
        municipi: ['1'],
        desks: [],
        organisationId: '',
      }),
    ).toEqual({ ok: false, reason: 'self' });
    expect(await disableStaffUser(t.db, actors.admin, userIds.coord2!, now)).toEqual({ ok: true });
    expect(await disableStaffUser(t.db, actors.admin, userIds.coord2!, now)).toEqual({
      ok: false,
      reason: 'unchanged',
    });
    expect(await sessions(userIds.coord2!)).toBe(0);
    expect(
      await changeStaffRole(t.db, actors.admin, userIds.operator!, {
        role: 'coordinator',
        municipi: [],
        desks: [],
        organisationId: '',
      }),
    ).toEqual({ ok: false, reason: 'invalid', errors: { municipi: 'staff.users.error.municipi' } });
    expect(
      await changeStaffRole(t.db, actors.admin, userIds.operator!, {
        role: 'coordinator',
        municipi: ['8', '9'],
        desks: ['1'],
        organisationId: '',
      }),
    ).toEqual({ ok: true });
    expect(await sessions(userIds.operator!)).toBe(0);
    const changed = await loadActor(t.db, {
      id: userIds.operator!,
      email: '',
      displayName: '',
      role: 'coordinator',
      organisationId: null,
      totpEnabled: false,
    });
    expect(changed).toMatchObject({ municipi: [8, 9], desks: [] });
    expect((await audits('user.disabled')).map((a) => [a.actor_user_id, a.subject])).toEqual([
      [userIds.admin, `user:${userIds.coord2}`],
    ]);
    expect((await audits('user.role_changed')).map((a) => a.detail)).toEqual([
      { from: 'desk_operator', to: 'coordinator', municipi: [8, 9], desks: [], organisationId: null },
    ]);
  });
});
