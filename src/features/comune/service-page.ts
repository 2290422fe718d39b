// A desk service's page in the model's order (A chi è rivolto, Come fare, Cosa serve, Cosa si
// ottiene, Tempi e scadenze, Accedi al servizio, Condizioni di servizio, Contatti), each section
// with its `data-element` and listed in the page index (`page-index`), its topics, and its
// GovernmentService JSON-LD (the model's `metatag`). The texts are the same for every
// service but its name; the desks that offer it come from the database.
import type { Locale } from '#/lib/locales.ts';
import type { Translate } from '#/lib/i18n.ts';
import { servicePath } from '#/lib/paths.ts';
import { serviceKey, type DeskService } from '#/features/desks/services.ts';
import type { Topic } from '#/features/content/content-pages.ts';
import type { Desk } from '#/features/desks/desks.ts';

/** The model's sections, in its order; "access" (the desks) and "contacts" are built by the page. */
export const SERVICE_SECTIONS = [
  { id: 'addressed', element: 'service-addressed' },
  { id: 'howTo', element: 'service-how-to' },
  { id: 'needed', element: 'service-needed' },
  { id: 'achieved', element: 'service-achieved' },
  { id: 'calendar', element: 'service-calendar-text' },
  { id: 'access', element: 'service-booking-access' },
  { id: 'conditions', element: 'service-conditions' },
  { id: 'contacts', element: 'service-area' },
] as const;

/** The model's topics each service is tagged with (`service-topic`, linked to the topics page). */
export const SERVICE_TOPICS: Record<DeskService, Topic[]> = {
  orientation: ['socialAssistance', 'socialInclusion'],
  listening: ['socialAssistance'],
  support: ['socialAssistance', 'socialInclusion'],
  'educational-services': ['education'],
};

/** "Via Pascarella 5, 20157 Milano" → street, postal code, town (the model's PostalAddress). */
export function postalAddress(address: string): Record<string, string> {
  const m = /^(.+?),\s*(\d{5})\s+(.+)$/.exec(address.trim());
  return m
    ? { '@type': 'PostalAddress', streetAddress: m[1]!, postalCode: m[2]!, addressLocality: m[3]! }
    : { '@type': 'PostalAddress', streetAddress: address.trim(), addressLocality: 'Milano' };
}

/**
 * The service's schema.org GovernmentService, in the shape the model's metatag check reads
 * (R.SI.1.1): `serviceOperator`, `areaServed`, `audience` and ONE `availableChannel` object — the
 * booking on this page (its "Accedi al servizio" section), located at the first desk that offers it.
 * schema.org would take a list of channels; the model's check takes an object, so the other desks
 * are listed in the page, not here.
 */
export function serviceJsonLd(
  service: string,
  desks: Desk[],
  locale: Locale,
  t: Translate,
  origin: string,
): Record<string, unknown> {
  const url = new URL(servicePath(locale, service), origin).href;
  const name = t(serviceKey(service));
  const operator = { '@type': 'GovernmentOrganization', name: t('site.institution') };
  const [first] = desks;
  return {
    '@context': 'https://schema.org',
    '@type': 'GovernmentService',
    name,
    url,
    serviceType: name,
    provider: operator,
    serviceOperator: operator,
    areaServed: { '@type': 'City', name: 'Milano' },
    audience: { '@type': 'Audience', audienceType: t('comune.service.addressed.p1') },
    isAccessibleForFree: true,
    availableChannel: {
      '@type': 'ServiceChannel',
      name: t('comune.service.access.title'),
      serviceUrl: `${url}#access`,
      ...(first && {
        serviceLocation: { '@type': 'Place', name: first.name, address: postalAddress(first.address) },
        servicePhone: { '@type': 'ContactPoint', telephone: first.phone },
      }),
    },
  };
}
