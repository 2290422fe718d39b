// Partners writing events and moderators reviewing them, on the real database (PGlite, or
// PostgreSQL with TEST_DATABASE_URL): validation, the workflow, who may do what (refusals change
// nothing), concurrent moderators, audit rows, and hostile text stored verbatim.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { staffActor } from '../support/staff-actor.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import type { Role } from '#/server/db/database.ts';
import {
  checkEventForm,
  checkReviewNote,
  emptyEventForm,
  eventFormValues,
  readEventForm,
  EVENT_ERROR_KEYS,
  type EventFormValues,
  type EventInput,
} from '#/features/events/event-form.ts';
import { eventActions, getEventForStaff } from '#/features/events/staff-events.ts';
import { listEventsForActor } from '#/features/events/staff-event-list.ts';
import {
  cancelEvent,
  createEvent,
  publishEvent,
  sendBackEvent,
  submitEvent,
  updateEvent,
} from '#/features/events/event-workflow.ts';
import { messages } from '#/lib/i18n.ts';
import { getPendingRevision, revisionChanges } from '#/features/events/event-revisions.ts';
import { countEventsToReview } from '#/features/events/review-queue.ts';
import { parseReviewNotice, renderReviewNotice } from '#/features/events/review-notice.ts';
import { getPublicEventBySlug, listUpcomingEvents } from '#/features/events/events.ts';
import { romeToInstant, toRomeIso } from '#/lib/time.ts';

let t: TestDatabase;
const t0 = new Date('2026-11-24T08:00:00Z');
const actors = {} as Record<'admin' | 'coord8' | 'coord2' | 'operator' | 'partnerA' | 'partnerB', Actor>;
let orgA: number; // Casa dei Giochi (Municipio 2)
let orgB: number; // Comunità Oklahoma (Municipio 5)
const ALL_MUNICIPI = [1, 2, 3, 4, 5, 6, 7, 8, 9];

const makeActor = (email: string, role: Role, scope?: Parameters<typeof staffActor>[3]) =>
  staffActor(t.db, email, role, scope);

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, t0);
  const orgs = await t.db.selectFrom('organisation').select(['id', 'name']).execute();
  orgA = orgs.find((o) => o.name === 'Casa dei Giochi')!.id;
  orgB = orgs.find((o) => o.name === 'Comunità Oklahoma')!.id;
  const desk = await t.db
    .selectFrom('desk')
    .select('id')
    .where('slug', '=', 'quarto-oggiaro')
    .executeTakeFirstOrThrow();
  actors.admin = await makeActor('admin@comune.example', 'admin');
  actors.coord8 = await makeActor('coord8@comune.example', 'coordinator', { municipi: [8] });
  actors.coord2 = await makeActor('coord2@comune.example', 'coordinator', { municipi: [2] });
  actors.operator = await makeActor('desk@comune.example', 'desk_operator', { desks: [desk.id] });
  actors.partnerA = await makeActor('a@partner.example', 'partner_editor', { organisationId: orgA });
  actors.partnerB = await makeActor('b@partner.example', 'partner_editor', { organisationId: orgB });
});
afterAll(() => t.close());

function form(
  overrides: Partial<Omit<EventFormValues, 'title' | 'summary' | 'description' | 'transitHint' | 'priceNote'>> & {
    it?: Partial<Record<'title' | 'summary' | 'description' | 'transitHint' | 'priceNote', string>>;
  } = {},
): EventFormValues {
  const v = emptyEventForm();
  v.title.it = 'Laboratorio di Natale';
  v.title.en = 'Christmas workshop';
  v.summary.it = 'Lavoretti per bambini.';
  v.description.it = 'Porta:\n- colla\n- forbici';
  v.venue = 'Spazio QuBì';
  v.address = 'Via Pascarella 5, Milano';
  v.startDate = '2026-12-12';
  v.startTime = '15:00';
  v.endTime = '17:30';
  v.municipioId = '8';
  const { it: texts, ...rest } = overrides;
  for (const [k, value] of Object.entries(texts ?? {})) v[k as 'title'].it = value;
  return { ...v, ...rest };
}

function checked(values: EventFormValues): EventInput {
  const result = checkEventForm(values, { municipi: ALL_MUNICIPI, organisations: [orgA, orgB] });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.value;
}

function input(overrides: Parameters<typeof form>[0] = {}, organisations: number[] = [orgA, orgB]): EventInput {
  const checked = checkEventForm(form(overrides), { municipi: ALL_MUNICIPI, organisations });
  if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
  return checked.value;
}

