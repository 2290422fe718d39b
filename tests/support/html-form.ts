// A page's form as a browser without JavaScript sends it: its action and method, the fields it
// would submit (hidden and typed values, checked choices, textareas) and the choices on offer.

import { decodeEntities, tagAttributes as attributes } from './html-attributes.ts';

export { decodeEntities };

export type Fields = [string, string][];

export interface HtmlForm {
  action: string;
  method: 'get' | 'post';
  fields: Fields;
  /** Every radio and checkbox value, checked or not, by field name. */
  choices: Record<string, string[]>;
  /** Every field name in the form. */
  names: Set<string>;
}

/** The n-th form of the page (its address is the default action). */
export function parseForm(html: string, pageUrl: string, index = 0): HtmlForm {
  const match = [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)][index];
  if (!match) throw new Error(`no form #${index} on ${pageUrl}:\n${html.slice(0, 2000)}`);
  const formAttributes = attributes(`<form ${match[1]}`);
  const fields: Fields = [];
  const choices: Record<string, string[]> = {};
  const names = new Set<string>();
  for (const input of match[2]!.matchAll(/<input\b[^>]*>/g)) {
    const a = attributes(input[0]);
    if (!a.name) continue;
    names.add(a.name);
    if (a.type === 'radio' || a.type === 'checkbox') {
      (choices[a.name] ??= []).push(a.value ?? 'on');
      if (!('checked' in a)) continue;
    }
    fields.push([a.name, a.value ?? '']);
  }
  for (const area of match[2]!.matchAll(/<textarea\b([^>]*)>([\s\S]*?)<\/textarea>/g)) {
    const name = attributes(`<t ${area[1]}`).name!;
    names.add(name);
    fields.push([name, decodeEntities(area[2]!)]);
  }
  return {
    action: formAttributes.action ?? pageUrl,
    method: formAttributes.method?.toLowerCase() === 'post' ? 'post' : 'get',
    fields,
    choices,
    names,
  };
}

/** The form's fields with some values set (replacing those of the same name). */
export function fillForm(form: HtmlForm, values: Record<string, string>): Fields {
  return [...form.fields.filter(([name]) => !(name in values)), ...Object.entries(values)];
}
