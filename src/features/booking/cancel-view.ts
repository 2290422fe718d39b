// What the page for cancelling without email (/{locale}/prenotazione/annulla) shows: the form of
// reference and phone (with their errors and what was typed, read back from the sealed draft), the
// confirmation step once they matched a booking (?passo=conferma; looked up again, it may have been
// cancelled meanwhile, and not counted as a guess), the lookup limit, the spam refusal, or "done".
import type { AstroGlobal } from 'astro';
import type { Translate } from '#/lib/i18n.ts';
import type { Db } from '#/server/db/database.ts';
import { keptFormInput, messageKeys } from '#/server/forms/form-page.ts';
import { getDeskBySlug, type Desk } from '#/features/desks/desks.ts';
import type { ManagedBooking } from './manage-booking.ts';
import { toLatinDigits } from '#/lib/contact.ts';
import { CANCEL_FORM, cancellableByReference } from './manage-actions.ts';

export type CancelStep = 'form' | 'confirm' | 'done' | 'limited' | 'refused';
type Field = 'reference' | 'phone';

export interface CancelByReferenceView {
  step: CancelStep;
  errors: Partial<Record<Field, string>>;
  typed: Record<Field, string>;
  booking: ManagedBooking | undefined;
  desk: Desk | undefined;
  retryAfterSeconds: number;
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
  const done = astro.url.searchParams.get('esito') === 'annullata';
  const kept = done ? undefined : await keptFormInput(astro, CANCEL_FORM.flow, CANCEL_FORM.scope);
  const typedIn = (name: Field) => toLatinDigits(String(kept?.form.get(name) ?? '').slice(0, 100));
  const view: CancelByReferenceView = {
    step: done ? 'done' : 'form',
    errors: {},
    typed: { reference: typedIn('reference'), phone: typedIn('phone') },
    booking: undefined,
    desk: undefined,
    retryAfterSeconds: 0,
    errorItems: [],
    title: '',
  };
  if (refusedAsSpam()) view.step = 'refused';
  else if (kept?.retryAfterSeconds) [view.step, view.retryAfterSeconds] = ['limited', kept.retryAfterSeconds];
  else if (!done && astro.url.searchParams.get('passo') === 'conferma') {
    view.booking = kept?.step === 'confirm' ? await cancellableByReference(db, view.typed) : undefined;
    if (!view.booking) return 'start-over';
    view.step = 'confirm';
    view.desk = await getDeskBySlug(db, view.booking.deskSlug);
  } else if (kept) view.errors = messageKeys(kept.errors);
  view.errorItems = (['reference', 'phone'] as const)
    .filter((f) => view.errors[f])
    .map((f) => ({ href: `#${f}`, text: t(view.errors[f]!) }));
  const titles: Record<CancelStep, string> = {
    form: t('manage.lookup.title'),
    confirm: t('manage.cancel.title'),
    done: t('manage.cancelledTitle'),
    limited: t('booking.limit.title'),
    refused: t('booking.refused.title'),
  };
  view.title = view.errorItems.length > 0 ? t('booking.errorTitle', { title: titles[view.step] }) : titles[view.step];
  return view;
}