async function snapshot() {
  const events = await t.db.selectFrom('event').selectAll().orderBy('id').execute();
  const audit = await t.db
    .selectFrom('audit_log')
    .select(({ fn }) => fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return JSON.stringify({ events, audit: Number(audit.n) });
}

async function auditActions(slug: string) {
  return await t.db
    .selectFrom('audit_log')
    .select(['action', 'actor_user_id', 'detail'])
    .where('subject', '=', `event:${slug}`)
    .orderBy('id')
    .execute();
}

describe('the form', () => {
  it('accepts Italian texts alone and turns Rome wall-clock times into instants', () => {
    const checked = checkEventForm(form(), { municipi: [8], organisations: [] });
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    expect(checked.value.title).toEqual({ it: 'Laboratorio di Natale', en: 'Christmas workshop' });
    expect(checked.value.transitHint).toBeNull();
    expect(toRomeIso(checked.value.startsAt)).toBe('2026-12-12T15:00:00+01:00');
    expect(toRomeIso(checked.value.endsAt!)).toBe('2026-12-12T17:30:00+01:00');
  });

  it('handles summer time and dates typed by hand', () => {
    const checked = checkEventForm(
      form({ startDate: '28/06/2026', startTime: '9.05', endDate: '2026-06-29', endTime: '01:00' }),
      { municipi: [8], organisations: [] },
    );
    expect(checked.ok && toRomeIso(checked.value.startsAt)).toBe('2026-06-28T09:05:00+02:00');
    expect(checked.ok && checked.value.endsAt!.getTime()).toBe(romeToInstant(2026, 6, 29, 1, 0).getTime());
  });

  it('requires the Italian title, summary and description, and refuses the rest field by field', () => {
    const v = form({
      it: { title: '  ', summary: '', description: '\n' },
      venue: '',
      address: 'x'.repeat(301),
      startDate: '31/02/2026',
      startTime: '25:00',
      municipioId: '2',
    });
    v.transitHint.en = 'Metro M1';
    v.title.en = 'y'.repeat(201);
    const checked = checkEventForm(v, { municipi: [8], organisations: [] });
    expect(checked.ok).toBe(false);
    if (checked.ok) return;
    expect(checked.errors).toEqual({
      'title-it': 'staff.event.error.titleRequired',
      'summary-it': 'staff.event.error.summaryRequired',
      'description-it': 'staff.event.error.descriptionRequired',
      'transitHint-it': 'staff.event.error.transitHintItalianRequired',
      'title-en': 'staff.event.error.titleTooLong',
      venue: 'staff.event.error.venueRequired',
      address: 'staff.event.error.addressTooLong',
      startDate: 'staff.event.error.startDateInvalid',
      startTime: 'staff.event.error.startTimeInvalid',
      municipioId: 'staff.event.error.municipioRequired',
    });
  });

  it('refuses an end before the start, an end date without a time, and an organisation not offered', () => {
    const a = checkEventForm(form({ endTime: '14:00' }), { municipi: [8], organisations: [] });
    expect(!a.ok && a.errors).toEqual({ endTime: 'staff.event.error.endBeforeStart' });
    const b = checkEventForm(form({ endDate: '2026-12-13', endTime: '', organisationId: '999' }), {
      municipi: [8],
      organisations: [1],
    });
    expect(!b.ok && b.errors).toEqual({
      endTime: 'staff.event.error.endTimeRequired',
      organisationId: 'staff.event.error.organisationInvalid',
    });
    const c = checkEventForm(form({ startDate: '', startTime: '' }), { municipi: [8], organisations: [] });
    expect(!c.ok && c.errors).toEqual({
      startDate: 'staff.event.error.startDateRequired',
      startTime: 'staff.event.error.startTimeRequired',
    });
  });

  it('reads a posted form, drops control characters and keeps everything else', () => {
    const fd = new FormData();
    fd.set('title-it', "Festa\u0000 d'inverno\r\n");
    fd.set('description-it', 'Riga 1\r\nRiga 2\u0007');
    fd.set('venue', 'x'.repeat(5000));
    const v = readEventForm(fd);
    expect(v.venue.length).toBeLessThanOrEqual(1200);
    const checked = checkEventForm(
      { ...form(), title: v.title, description: v.description },
      { municipi: [8], organisations: [] },
    );
    expect(checked.ok && checked.value.title).toEqual({ it: "Festa d'inverno" });
    expect(checked.ok && checked.value.description).toEqual({ it: 'Riga 1\nRiga 2' });
  });

  it('every message key it can produce is written in Italian and English', () => {
    const keys = [
      ...EVENT_ERROR_KEYS,
      ...['draft', 'submitted', 'published', 'cancelled'].map((s) => `staff.event.status.${s}`),
    ];
    for (const locale of ['it', 'en'] as const)
      expect(
        keys.filter((k) => !messages[locale][k]?.trim()),
        locale,
      ).toEqual([]);
  });

  it('requires a reason to send an event back', () => {
    expect(checkReviewNote('  ')).toEqual({ ok: false, error: 'staff.event.error.reviewNoteRequired' });
    expect(checkReviewNote('x'.repeat(1001))).toEqual({ ok: false, error: 'staff.event.error.reviewNoteTooLong' });
    expect(checkReviewNote(' Manca l’orario ')).toEqual({ ok: true, value: 'Manca l’orario' });
  });
});

describe('creating drafts', () => {
  it('a partner creates a draft owned by their organisation, with a slug from the Italian title and year', async () => {
    const made = await createEvent(
      t.db,
      actors.partnerA,
      input({ municipioId: '2', organisationId: String(orgB) }),
      t0,
    );
    expect(made.ok).toBe(true);
    if (!made.ok) return;
    expect(made.event).toMatchObject({
      status: 'draft',
      slug: 'laboratorio-di-natale-2026',
      ownerOrganisationId: orgA,
      ownerName: 'Casa dei Giochi',
      municipioId: 2,
    });
    const organisers = await t.db
      .selectFrom('event_organiser')
      .select('organisation_id')
      .where('event_id', '=', made.event.id)
      .execute();
    expect(organisers).toEqual([{ organisation_id: orgA }]);
    // The form shows the event as stored.
    expect(eventFormValues(made.event)).toMatchObject({
      startDate: '2026-12-12',
      startTime: '15:00',
      endDate: '',
      endTime: '17:30',
      municipioId: '2',
    });
  });

  it('the same title the same year gets a suffix; another year does not', async () => {
    const again = await createEvent(t.db, actors.partnerA, input({ municipioId: '2' }), t0);
    expect(again.ok && again.event.slug).toBe('laboratorio-di-natale-2026-2');
    const third = await createEvent(t.db, actors.partnerA, input({ municipioId: '2' }), t0);
    expect(third.ok && third.event.slug).toBe('laboratorio-di-natale-2026-3');
    const nextYear = await createEvent(t.db, actors.partnerA, input({ municipioId: '2', startDate: '2027-01-06' }), t0);
    expect(nextYear.ok && nextYear.event.slug).toBe('laboratorio-di-natale-2027');
    const symbols = await createEvent(t.db, actors.partnerA, input({ municipioId: '2', it: { title: '«»!!' } }), t0);
    expect(symbols.ok && symbols.event.slug).toBe('evento-2026');
  });

  it('a desk operator cannot create events, nor a coordinator outside their municipi', async () => {
    const before = await snapshot();
    expect(await createEvent(t.db, actors.operator, input(), t0)).toEqual({ ok: false, error: 'forbidden' });
    expect(await createEvent(t.db, actors.coord8, input({ municipioId: '2' }), t0)).toEqual({
      ok: false,
      error: 'forbidden',
    });
    expect(await snapshot()).toBe(before);
    const ok = await createEvent(t.db, actors.coord8, input({ organisationId: String(orgB) }), t0);
    expect(ok.ok && ok.event).toMatchObject({ municipioId: 8, ownerOrganisationId: orgB, status: 'draft' });
  });
});

describe('the review workflow', () => {
  it('draft → submitted → published, then public at once; a second publish is a conflict', async () => {
    const made = await createEvent(t.db, actors.partnerA, input({ municipioId: '2', it: { title: 'Tombolata' } }), t0);
    if (!made.ok) throw new Error('not created');
    const id = made.event.id;
    expect(eventActions(actors.partnerA, made.event)).toMatchObject({
      edit: true,
      submit: true,
      publish: false,
      cancel: false,
    });
    // A partner cannot publish, not even their own event.
    expect(await publishEvent(t.db, actors.partnerA, id)).toEqual({ ok: false, error: 'forbidden' });
    // Publishing a draft that was never submitted does nothing.
    expect(await publishEvent(t.db, actors.coord2, id)).toEqual({ ok: false, error: 'conflict' });

    const submitted = await submitEvent(t.db, actors.partnerA, id);
    expect(submitted.ok && submitted.event.status).toBe('submitted');
    expect(submitted.ok && submitted.event.submittedAt).toBeInstanceOf(Date);
    expect(submitted.ok && submitted.cacheTags).toEqual([]);
    expect(await getPublicEventBySlug(t.db, made.event.slug)).toBeUndefined();
    expect(eventActions(actors.coord2, submitted.ok ? submitted.event : made.event)).toMatchObject({
      publish: true,
      sendBack: true,
    });

    const published = await publishEvent(t.db, actors.coord2, id);
    expect(published.ok && published.event.status).toBe('published');
    expect(published.ok && published.cacheTags).toEqual(['events', `event:${made.event.slug}`]);
    expect((await getPublicEventBySlug(t.db, made.event.slug))?.status).toBe('published');
    expect((await listUpcomingEvents(t.db, { from: t0 })).map((e) => e.slug)).toContain(made.event.slug);
    expect(await publishEvent(t.db, actors.admin, id)).toEqual({ ok: false, error: 'conflict' });
    const audit = await auditActions(made.event.slug);
    expect(audit.map((a) => [a.action, a.actor_user_id])).toEqual([['event.publish', actors.coord2.id]]);
  });

  it('two moderators publishing at once: exactly one succeeds and one audit row is written', async () => {
    const made = await createEvent(t.db, actors.partnerA, input({ municipioId: '2', it: { title: 'Concerto' } }), t0);
    if (!made.ok) throw new Error('not created');
    await submitEvent(t.db, actors.partnerA, made.event.id);
    const results = await Promise.all([
      publishEvent(t.db, actors.coord2, made.event.id),
      publishEvent(t.db, actors.admin, made.event.id),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, error: 'conflict' }]);
    expect((await auditActions(made.event.slug)).map((a) => a.action)).toEqual(['event.publish']);
  });

  it('send back requires a reason, stores it, returns the event to draft and is audited', async () => {
    const made = await createEvent(t.db, actors.partnerA, input({ municipioId: '2', it: { title: 'Cineforum' } }), t0);
    if (!made.ok) throw new Error('not created');
    await submitEvent(t.db, actors.partnerA, made.event.id);
    const before = await snapshot();
    expect(await sendBackEvent(t.db, actors.coord2, made.event.id, '   ')).toEqual({
      ok: false,
      error: 'invalid',
      message: 'staff.event.error.reviewNoteRequired',
    });
    expect(await sendBackEvent(t.db, actors.partnerA, made.event.id, 'Mi rimando indietro')).toEqual({
      ok: false,
      error: 'forbidden',
    });
    expect(await snapshot()).toBe(before);
    const back = await sendBackEvent(t.db, actors.coord2, made.event.id, 'Manca l’indirizzo esatto');
    expect(back.ok && back.event).toMatchObject({ status: 'draft', reviewNote: 'Manca l’indirizzo esatto' });
    const audit = await auditActions(made.event.slug);
    expect(audit.map((a) => a.action)).toEqual(['event.send_back']);
    expect(audit[0]!.detail).toMatchObject({ note: 'Manca l’indirizzo esatto', from: 'submitted' });
    // Resubmitted and published, the reason is cleared.
    await submitEvent(t.db, actors.partnerA, made.event.id);
    const published = await publishEvent(t.db, actors.coord2, made.event.id);
    expect(published.ok && published.event.reviewNote).toBeNull();
  });

  it('an edit of a published event waits for review while the published version stays live', async () => {
    const made = await createEvent(t.db, actors.partnerA, input({ municipioId: '2', it: { title: 'Merenda' } }), t0);
    if (!made.ok) throw new Error('not created');
    await submitEvent(t.db, actors.partnerA, made.event.id);
    await publishEvent(t.db, actors.coord2, made.event.id);
    const fixed = form({ municipioId: '2', it: { title: 'Merenda' }, startTime: '16:00' });
    const edited = await updateEvent(t.db, actors.partnerA, made.event.id, checked(fixed), t0, fixed);
    expect(edited.ok && edited.event).toMatchObject({ status: 'published', title: { it: 'Merenda' } });
    expect(edited.ok && [edited.backToReview, edited.cacheTags]).toEqual([true, []]);
    // The public page still shows the published time; the change is what the reviewer sees.
    const live = await getPublicEventBySlug(t.db, made.event.slug);
    expect(live && toRomeIso(live.startsAt)).toBe('2026-12-12T15:00:00+01:00');
    const pending = (await getPendingRevision(t.db, made.event.id))!;
    const stored = (await getEventForStaff(t.db, made.event.id))!;
    expect(revisionChanges(stored, pending)).toEqual([{ name: 'startTime', before: '15:00', after: '16:00' }]);
    expect(eventActions(actors.coord2, stored, true)).toMatchObject({ publish: true, sendBack: true });
    expect(eventActions(actors.partnerA, stored, true)).toMatchObject({ publish: false, sendBack: false });
    // Not a moderator of the event: refused, nothing changed.
    const before = await snapshot();
    expect(await publishEvent(t.db, actors.coord8, made.event.id)).toEqual({ ok: false, error: 'forbidden' });
    expect(await publishEvent(t.db, actors.partnerA, made.event.id)).toEqual({ ok: false, error: 'forbidden' });
    expect(await snapshot()).toBe(before);
    // Approved: written over the event, public at once, the revision gone.
    const approved = await publishEvent(t.db, actors.coord2, made.event.id);
    expect(approved.ok && approved.cacheTags).toEqual(['events', `event:${made.event.slug}`]);
    const after = await getPublicEventBySlug(t.db, made.event.slug);
    expect(after && [after.status, toRomeIso(after.startsAt)]).toEqual(['published', '2026-12-12T16:00:00+01:00']);
    expect(await getPendingRevision(t.db, made.event.id)).toBeUndefined();
    expect((await auditActions(made.event.slug)).map((a) => a.action)).toEqual([
      'event.publish',
      'event.edit_published',
      'event.approve_change',
    ]);
    // A second approval (another moderator, a double click) finds nothing to approve.
    expect(await publishEvent(t.db, actors.admin, made.event.id)).toEqual({ ok: false, error: 'conflict' });
    // Editing a draft or a submitted event keeps its status and touches no public page.
    const draft = await createEvent(t.db, actors.partnerA, input({ municipioId: '2', it: { title: 'Bozza' } }), t0);
    if (!draft.ok) throw new Error('not created');
    const again = await updateEvent(
      t.db,
      actors.partnerA,
      draft.event.id,
      input({ municipioId: '2', it: { title: 'Bozza!' } }),
    );
    expect(again.ok && [again.event.status, again.backToReview, again.cacheTags]).toEqual(['draft', false, []]);
  });

  it('a refused change is dropped with its reason; the published event is untouched', async () => {
    const made = await createEvent(t.db, actors.partnerA, input({ municipioId: '2', it: { title: 'Coro' } }), t0);
    if (!made.ok) throw new Error('not created');
    await submitEvent(t.db, actors.partnerA, made.event.id);
    await publishEvent(t.db, actors.coord2, made.event.id);
    const published = JSON.stringify(await getPublicEventBySlug(t.db, made.event.slug));
    const changed = form({ municipioId: '2', it: { title: 'Coro di Natale' }, venue: 'Altrove' });
    await updateEvent(t.db, actors.partnerA, made.event.id, checked(changed), t0, changed);
    // A second edit replaces the first: one change waits, the latest.
    const latest = form({ municipioId: '2', it: { title: 'Coro di Natale' }, venue: 'Oratorio' });
    await updateEvent(t.db, actors.partnerA, made.event.id, checked(latest), t0, latest);
    const stored = (await getEventForStaff(t.db, made.event.id))!;
    expect(revisionChanges(stored, (await getPendingRevision(t.db, made.event.id))!).map((c) => c.after)).toEqual([
      'Coro di Natale',
      'Oratorio',
    ]);
    expect(await sendBackEvent(t.db, actors.coord2, made.event.id, '')).toMatchObject({ ok: false, error: 'invalid' });
    const back = await sendBackEvent(t.db, actors.coord2, made.event.id, 'Il luogo non è confermato');
    expect(back.ok && back.event).toMatchObject({ status: 'published', reviewNote: 'Il luogo non è confermato' });
    expect(await getPendingRevision(t.db, made.event.id)).toBeUndefined();
    expect(JSON.stringify(await getPublicEventBySlug(t.db, made.event.slug))).toBe(published);
  });

  it('tells the coordinators of the municipio, once per submission, and counts what waits for them', async () => {
    const outbox = () =>
      t.db
        .selectFrom('outbox')
        .select(['recipient', 'locale', 'payload'])
        .where('kind', '=', 'event_review_notice')
        .orderBy('id')
        .execute();
    const queued = (await outbox()).length;
    const countBefore = await countEventsToReview(t.db, actors.coord2);
    const otherMunicipio = await countEventsToReview(t.db, actors.coord8);
    const made = await createEvent(t.db, actors.partnerA, input({ municipioId: '2', it: { title: 'Cinema' } }), t0);
    if (!made.ok) throw new Error('not created');
    expect((await outbox()).length).toBe(queued);
    await submitEvent(t.db, actors.partnerA, made.event.id);
    const notices = (await outbox()).slice(queued);
    // Only the coordinator of Municipio 2, in Italian, naming the event and nothing personal.
    expect(notices.map((n) => [n.recipient, n.locale])).toEqual([['coord2@comune.example', 'it']]);
    const payload = typeof notices[0]!.payload === 'string' ? JSON.parse(notices[0]!.payload) : notices[0]!.payload;
    expect(payload).toEqual({ eventId: made.event.id, title: 'Cinema', change: false });
    expect(await countEventsToReview(t.db, actors.coord2)).toBe(countBefore + 1);
    expect(await countEventsToReview(t.db, actors.coord8)).toBe(otherMunicipio);
    expect(await countEventsToReview(t.db, actors.partnerA)).toBe(0);
    await publishEvent(t.db, actors.coord2, made.event.id);
    expect(await countEventsToReview(t.db, actors.coord2)).toBe(countBefore);
    const changed = form({ municipioId: '2', it: { title: 'Cinema all’aperto' } });
    await updateEvent(t.db, actors.partnerA, made.event.id, checked(changed), t0, changed);
    expect((await outbox()).slice(queued).map((n) => n.recipient)).toEqual([
      'coord2@comune.example',
      'coord2@comune.example',
    ]);
    expect(await countEventsToReview(t.db, actors.coord2)).toBe(countBefore + 1);
    const email = renderReviewNotice(parseReviewNotice((await outbox()).at(-1)!.payload), 'https://qubi.example');
    expect(email.subject).toBe('Modifica da rivedere: Cinema all’aperto');
    expect(email.text).toContain(`https://qubi.example/it/staff/eventi/${made.event.id}`);
  });

  it('cancel keeps the event public, marked cancelled; cancelled events are not edited', async () => {
    const made = await createEvent(t.db, actors.partnerA, input({ municipioId: '2', it: { title: 'Gita' } }), t0);
    if (!made.ok) throw new Error('not created');
    expect(await cancelEvent(t.db, actors.partnerA, made.event.id)).toEqual({ ok: false, error: 'conflict' });
    await submitEvent(t.db, actors.partnerA, made.event.id);
    await publishEvent(t.db, actors.coord2, made.event.id);
    expect(await cancelEvent(t.db, actors.partnerB, made.event.id)).toEqual({ ok: false, error: 'forbidden' });
    const cancelled = await cancelEvent(t.db, actors.partnerA, made.event.id);
    expect(cancelled.ok && cancelled.event.status).toBe('cancelled');
    expect(cancelled.ok && cancelled.cacheTags).toEqual(['events', `event:${made.event.slug}`]);
    expect((await getPublicEventBySlug(t.db, made.event.slug))?.status).toBe('cancelled');
    expect((await listUpcomingEvents(t.db, { from: t0 })).find((e) => e.slug === made.event.slug)?.status).toBe(
      'cancelled',
    );
    expect(await updateEvent(t.db, actors.partnerA, made.event.id, input({ municipioId: '2' }))).toEqual({
      ok: false,
      error: 'conflict',
    });
    expect(eventActions(actors.partnerA, cancelled.ok ? cancelled.event : made.event)).toMatchObject({
      edit: false,
      cancel: false,
      view: true,
    });
    expect((await auditActions(made.event.slug)).map((a) => a.action)).toEqual(['event.publish', 'event.cancel']);
  });
});

