// The staff list of events a page at a time (issue #13, at city scale): walking it page by page,
// older then newer, gives the whole list in its order, series' shown dates and one-off events
// merged, each once; what waits for review is the newest few with "more", in the moderator's
// municipi only, for moderators only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/db.ts';
import { seedDatabase } from '#/server/db/seed.ts';
import type { Actor } from '#/features/staff-accounts/policy.ts';
import {
  TO_REVIEW_SHOWN,
  listEventsForActor,
  listEventsPage,
  listToReview,
  type StaffEventCursor,
} from '#/features/events/staff-event-list.ts';

let t: TestDatabase;
const now = new Date('2026-12-10T08:00:00Z');
const admin: Actor = { id: 1, role: 'admin', organisationId: null, municipi: [], desks: [] };
const coordinator6: Actor = { id: 1, role: 'coordinator', organisationId: null, municipi: [6], desks: [] };

beforeAll(async () => {
  t = await createTestDatabase();
  await seedDatabase(t.db, new Date('2026-12-01T08:00:00Z'));
  // In Municipio 6: 12 sent for review, 4 drafts, and a published one whose edit waits for review.
  const rows = Array.from({ length: 17 }, (_, i) => ({
    slug: `sei-${i}`,
    municipio_id: 6,
    title: JSON.stringify({ it: `Sei ${i}` }),
    summary: JSON.stringify({ it: 'Riassunto.' }),
    description: JSON.stringify({ it: 'Descrizione.' }),
    venue: 'Spazio',
    address: 'Via Prova 1, Milano',
    // Two at the same start, to page through a tie.
    starts_at: new Date(Date.UTC(2027, 1, 1 + Math.min(i, 15), 16)),
    ends_at: null,
    status: i < 12 ? ('submitted' as const) : i < 16 ? ('draft' as const) : ('published' as const),
  }));
  const inserted = await t.db.insertInto('event').values(rows).returning('id').execute();
  await t.db
    .insertInto('event_revision')
    .values({ event_id: inserted.at(-1)!.id, form_values: JSON.stringify({}), municipio_id: 6, submitted_at: now })
    .execute();
});
afterAll(() => t.close());

/** Every page, following `direction` from `cursor` until there is none. */
async function walk(actor: Actor, perPage: number, cursor?: StaffEventCursor) {
  const pages: number[][] = [];
  let next = cursor;
  for (;;) {
    const page = await listEventsPage(t.db, actor, { perPage, now, ...(next ? { cursor: next } : {}) });
    pages.push(page.events.map((e) => e.id));
    next = cursor?.direction === 'before' ? page.newer : page.older;
    if (!next) return { pages, last: page };
    expect(pages.length).toBeLessThan(200);
  }
}

describe('the staff list a page at a time', () => {
  it('older pages, then newer ones back, give the whole list in order, each event once', async () => {
    const whole = (await listEventsForActor(t.db, admin, 500, now)).map((e) => e.id);
    expect(whole.length).toBeGreaterThan(20);
    expect((await listEventsForActor(t.db, admin, 500, now)).some((e) => e.seriesId !== null)).toBe(true);
    const down = await walk(admin, 4);
    expect(down.pages.flat()).toEqual(whole);
    for (const page of down.pages.slice(0, -1)) expect(page).toHaveLength(4);
    expect(down.last.older).toBeUndefined();
    // Back up from the last page: the same pages, newest first.
    const up = await walk(admin, 4, down.last.newer);
    expect(up.pages.flat().length + down.pages.at(-1)!.length).toBe(whole.length);
    expect([...up.pages].reverse().flat()).toEqual(whole.slice(0, whole.length - down.pages.at(-1)!.length));
    expect(up.last.newer).toBeUndefined();
  });

  it('filters by status and municipio within the actor’s own events', async () => {
    const drafts = await listEventsPage(t.db, admin, { filter: { status: 'draft', municipio: 6 }, now });
    expect(drafts.events.map((e) => e.title.it)).toEqual(['Sei 15', 'Sei 14', 'Sei 13', 'Sei 12']);
    const elsewhere = await listEventsPage(t.db, coordinator6, { filter: { municipio: 2 }, now });
    expect(elsewhere.events.every((e) => e.municipioId === 6)).toBe(true);
  });
});

describe('what waits for review', () => {
  it('the newest few and whether there are more, the waiting edit included, for moderators only', async () => {
    const first = await listToReview(t.db, coordinator6, {}, 3);
    // The edit waiting on "Sei 16" (published), then the newest sent for review; not the draft at its start.
    expect(first.events.map((e) => e.title.it)).toEqual(['Sei 16', 'Sei 11', 'Sei 10']);
    expect(first.more).toBe(true);
    const all = await listToReview(t.db, coordinator6, {}, 50);
    expect(all.events).toHaveLength(13);
    expect(all.more).toBe(false);
    expect((await listToReview(t.db, coordinator6)).events).toHaveLength(TO_REVIEW_SHOWN);
    expect((await listToReview(t.db, coordinator6, { status: 'draft' })).events).toEqual([]);
    const coordinator2: Actor = { ...coordinator6, municipi: [2] };
    expect((await listToReview(t.db, coordinator2)).events.some((e) => e.municipioId === 6)).toBe(false);
    const partner: Actor = { id: 1, role: 'partner_editor', organisationId: 1, municipi: [], desks: [] };
    expect(await listToReview(t.db, partner)).toEqual({ events: [], more: false });
  });
});
