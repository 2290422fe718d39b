// A desk's "Before you come" facts (issue #14) as a block of an email: the facts of the card on its
// page (deskFactList, which DeskFacts.astro renders too), in the reader's language, only those the
// desk has (no empty heading), with the sample label while staff have not confirmed them. The map is
// two links, OpenStreetMap's page and a geo: URI: the email loads nothing from another origin.
import type { Translate } from '#/lib/i18n.ts';
import { isFallback, localize, type Locale } from '#/lib/locales.ts';
import type { Detail, Link, Section } from '#/server/mail/email-layout.ts';
import type { DeskFacts } from './desks.ts';
import { deskFactList } from './desk-fact-list.ts';
import { geoUri, openStreetMapUrl } from './map-links.ts';

export function beforeYouComeSection(
  facts: DeskFacts,
  deskName: string,
  locale: Locale,
  t: Translate,
): Section | undefined {
  const details: Detail[] = [];
  const links: Link[] = [];
  for (const fact of deskFactList(facts, locale, t)) {
    switch (fact.key) {
      case 'languages':
        details.push({ label: fact.label, value: fact.value, ...(fact.more ? { more: fact.more } : {}) });
        break;
      case 'access':
        // Unknown access is left out here (the page says "call to ask"; the email has the phone above).
        if (fact.known) details.push({ label: fact.label, value: fact.value });
        break;
      case 'bring':
        details.push({
          label: fact.label,
          value: localize(fact.text, locale),
          ...(isFallback(fact.text, locale) ? { italian: true, aside: t('common.onlyItalian') } : {}),
        });
        break;
      case 'transit':
        // The lines are written by staff in Italian ("M1 Bonola; bus 68, 69"), read left to right.
        if (fact.transit) details.push({ label: fact.label, value: fact.transit, italian: true, ltr: true });
        if (fact.coordinates)
          links.push(
            { text: t('desks.facts.openMap'), url: openStreetMapUrl(fact.coordinates) },
            { text: t('desks.facts.openMapApp'), url: geoUri(fact.coordinates, deskName) },
          );
        break;
    }
  }
  if (details.length === 0 && links.length === 0) return undefined;
  return {
    heading: t('desks.facts.title'),
    ...(facts.isSample ? { tag: t('common.sampleData') } : {}),
    details,
    links,
  };
}
