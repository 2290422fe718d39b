// Which languages an event will show in Italian (issue #14): for each locale but Italian, the text
// fields written in Italian and left empty in that language. The coordinator's review screen and
// the event editor list them before publishing, so nobody is surprised by "(only in Italian)". Pure.
import { LOCALES, type Locale } from '#/lib/locales.ts';
import { EVENT_TEXT_FIELDS, type EventFormValues, type EventTextField } from './event-form.ts';

export interface MissingTranslation {
  locale: Locale;
  fields: EventTextField[];
}

export function missingTranslations(values: Pick<EventFormValues, EventTextField>): MissingTranslation[] {
  return LOCALES.filter((l) => l !== 'it').flatMap((locale) => {
    const fields = EVENT_TEXT_FIELDS.filter(
      (f) => (values[f].it ?? '').trim() !== '' && (values[f][locale] ?? '').trim() === '',
    );
    return fields.length > 0 ? [{ locale, fields }] : [];
  });
}
