// Open Referral HSDS 3.0 (Human Services Data Specification), the objects /api/hsds/… serves, in
// zod. No npm package carries the HSDS JSON schemas, so these are our own, written from the
// specification's documented required fields, types, formats and enumerations (openreferral/
// specification, schema/*.json, version 3.0), covering only the fields we publish. They describe
// the API in openapi.ts and validate its answers in tests/http/hsds.test.ts.
import { z } from 'astro/zod';

const id = z.uuid();
const hhmm = z.string().regex(/^\d{2}:\d{2}$/);

export function hsdsSchemas() {
  const language = z.object({
    id,
    location_id: id.optional(),
    service_id: id.optional(),
    name: z.string().optional(),
    code: z.string().optional().describe('ISO 639-1'),
  });
  const phone = z.object({
    id,
    location_id: id.optional(),
    organization_id: id.optional(),
    number: z.string(),
    type: z.string().optional(),
  });
  const address = z.object({
    id,
    location_id: id.optional(),
    address_1: z.string(),
    city: z.string(),
    region: z.string().optional(),
    state_province: z.string(),
    postal_code: z.string(),
    country: z.string().regex(/^[A-Z]{2}$/),
    address_type: z.enum(['physical', 'postal', 'virtual']),
  });
  const schedule = z.object({
    id,
    service_id: id.optional(),
    location_id: id.optional(),
    freq: z.enum(['WEEKLY', 'MONTHLY']).optional(),
    wkst: z.enum(['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU']).optional(),
    byday: z.string().optional(),
    interval: z.number().optional(),
    opens_at: hhmm.optional(),
    closes_at: hhmm.optional(),
    description: z.string().optional(),
  });
  const accessibility = z.object({
    id,
    location_id: id.optional(),
    description: z.string().optional(),
    details: z.string().optional(),
    url: z.url().optional(),
  });
  const location = z.object({
    id,
    location_type: z.enum(['physical', 'postal', 'virtual']),
    organization_id: id.optional(),
    url: z.url().optional(),
    name: z.string().optional(),
    description: z.string().optional(),
    transportation: z.string().optional(),
    latitude: z.number().optional(),
    longitude: z.number().optional(),
    addresses: z.array(address).optional(),
    phones: z.array(phone).optional(),
    schedules: z.array(schedule).optional(),
    languages: z.array(language).optional(),
    accessibility: z.array(accessibility).optional(),
  });
  const serviceAtLocation = z.object({
    id,
    service_id: id.optional(),
    location_id: id.optional(),
    description: z.string().optional(),
    location: location.optional(),
  });
  const organization = z.object({
    id,
    name: z.string(),
    description: z.string(),
    website: z.url().optional(),
    email: z.email().optional(),
    uri: z.url().optional(),
    phones: z.array(phone).optional(),
    locations: z.array(location).optional(),
  });
  const service = z.object({
    id,
    organization_id: id.optional(),
    name: z.string(),
    description: z.string().optional(),
    url: z.url().optional(),
    status: z.enum(['active', 'inactive', 'defunct', 'temporarily closed']),
    fees_description: z.string().optional(),
    application_process: z.string().optional(),
    last_modified: z.iso.datetime({ offset: true }).optional(),
    schedules: z.array(schedule).optional(),
    service_at_locations: z.array(serviceAtLocation).optional(),
    languages: z.array(language).optional(),
    phones: z.array(phone).optional(),
    organization: organization.optional(),
  });
  return { organization, location, service, schedule, service_at_location: serviceAtLocation };
}

/** The HSDS API's page object (its "Page" component): paging facts around `contents`. */
export const hsdsPageFields = {
  total_items: z.int().min(0),
  total_pages: z.int().min(0),
  page_number: z.int().min(1),
  size: z.int().min(0),
  first_page: z.boolean(),
  last_page: z.boolean(),
  empty: z.boolean(),
};
