// The desks and their services as Open Referral HSDS 3.0 on the built server: every object of
// /api/hsds/… checked against our schema of HSDS 3.0's required fields, types and enumerations
// (src/features/open-data/hsds-schemas.ts: no package carries the official JSON schemas), the links
// between them resolving, the HSDS API's page object, and ids that stay the same across servers.
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'astro/zod';
import { startServer, type RunningServer } from '../support/server.ts';
import { sharedServer } from '../support/shared-server.ts';
import { hsdsPageFields, hsdsSchemas } from '#/features/open-data/hsds-schemas.ts';

let server: RunningServer;
beforeAll(async () => {
  // The run's server, shared with the other read-only files (vitest.config.ts, sharingServers).
  server = await sharedServer();
});

const schemas = hsdsSchemas();
const KINDS = {
  organizations: 'organization',
  locations: 'location',
  services: 'service',
  schedules: 'schedule',
} as const;
type Kind = keyof typeof KINDS;

type Page<T> = z.infer<z.ZodObject<typeof hsdsPageFields>> & { contents: T[] };
type Of<K extends Kind> = z.infer<(typeof schemas)[(typeof KINDS)[K]]>;

/** One page of a list, checked against our HSDS schema of its kind. */
async function list<K extends Kind>(kind: K, query = ''): Promise<Page<Of<K>>> {
  const res = await fetch(`${server.origin}/api/hsds/${kind}${query}`);
  expect(res.status).toBe(200);
  const page = z
    .object({ ...hsdsPageFields, contents: z.array(schemas[KINDS[kind]] as z.ZodType) })
    .safeParse(await res.json());
  expect(page.error?.issues ?? [], kind).toEqual([]);
  return page.data as Page<Of<K>>;
}

describe('HSDS 3.0', () => {
  it('serves organizations, locations, services and schedules that follow HSDS 3.0 and link to each other', async () => {
    const organizations = await list('organizations', '?per_page=200');
    const locations = await list('locations', '?per_page=200');
    const services = await list('services', '?per_page=200');
    const schedules = await list('schedules', '?per_page=200');
    expect(locations.contents.map((l) => l.name)).toEqual(
      expect.arrayContaining(['Spazio QuBì Quarto Oggiaro', 'Spazio QuBì Gallaratese']),
    );
    const orgIds = new Set(organizations.contents.map((o) => o.id));
    const locationIds = new Set(locations.contents.map((l) => l.id));
    for (const l of locations.contents) {
      expect(orgIds.has(l.organization_id!)).toBe(true);
      expect(l.addresses![0]).toMatchObject({
        country: 'IT',
        city: 'Milano',
        postal_code: expect.stringMatching(/^\d{5}$/),
      });
    }
    for (const s of services.contents) {
      expect(orgIds.has(s.organization_id!)).toBe(true);
      for (const at of s.service_at_locations!) expect(locationIds.has(at.location_id!)).toBe(true);
      expect(s.status).toBe('active');
    }
    // Quarto Oggiaro opens on Tuesdays 10:00–13:00 (seed data).
    expect(schedules.contents).toContainEqual(
      expect.objectContaining({ freq: 'WEEKLY', byday: 'TU', opens_at: '10:00', closes_at: '13:00' }),
    );
    expect(schedules.contents.every((s) => locationIds.has(s.location_id!))).toBe(true);
    // Every UUID appears once per kind.
    for (const page of [organizations, locations, services, schedules])
      expect(new Set(page.contents.map((x) => x.id)).size).toBe(page.contents.length);
  });

  it('pages as the HSDS API does, and finds a service or organization by its id', async () => {
    const all = await list('services', '?per_page=200');
    const first = await list('services', '?per_page=2');
    expect(first).toMatchObject({ page_number: 1, size: 2, first_page: true, total_items: all.total_items });
    expect(first.total_pages).toBe(Math.ceil(all.total_items / 2));
    const last = await list('services', `?per_page=2&page=${first.total_pages}`);
    expect(last.last_page).toBe(true);
    const one = await fetch(`${server.origin}/api/hsds/services/${all.contents[0]!.id}?locale=ar`);
    expect(schemas.service.safeParse(await one.json()).success).toBe(true);
    const missing = await fetch(`${server.origin}/api/hsds/organizations/00000000-0000-5000-8000-000000000000`);
    expect(missing.status).toBe(404);
    expect((await fetch(`${server.origin}/api/hsds/services?per_page=0`)).status).toBe(400);
  });

  it('keeps the same ids on another server with the same data', async () => {
    const other = await startServer();
    try {
      const ids = async (origin: string) =>
        ((await (await fetch(`${origin}/api/hsds/locations`)).json()) as { contents: { id: string }[] }).contents.map(
          (l) => l.id,
        );
      expect(await ids(other.origin)).toEqual(await ids(server.origin));
    } finally {
      await other.stop();
    }
  });
});
