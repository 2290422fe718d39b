// A desk's "Before you come" facts (issue #14) as a list: which facts a desk has and what each says,
// in the reader's language. The desk's page (DeskFacts.astro) and the booking's email
// (before-you-come.ts) both render from it, so they never disagree on which facts show or how one
// reads; only the markup differs (a <dl> with map links, or an email's details and links).
import type { Translate } from '#/lib/i18n.ts';
import { languageName, localize, type Locale, type LocalizedText } from '#/lib/locales.ts';
import { formatList, weekdayName } from '#/lib/format.ts';
import type { DeskFacts } from './desks.ts';

export type DeskFact =
  /** The languages spoken, and `more`, the cultural mediator's days where there are any. */
  | { key: 'languages'; label: string; value: string; more?: string }
  /** Step-free access; `known` false until staff say (the text then says to call and ask). */
  | { key: 'access'; label: string; value: string; known: boolean }
  /** What to bring, written by staff (in Italian at least; shown in Italian where not translated). */
  | { key: 'bring'; label: string; text: LocalizedText }
  /** How to get there: the nearest lines (staff's Italian, read left to right) and the map's place. */
  | { key: 'transit'; label: string; transit: string | null; coordinates: DeskFacts['coordinates'] };

/** The facts the desk has, in the order both the page and the email show them (nothing empty). */
export function deskFactList(facts: DeskFacts, locale: Locale, t: Translate): DeskFact[] {
  const list = (items: string[]) => formatList(items, locale);
  const shown: DeskFact[] = [];
  if (facts.languages.length > 0)
    shown.push({
      key: 'languages',
      label: t('desks.facts.languages'),
      value: list(facts.languages.map((c) => languageName(c, locale))),
      ...(facts.mediatorWeekdays.length > 0
        ? { more: t('desks.facts.mediator', { days: list(facts.mediatorWeekdays.map((w) => weekdayName(w, locale))) }) }
        : {}),
    });
  const access = facts.stepFree === null ? 'unknown' : facts.stepFree ? 'yes' : 'no';
  shown.push({
    key: 'access',
    label: t('desks.facts.access'),
    value: t(`desks.facts.stepFree.${access}`),
    known: facts.stepFree !== null,
  });
  if (facts.whatToBring && localize(facts.whatToBring, locale).trim())
    shown.push({ key: 'bring', label: t('desks.facts.bring'), text: facts.whatToBring });
  if (facts.transit || facts.coordinates)
    shown.push({
      key: 'transit',
      label: t('desks.facts.getThere'),
      transit: facts.transit,
      coordinates: facts.coordinates,
    });
  return shown;
}