describe('seats already taken (no seat given twice)', () => {
  const seatsOf = (id: number) =>
    t.db.selectFrom('event').select(['seats', 'seats_taken']).where('id', '=', id).executeTakeFirstOrThrow();
  // What families' sign-ups leave on the row (registrations.ts raises the counter the same way).
  const take = (id: number, n: number) =>
    sql`UPDATE event SET seats_taken = ${n}::int WHERE id = ${id}::int`.execute(t.db);

  it('the database refuses any row with more seats taken than seats, whoever writes it', async () => {
    const made = await createEvent(t.db, actors.admin, input({ seats: '5', it: { title: 'Posti contati' } }), t0);
    if (!made.ok) throw new Error('not created');
    await take(made.event.id, 5);
    await expect(
      sql`UPDATE event SET seats_taken = seats_taken + 1 WHERE id = ${made.event.id}::int`.execute(t.db),
    ).rejects.toThrow(/event_seats_taken_within_seats/);
    await expect(sql`UPDATE event SET seats = 4 WHERE id = ${made.event.id}::int`.execute(t.db)).rejects.toThrow(
      /event_seats_taken_within_seats/,
    );
    expect(await seatsOf(made.event.id)).toEqual({ seats: 5, seats_taken: 5 });
    // "Just come" (no seats) has no limit to exceed.
    await sql`UPDATE event SET seats = NULL WHERE id = ${made.event.id}::int`.execute(t.db);
    expect(await seatsOf(made.event.id)).toEqual({ seats: null, seats_taken: 5 });
  });

  it('a staff edit below the seats taken is refused with its message and changes nothing', async () => {
    const made = await createEvent(
      t.db,
      actors.partnerA,
      input({ municipioId: '2', seats: '10', it: { title: 'Tombola' } }),
      t0,
    );
    if (!made.ok) throw new Error('not created');
    // A draft (counter set by hand: only a published event takes sign-ups).
    await take(made.event.id, 3);
    let before = await snapshot();
    const tooFew = form({ municipioId: '2', seats: '2', it: { title: 'Tombola' } });
    expect(await updateEvent(t.db, actors.partnerA, made.event.id, checked(tooFew), t0, tooFew)).toEqual({
      ok: false,
      error: 'seats_below_taken',
    });
    expect(await snapshot()).toBe(before);
    await take(made.event.id, 0);
    await submitEvent(t.db, actors.partnerA, made.event.id);
    await publishEvent(t.db, actors.coord2, made.event.id);
    await take(made.event.id, 6);
    // Published: the change is refused at the form, no revision waits.
    before = await snapshot();
    const five = form({ municipioId: '2', seats: '5', it: { title: 'Tombola' } });
    expect(await updateEvent(t.db, actors.partnerA, made.event.id, checked(five), t0, five)).toEqual({
      ok: false,
      error: 'seats_below_taken',
    });
    expect(await getPendingRevision(t.db, made.event.id)).toBeUndefined();
    expect(await snapshot()).toBe(before);
    // Exactly the seats taken is allowed; then families sign up before the moderator approves.
    const six = form({ municipioId: '2', seats: '6', it: { title: 'Tombola' } });
    expect((await updateEvent(t.db, actors.partnerA, made.event.id, checked(six), t0, six)).ok).toBe(true);
    await take(made.event.id, 8);
    before = await snapshot();
    expect(await publishEvent(t.db, actors.coord2, made.event.id)).toEqual({ ok: false, error: 'seats_below_taken' });
    expect(await snapshot()).toBe(before);
    expect(await getPendingRevision(t.db, made.event.id)).toBeDefined();
    expect(await seatsOf(made.event.id)).toEqual({ seats: 10, seats_taken: 8 });
    // The message the staff page shows at the seats field, in both staff languages.
    expect(messages.it['staff.event.error.seatsBelowTaken']).toMatch(/posti/);
    expect(messages.en['staff.event.error.seatsBelowTaken']).toMatch(/seats/);
  });
});

