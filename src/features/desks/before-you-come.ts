// A desk's "Before you come" facts (issue #14) as a block of an email: the same facts as the card on
// its page (DeskFacts.astro), in the reader's language, only those the desk has (no empty heading),
// with the sample label while staff have not confirmed them. The map is two links, OpenStreetMap's
// page and a geo: URI: the email loads nothing from another origin.
import type { Translate } from '#/lib/i18n.ts';
import { isFallback, languageName, localize, type Locale } from '#/lib/locales.ts';
import { formatList, weekdayName } from '#/lib/format.ts';
import type { Detail, Link, Section } from '#/server/mail/email-layout.ts';
import type { DeskFacts } from './desks.ts';
import { geoUri, openStreetMapUrl } from './map-links.ts';

export function beforeYouComeSection(
  facts: DeskFacts,
  deskName: string,
  locale: Locale,
  t: Translate,
): Section | undefined {
  const list = (items: string[]) => formatList(items, locale);
  const details: Detail[] = [];
  if (facts.languages.length > 0)
    details.push({
      label: t('desks.facts.languages'),
      value: list(facts.languages.map((c) => languageName(c, locale))),
      ...(facts.mediatorWeekdays.length > 0
        ? {
            more: t('desks.facts.mediator', {
              days: list(facts.mediatorWeekdays.map((w) => weekdayName(w, locale))),
            }),
          }
        : {}),
    });
  // Unknown access is left out here (the page says "call to ask"; the email has the phone above).
  if (facts.stepFree !== null)
    details.push({
      label: t('desks.facts.access'),
      value: facts.stepFree ? t('desks.facts.stepFree.yes') : t('desks.facts.stepFree.no'),
    });
  if (facts.whatToBring && localize(facts.whatToBring, locale).trim()) {
    const fallback = isFallback(facts.whatToBring, locale);
    details.push({
      label: t('desks.facts.bring'),
      value: localize(facts.whatToBring, locale),
      ...(fallback ? { italian: true, aside: t('common.onlyItalian') } : {}),
    });
  }
  // The lines are written by staff in Italian ("M1 Bonola; bus 68, 69"), read left to right.
  if (facts.transit) details.push({ label: t('desks.facts.getThere'), value: facts.transit, italian: true, ltr: true });
  const links: Link[] = facts.coordinates
    ? [
        { text: t('desks.facts.openMap'), url: openStreetMapUrl(facts.coordinates) },
        { text: t('desks.facts.openMapApp'), url: geoUri(facts.coordinates, deskName) },
      ]
    : [];
  if (details.length === 0 && links.length === 0) return undefined;
  return {
    heading: t('desks.facts.title'),
    ...(facts.isSample ? { tag: t('common.sampleData') } : {}),
    details,
    links,
  };
}
