// What the staff page of the campaign's items (/{it|en}/staff/raccolta/articoli) shows of a refused
// form: the targets or the new item as typed, their messages (a target below what is pledged says
// how many are), the error summary, and the notice of a change done. Pure.
import type { Translate } from '#/lib/i18n.ts';
import { formatNumber } from '#/lib/format.ts';
import { localize, type Locale } from '#/lib/locales.ts';
import type { KeptFormInput } from '#/server/forms/form-page.ts';
import type { NewItemValues, StaffItem } from './campaign-items.ts';

const TARGET_FIELD = /^target-([1-9][0-9]{0,8})$/;
const NEW_ITEM_FIELDS = ['nameIt', 'nameEn', 'target'] as const;

export interface ItemsView {
  /** Item id → the target as typed (a refused save), else empty: the page shows the stored ones. */
  targetValues: Map<number, string>;
  targetErrors: Record<number, string>;
  newItem: NewItemValues;
  newItemErrors: Partial<Record<keyof NewItemValues, string>>;
  summary: { href: string; text: string }[];
  notice: string | undefined;
}

function readTargets(form: FormData): Map<number, string> {
  const values = new Map<number, string>();
  for (const [name, value] of form) {
    const m = TARGET_FIELD.exec(name);
    if (m && typeof value === 'string') values.set(Number(m[1]), value.slice(0, 20));
  }
  return values;
}

function readNewItem(form: FormData): NewItemValues {
  const text = (name: string, max: number) => {
    const v = form.get(name);
    return typeof v === 'string' ? v.slice(0, max) : '';
  };
  return { nameIt: text('nameIt', 500), nameEn: text('nameEn', 500), target: text('target', 20) };
}

/** `fatto` is the done notice's name from the address (?fatto=targets…), when the page answers a GET. */
export function itemsView(
  kept: KeptFormInput | undefined,
  items: readonly StaffItem[],
  fatto: string | null,
  locale: Locale,
  t: Translate,
): ItemsView {
  const view: ItemsView = {
    targetValues: new Map(),
    targetErrors: {},
    newItem: { nameIt: '', nameEn: '', target: '' },
    newItemErrors: {},
    summary: [],
    notice: undefined,
  };
  if (kept?.form.get('intent') === 'targets') {
    view.targetValues = readTargets(kept.form);
    for (const [field, message] of kept.errors) {
      const id = TARGET_FIELD.exec(field)?.[1];
      const pledged = message.values?.pledged;
      if (id)
        view.targetErrors[Number(id)] = t(message.key, {
          pledged: typeof pledged === 'number' ? formatNumber(pledged, locale) : '',
        });
    }
  } else if (kept?.form.get('intent') === 'add') {
    view.newItem = readNewItem(kept.form);
    view.newItemErrors = Object.fromEntries([...kept.errors].map(([k, m]) => [k, t(m.key)]));
  }
  view.summary = [
    ...items
      .filter((i) => view.targetErrors[i.id])
      .map((i) => ({ href: `#target-${i.id}`, text: `${localize(i.name, locale)}: ${view.targetErrors[i.id]}` })),
    ...NEW_ITEM_FIELDS.filter((k) => view.newItemErrors[k]).map((k) => ({
      href: `#new-${k}`,
      text: view.newItemErrors[k]!,
    })),
  ];
  const notices: Record<string, string> = {
    targets: t('staff.pledges.items.done.targets'),
    unchanged: t('staff.pledges.items.done.unchanged'),
    added: t('staff.pledges.items.done.added'),
  };
  view.notice = fatto ? notices[fatto] : undefined;
  return view;
}
