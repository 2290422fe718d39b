// What the settings page of a desk (/{locale}/staff/agenda/{desk}/impostazioni) shows: each form
// with the desk's values, or with the answers a refused POST kept (the kept `intent` says which
// form), the errors once in page order, the notice after a change (?fatto=…, with its counts), and
// the closures and extra openings from today on. Read-only: the changes are the actions'
// (desk-settings-actions.ts).
import type { AstroGlobal } from 'astro';
import type { Db } from '#/server/db/database.ts';
import { keptFormInput, messageKeys } from '#/server/forms/form-page.ts';
import type { Desk } from '#/features/desks/desks.ts';
import { romeDateString } from '#/lib/time.ts';
import { ALREADY_REMOVED, SETTINGS_DONE, deskSettingsForm } from './agenda-paths.ts';
import { DESK_SETTINGS_FIELDS, type DeskSettingsField } from './desk-settings.ts';
import { hourKeysFor, hoursFormValues } from './weekly-hours.ts';
import { listDeskExceptions } from './closures.ts';
import { DESK_FACTS_FIELDS, deskFactsFormValues, type DeskFactsForm } from '#/features/desks/desk-facts.ts';

type Page = Pick<AstroGlobal, 'url' | 'cookies' | 'response' | 'redirect' | 'locals'>;

const textOf = (form: FormData | undefined) => (name: string, max: number) => {
  const v = form?.get(name);
  return typeof v === 'string' ? v.slice(0, max) : '';
};

/** A count the notice names (?sopra=…, ?prenotazioni=…), 0 when absent or nonsense. */
const countOf = (query: URLSearchParams, name: string) => {
  const n = Number(query.get(name) ?? '0');
  return Number.isInteger(n) && n > 0 && n < 100000 ? n : 0;
};

export async function deskSettingsPage(page: Page, db: Db, desk: Desk) {
  const { t } = page.locals;
  const today = romeDateString(new Date());
  const hourKeys = hourKeysFor(desk.hours);
  const draft = deskSettingsForm(desk.slug);
  const kept = await keptFormInput(page, draft.flow, draft.scope);
  const intent = kept?.form.get('intent');
  const text = textOf(kept?.form);

  const settingsValues =
    intent === 'settings'
      ? (Object.fromEntries(DESK_SETTINGS_FIELDS.map((f) => [f, text(f, 20)])) as Record<DeskSettingsField, string>)
      : {
          slotMinutes: String(desk.slotMinutes),
          capacityPerSlot: String(desk.capacityPerSlot),
          minNoticeMinutes: String(desk.minNoticeMinutes),
          maxDaysAhead: String(desk.maxDaysAhead),
        };
  const hoursValues =
    intent === 'hours'
      ? Object.fromEntries(
          hourKeys.map(({ key }) => [key, { opens: text(`opens-${key}`, 20), closes: text(`closes-${key}`, 20) }]),
        )
      : hoursFormValues(desk.hours);
  const factsValues: DeskFactsForm =
    intent === 'facts'
      ? (Object.fromEntries(DESK_FACTS_FIELDS.map((f) => [f, text(f, 1000)])) as DeskFactsForm)
      : deskFactsFormValues(desk.facts);
  const closureValues = { closureDay: '', closureReason: '' };
  if (intent === 'addClosure')
    Object.assign(closureValues, { closureDay: text('closureDay', 20), closureReason: text('closureReason', 1000) });
  const extraValues = { extraDay: '', extraOpens: '', extraCloses: '' };
  if (intent === 'addExtra')
    Object.assign(extraValues, {
      extraDay: text('extraDay', 20),
      extraOpens: text('extraOpens', 20),
      extraCloses: text('extraCloses', 20),
    });
  const errors = (kept ? messageKeys(kept.errors) : {}) as Record<string, string>;

  const query = page.url.searchParams;
  const doneParam = query.get('fatto');
  const done = (SETTINGS_DONE as readonly string[]).includes(doneParam ?? '') ? doneParam : undefined;
  // Error summary in page order.
  const order = [
    ...DESK_SETTINGS_FIELDS,
    ...DESK_FACTS_FIELDS,
    ...hourKeys.flatMap(({ key }) => [`opens-${key}`, `closes-${key}`]),
    'closureDay',
    'closureReason',
    'extraDay',
    'extraOpens',
    'extraCloses',
  ];
  const summary = order.filter((f) => errors[f]).map((f) => ({ href: `#${f}`, text: t(errors[f]!) }));
  const heading = t('staff.desk.title', { desk: desk.name });
  return {
    today,
    intervals: hourKeys.length / 7,
    settingsValues,
    hoursValues,
    factsValues,
    closureValues,
    extraValues,
    errors,
    summary,
    problem: kept?.notice === ALREADY_REMOVED ? t('staff.desk.problem.notFound') : undefined,
    notice: done ? t(`staff.desk.done.${done}`) : undefined,
    keptAboveCapacity: done === 'settings' ? countOf(query, 'sopra') : 0,
    bookingsKept: done === 'closureAdded' || done === 'extraRemoved' ? countOf(query, 'prenotazioni') : 0,
    seriesDatesCancelled: done === 'closureAdded' ? countOf(query, 'attivita') : 0,
    seriesParties: done === 'closureAdded' ? countOf(query, 'iscritti') : 0,
    ...(await listDeskExceptions(db, desk.id, today)),
    labels: Object.fromEntries(
      DESK_SETTINGS_FIELDS.map((f) => [f, { label: t(`staff.desk.${f}`), hint: t(`staff.desk.${f}Hint`) }]),
    ) as Record<DeskSettingsField, { label: string; hint: string }>,
    heading,
    pageTitle: summary.length ? t('staff.errorTitle', { title: heading }) : heading,
  };
}
