// What the page for changing a booking without email (/{locale}/prenotazione/annulla) shows: the
// form of reference and phone (with their errors and what was typed, read back from the sealed
// draft), the booking once they matched one (?passo=conferma: cancel it, or move it; looked up again,
// it may have been cancelled meanwhile, and not counted as a guess), the week of the same desk's free
// times to move it to (?passo=sposta&settimana=…, with "taken meanwhile" once), the lookup limit,
// the spam refusal, or "cancelled" / "moved".
import type { AstroGlobal } from 'astro';
import type { Translate } from '#/lib/i18n.ts';
import type { Db } from '#/server/db/database.ts';
import { keptFormInput, messageKeys } from '#/server/forms/form-page.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import type { ManagedBooking } from './manage-booking.ts';
import { toLatinDigits } from '#/lib/contact.ts';
import { CANCEL_FORM, cancellableByReference } from './manage-actions.ts';
import { loadWeek, type WeekOfSlots } from './booking-flow.ts';
import { parseWeekValue } from './flow.ts';

export type CancelStep = 'form' | 'confirm' | 'move' | 'done' | 'moved' | 'limited' | 'refused';
type Field = 'reference' | 'phone';

export interface CancelByReferenceView {
  step: CancelStep;
  errors: Partial<Record<Field, string>>;
  typed: Record<Field, string>;
  booking: ManagedBooking | undefined;
  desk: Desk | undefined;
  retryAfterSeconds: number;
  /** The move step's week of the desk's free times, and the message key of a refused move. */
  week: WeekOfSlots | undefined;
  moveError: string | undefined;
  errorItems: { href: string; text: string }[];
  title: string;
}

type PageContext = Pick<AstroGlobal, 'cookies' | 'response' | 'redirect' | 'url'>;

/** The view, or 'start-over' when the confirmation step has no booking (any more) to confirm. */
export async function cancelByReferenceView(
  astro: PageContext,
  db: Db,
  refusedAsSpam: () => boolean,
  t: Translate,
): Promise<CancelByReferenceView | 'start-over'> {
  const outcome = astro.url.searchParams.get('esito');
  const done = outcome === 'annullata' || outcome === 'spostata';
  const kept = done ? undefined : await keptFormInput(astro, CANCEL_FORM.flow, CANCEL_FORM.scope);
  const asked = astro.url.searchParams.get('passo');
  const typedIn = (name: Field) => toLatinDigits(String(kept?.form.get(name) ?? '').slice(0, 100));
  const view: CancelByReferenceView = {
    step: outcome === 'spostata' ? 'moved' : done ? 'done' : 'form',
    errors: {},
    typed: { reference: typedIn('reference'), phone: typedIn('phone') },
    booking: undefined,
    desk: undefined,
    retryAfterSeconds: 0,
    week: undefined,
    moveError: undefined,
    errorItems: [],
    title: '',
  };
  if (refusedAsSpam()) view.step = 'refused';
  else if (kept?.retryAfterSeconds) [view.step, view.retryAfterSeconds] = ['limited', kept.retryAfterSeconds];
  else if (!done && (asked === 'conferma' || asked === 'sposta')) {
    view.booking = kept?.step === 'confirm' ? await cancellableByReference(db, view.typed) : undefined;
    view.desk = view.booking && (await getDeskBySlug(db, view.booking.deskSlug));
    if (!view.booking || !view.desk) return 'start-over';
    view.step = asked === 'sposta' ? 'move' : 'confirm';
    if (view.step === 'move') {
      view.week = await loadWeek(db, view.desk, parseWeekValue(astro.url.searchParams.get('settimana')));
      view.moveError = kept?.errors.get('slots')?.key;
    }
  } else if (kept) view.errors = messageKeys(kept.errors);
  view.errorItems = (['reference', 'phone'] as const)
    .filter((f) => view.errors[f])
    .map((f) => ({ href: `#${f}`, text: t(view.errors[f]!) }));
  const titles: Record<CancelStep, string> = {
    form: t('manage.lookup.title'),
    confirm: t('manage.cancel.title'),
    move: t('manage.move.title'),
    done: t('manage.cancelledTitle'),
    moved: t('manage.lookup.movedTitle'),
    limited: t('booking.limit.title'),
    refused: t('booking.refused.title'),
  };
  if (view.moveError) view.errorItems = [{ href: '#slots', text: t(view.moveError) }];
  view.title = view.errorItems.length > 0 ? t('booking.errorTitle', { title: titles[view.step] }) : titles[view.step];
  return view;
}
