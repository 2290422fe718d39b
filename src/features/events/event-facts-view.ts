// What an event page says of its facts (issue #13), in the reader's language: one line each for the
// ages, the price, access and services, and the languages spoken. Pure.
import type { Translate } from '#/lib/i18n.ts';
import { languageName, type Locale } from '#/lib/locales.ts';
import { formatPrice, type EventFacts } from './event-facts.ts';

export interface FactLine {
  label: string;
  values: string[];
}

/** The price in words; the partner's own price note, when there is one, is shown beside it. */
export function priceText(facts: EventFacts, t: Translate, locale: Locale): string {
  if (facts.priceKind === 'price' && facts.priceCents !== null) return formatPrice(facts.priceCents, locale);
  return t(facts.priceKind === 'free_offer' ? 'eventFacts.freeOffer' : 'eventFacts.free');
}

export function factLines(facts: EventFacts, t: Translate, locale: Locale): FactLine[] {
  const lines: FactLine[] = [
    {
      label: t('eventFacts.ages'),
      values: [
        facts.ageBands.length === 0
          ? t('eventFacts.allAges')
          : t('eventFacts.agesValue', { bands: facts.ageBands.map((b) => b.replace('-', '–')).join(', ') }),
      ],
    },
  ];
  const access = [
    ...(facts.stepFree === null ? [] : [t(facts.stepFree ? 'eventFacts.stepFree' : 'eventFacts.notStepFree')]),
    ...(facts.lis ? [t('eventFacts.lis')] : []),
    ...(facts.childcare ? [t('eventFacts.childcare')] : []),
  ];
  if (access.length > 0) lines.push({ label: t('eventFacts.access'), values: access });
  if (facts.languages.length > 0)
    lines.push({
      label: t('eventFacts.languages'),
      values: [facts.languages.map((c) => languageName(c, locale)).join(', ')],
    });
  return lines;
}
