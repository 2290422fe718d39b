// The desks and their services as Open Referral HSDS 3.0 objects (/api/hsds/…), so directories and
// 211-style tools can read them: each municipal network with desks is an organization, each desk a
// location with its address, phone and weekly schedule, and each service a desk offers a service
// at that location. Ids are UUIDs derived from our slugs, so they stay the same across requests
// and servers. Pure functions of the domain objects; the shapes are hsds-schemas.ts.
import { createHash } from 'node:crypto';
import type { z } from 'astro/zod';
import type { Desk, Municipio } from '#/features/desks/desks.ts';
import { serviceKey } from '#/features/desks/services.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { languageName, localize, type Locale } from '#/lib/locales.ts';
import { deskPath, pagePath } from '#/lib/paths.ts';
import type { hsdsSchemas } from './hsds-schemas.ts';

type Schemas = ReturnType<typeof hsdsSchemas>;
type Of<K extends keyof Schemas> = z.input<Schemas[K]>;

/** A name-based UUID (version 5 layout over SHA-1), stable for the same name. */
export function stableUuid(name: string): string {
  const h = createHash('sha1').update(`qubi.hsds:${name}`).digest();
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const hex = h.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const ids = {
  organization: (municipio: number) => stableUuid(`network:${municipio}`),
  location: (desk: string) => stableUuid(`desk:${desk}`),
  service: (desk: string, service: string) => stableUuid(`service:${desk}:${service}`),
  serviceAtLocation: (desk: string, service: string) => stableUuid(`service-at-location:${desk}:${service}`),
  schedule: (desk: string, index: number, service = '') => stableUuid(`schedule:${desk}:${index}:${service}`),
  address: (desk: string) => stableUuid(`address:${desk}`),
  phone: (desk: string) => stableUuid(`phone:${desk}`),
  language: (desk: string, code: string) => stableUuid(`language:${desk}:${code}`),
  accessibility: (desk: string) => stableUuid(`accessibility:${desk}`),
};

const BYDAY = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;

/** "Via Pascarella 5, 20157 Milano" → street, postal code and city; the whole text as street otherwise. */
function splitAddress(address: string): { street: string; postalCode: string; city: string } {
  const m = /^(.*?),\s*(\d{5})\s+(.+)$/.exec(address.trim());
  return m ? { street: m[1]!, postalCode: m[2]!, city: m[3]! } : { street: address, postalCode: '', city: 'Milano' };
}

export interface HsdsData {
  desks: Desk[];
  municipi: Municipio[];
  locale: Locale;
  origin: string;
}

function schedules(desk: Desk, service?: string): Of<'schedule'>[] {
  return desk.hours.map((h, i) => ({
    id: ids.schedule(desk.slug, i, service),
    ...(service ? { service_id: ids.service(desk.slug, service) } : { location_id: ids.location(desk.slug) }),
    freq: 'WEEKLY',
    wkst: 'MO',
    interval: 1,
    byday: BYDAY[h.weekday - 1]!,
    opens_at: h.opens,
    closes_at: h.closes,
  }));
}

function location(desk: Desk, { locale, origin }: HsdsData): Of<'location'> {
  const { street, postalCode, city } = splitAddress(desk.address);
  const description = desk.description ? localize(desk.description, locale) : undefined;
  return {
    id: ids.location(desk.slug),
    location_type: 'physical',
    organization_id: ids.organization(desk.municipioId),
    name: desk.name,
    ...(description ? { description } : {}),
    url: new URL(deskPath(locale, desk.slug), origin).href,
    addresses: [
      {
        id: ids.address(desk.slug),
        location_id: ids.location(desk.slug),
        address_1: street,
        city,
        region: 'Lombardia',
        state_province: 'MI',
        postal_code: postalCode,
        country: 'IT',
        address_type: 'physical',
      },
    ],
    phones: [{ id: ids.phone(desk.slug), location_id: ids.location(desk.slug), number: desk.phone, type: 'voice' }],
    schedules: schedules(desk),
    ...locationFacts(desk, locale),
  };
}

/** Languages spoken, step-free access, lines and coordinates (#14), where HSDS has fields for them. */
function locationFacts(desk: Desk, locale: Locale): Partial<Of<'location'>> {
  const { facts } = desk;
  const t = getTranslator(locale);
  const at = ids.location(desk.slug);
  return {
    languages: facts.languages.map((code) => ({
      id: ids.language(desk.slug, code),
      location_id: at,
      name: languageName(code, locale),
      code,
    })),
    ...(facts.stepFree === null
      ? {}
      : {
          accessibility: [
            {
              id: ids.accessibility(desk.slug),
              location_id: at,
              description: t(`desks.facts.stepFree.${facts.stepFree ? 'yes' : 'no'}`),
            },
          ],
        }),
    ...(facts.transit ? { transportation: facts.transit } : {}),
    ...(facts.coordinates ?? {}),
  };
}

export function hsdsOrganizations(data: HsdsData): Of<'organization'>[] {
  const t = getTranslator(data.locale);
  return data.municipi
    .filter((m) => data.desks.some((d) => d.municipioId === m.id))
    .map((m) => ({
      id: ids.organization(m.id),
      name: m.networkName,
      description: t('openData.hsds.networkDescription', { number: m.id, areas: m.quartieri.join(', ') }),
      website: new URL(pagePath(data.locale, 'desks'), data.origin).href + `?municipio=${m.id}`,
      locations: data.desks.filter((d) => d.municipioId === m.id).map((d) => location(d, data)),
    }));
}

export function hsdsLocations(data: HsdsData): Of<'location'>[] {
  return data.desks.map((d) => location(d, data));
}

export function hsdsServices(data: HsdsData): Of<'service'>[] {
  const t = getTranslator(data.locale);
  return data.desks.flatMap((desk) =>
    desk.services.map((service) => ({
      id: ids.service(desk.slug, service),
      organization_id: ids.organization(desk.municipioId),
      name: `${t(serviceKey(service))} – ${desk.name}`,
      url: new URL(deskPath(data.locale, desk.slug), data.origin).href,
      status: 'active' as const,
      fees_description: t('openData.hsds.free'),
      application_process: t('openData.hsds.applicationProcess', { phone: desk.phone }),
      phones: [{ id: ids.phone(desk.slug), number: desk.phone, type: 'voice' }],
      schedules: schedules(desk, service),
      service_at_locations: [
        {
          id: ids.serviceAtLocation(desk.slug, service),
          service_id: ids.service(desk.slug, service),
          location_id: ids.location(desk.slug),
        },
      ],
    })),
  );
}

export function hsdsSchedules(data: HsdsData): Of<'schedule'>[] {
  return data.desks.flatMap((d) => schedules(d));
}

/** One page of a list, as the HSDS API's Page object. */
export function hsdsPage<T>(items: T[], page: number, perPage: number) {
  const totalPages = Math.ceil(items.length / perPage);
  const contents = items.slice((page - 1) * perPage, page * perPage);
  return {
    total_items: items.length,
    total_pages: totalPages,
    page_number: page,
    size: contents.length,
    first_page: page === 1,
    last_page: page >= totalPages,
    empty: contents.length === 0,
    contents,
  };
}
