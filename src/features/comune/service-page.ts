// A desk service's page in the model's order (A chi è rivolto, Come fare, Cosa serve, Cosa si
// ottiene, Tempi e scadenze, Accedi al servizio, Condizioni di servizio, Contatti), each section
// with its `data-element`, and its GovernmentService JSON-LD. The texts are the same for every
// service but its name; the desks that offer it come from the database.
import type { Locale } from '#/lib/locales.ts';
import type { Translate } from '#/lib/i18n.ts';
import { pagePath, servicePath } from '#/lib/paths.ts';
import { serviceKey } from '#/features/desks/services.ts';
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

export function serviceJsonLd(
  service: string,
  desks: Desk[],
  locale: Locale,
  t: Translate,
  origin: string,
): Record<string, unknown> {
  return {
    '@context': 'https://schema.org',
    '@type': 'GovernmentService',
    name: t(serviceKey(service)),
    url: new URL(servicePath(locale, service), origin).href,
    serviceType: t(serviceKey(service)),
    provider: { '@type': 'GovernmentOrganization', name: t('site.institution') },
    areaServed: { '@type': 'City', name: 'Milano' },
    isAccessibleForFree: true,
    availableChannel: desks.map((d) => ({
      '@type': 'ServiceChannel',
      name: d.name,
      serviceLocation: { '@type': 'Place', name: d.name, address: d.address },
      servicePhone: { '@type': 'ContactPoint', telephone: d.phone },
      serviceUrl: new URL(pagePath(locale, 'desks', d.slug), origin).href,
    })),
  };
}