describe('who may do what (refusals change nothing)', () => {
  it('a partner cannot edit, submit or cancel another organisation’s event', async () => {
    const made = await createEvent(t.db, actors.partnerA, input({ municipioId: '2', it: { title: 'Solo per A' } }), t0);
    if (!made.ok) throw new Error('not created');
    const before = await snapshot();
    expect(
      await updateEvent(t.db, actors.partnerB, made.event.id, input({ municipioId: '2', it: { title: 'Preso da B' } })),
    ).toEqual({ ok: false, error: 'forbidden' });
    expect(await submitEvent(t.db, actors.partnerB, made.event.id)).toEqual({ ok: false, error: 'forbidden' });
    expect(await cancelEvent(t.db, actors.partnerB, made.event.id)).toEqual({ ok: false, error: 'forbidden' });
    expect(await updateEvent(t.db, actors.operator, made.event.id, input({ municipioId: '2' }))).toEqual({
      ok: false,
      error: 'forbidden',
    });
    expect(await snapshot()).toBe(before);
    expect(eventActions(actors.partnerB, made.event).view).toBe(false);
  });

  it('a coordinator of Municipio 2 cannot publish an event of Municipio 8', async () => {
    const made = await createEvent(t.db, actors.coord8, input({ it: { title: 'Festa a Quarto Oggiaro' } }), t0);
    if (!made.ok) throw new Error('not created');
    await submitEvent(t.db, actors.coord8, made.event.id);
    const before = await snapshot();
    expect(await publishEvent(t.db, actors.coord2, made.event.id)).toEqual({ ok: false, error: 'forbidden' });
    expect(await sendBackEvent(t.db, actors.coord2, made.event.id, 'no')).toEqual({ ok: false, error: 'forbidden' });
    expect(await updateEvent(t.db, actors.coord2, made.event.id, input())).toEqual({ ok: false, error: 'forbidden' });
    expect(await snapshot()).toBe(before);
    expect((await getEventForStaff(t.db, made.event.id))?.status).toBe('submitted');
    // Nor can the coordinator of Municipio 8 move it out of their reach.
    expect(await updateEvent(t.db, actors.coord8, made.event.id, input({ municipioId: '2' }))).toEqual({
      ok: false,
      error: 'forbidden',
    });
    expect(await snapshot()).toBe(before);
    expect((await publishEvent(t.db, actors.coord8, made.event.id)).ok).toBe(true);
  });

  it('unknown events are not found', async () => {
    expect(await publishEvent(t.db, actors.admin, 987654)).toEqual({ ok: false, error: 'not_found' });
    expect(await getEventForStaff(t.db, Number.NaN)).toBeUndefined();
  });

  it('lists only the events each actor may edit or moderate', async () => {
    const slugsOf = async (a: Actor) => (await listEventsForActor(t.db, a)).map((e) => e.municipioId);
    expect(await slugsOf(actors.operator)).toEqual([]);
    expect(new Set(await slugsOf(actors.coord8))).toEqual(new Set([8]));
    expect(new Set(await slugsOf(actors.coord2))).toEqual(new Set([2]));
    const ofA = await listEventsForActor(t.db, actors.partnerA);
    expect(ofA.length).toBeGreaterThan(0);
    // Their own events, and (read only) those their organisation co-organises, like the seeded party.
    expect(ofA.every((e) => e.ownerOrganisationId === orgA || e.organiserIds?.includes(orgA))).toBe(true);
    const coOrganised = ofA.filter((e) => e.ownerOrganisationId !== orgA);
    expect(coOrganised.map((e) => e.title.it)).toContain('Festa di Natale QuBì');
    for (const e of coOrganised)
      expect(eventActions(actors.partnerA, e)).toMatchObject({ see: true, view: false, edit: false });
    expect((await listEventsForActor(t.db, actors.partnerB)).map((e) => e.title.it)).not.toContain(
      'Festa di Natale QuBì',
    );
    // An admin sees every one-off event and each recurring activity once (at its next date).
    const all = await t.db
      .selectFrom('event')
      .select(({ fn }) => [
        fn.count<number>(sql`CASE WHEN series_id IS NULL THEN 1 END`).as('oneOff'),
        fn.count<number>('series_id').distinct().as('series'),
      ])
      .executeTakeFirstOrThrow();
    expect(Number(all.series)).toBeGreaterThan(0);
    expect(await listEventsForActor(t.db, actors.admin)).toHaveLength(Number(all.oneOff) + Number(all.series));
  });
});

