// What the staff windows page (/{locale}/staff/raccolta/finestre) shows from the draft its actions
// kept: which form was refused (its `window` or `point`), what was typed there, the error summary,
// and the notice after a change (?fatto=added|moved|cancelled&n=<donors told>).
import type { KeptFormInput } from '#/server/forms/form-page.ts';
import type { Translate } from '#/lib/i18n.ts';
import { romeParts } from '#/lib/time.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** A window's day and times as the form shows them (Rome wall clock). */
export function windowFormValues(start: Date, end: Date) {
  const s = romeParts(start);
  const e = romeParts(end);
  return {
    day: `${s.year}-${pad(s.month)}-${pad(s.day)}`,
    opens: `${pad(s.hour)}:${pad(s.minute)}`,
    closes: `${pad(e.hour)}:${pad(e.minute)}`,
  };
}

export function windowsPageView(
  kept: KeptFormInput | undefined,
  params: URLSearchParams,
  method: string,
  t: Translate,
) {
  const field = (name: string) => {
    const v = kept?.form.get(name);
    return typeof v === 'string' ? v.slice(0, 40) : '';
  };
  const window = field('window');
  const point = field('point');
  const form = /^[1-9][0-9]{0,9}$/.test(window) ? `w${window}` : /^[1-9][0-9]{0,9}$/.test(point) ? `p${point}` : '';
  const summary = [...(kept?.errors ?? [])].map(([id, m]) => ({ href: `#${id}`, text: t(m.key, m.values) }));
  const done = method === 'GET' ? params.get('fatto') : null;
  const count = Number(params.get('n') ?? '0') || 0;
  const notice =
    done === 'added'
      ? t('partners.windows.done.added')
      : done === 'moved'
        ? t('partners.windows.done.moved', { count })
        : done === 'cancelled'
          ? t('partners.windows.done.cancelled', { count })
          : undefined;
  return {
    form,
    values: { day: field('day'), opens: field('opens'), closes: field('closes') },
    valuesOf: windowFormValues,
    summary,
    notice,
  };
}