describe('SQL metacharacters', () => {
  const HOSTILE = [
    "'; DROP TABLE event; --",
    "Robert'); DROP TABLE event;--",
    '"; DELETE FROM app_user; --',
    "\\'; SELECT pg_sleep(5); --",
    '%_\\%\\_ $1 $$ ?',
    "1' OR '1'='1",
    '/* */ UNION SELECT * FROM app_user --',
  ];

  it.each(HOSTILE)('%s is stored and read back verbatim in every field', async (payload) => {
    const v = form({ municipioId: '2', venue: payload, address: payload });
    for (const field of ['title', 'summary', 'description', 'transitHint', 'priceNote'] as const) {
      v[field].it = payload;
      v[field].en = `${payload} (en)`;
      v[field].zh = `${payload} 中文`;
    }
    const checked = checkEventForm(v, { municipi: ALL_MUNICIPI, organisations: [] });
    if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
    const made = await createEvent(t.db, actors.partnerA, checked.value, t0);
    if (!made.ok) throw new Error('not created');
    await submitEvent(t.db, actors.partnerA, made.event.id);
    await publishEvent(t.db, actors.coord2, made.event.id);
    for (const e of [await getEventForStaff(t.db, made.event.id), await getPublicEventBySlug(t.db, made.event.slug)]) {
      expect(e).toMatchObject({ venue: payload, address: payload });
      for (const field of ['title', 'summary', 'description', 'transitHint', 'priceNote'] as const)
        expect(e![field]).toEqual({ it: payload, en: `${payload} (en)`, zh: `${payload} 中文` });
    }
    // The form shows it again exactly as typed.
    expect(eventFormValues((await getEventForStaff(t.db, made.event.id))!).venue).toBe(payload);
    // Nothing was executed: the tables are all still there.
    const tables = await sql<{
      n: number;
    }>`select count(*)::int as n from information_schema.tables where table_name in ('event', 'app_user')`.execute(
      t.db,
    );
    expect(tables.rows[0]!.n).toBeGreaterThanOrEqual(2);
    expect(await t.db.selectFrom('app_user').select('id').execute()).toHaveLength(6);
  });
});
