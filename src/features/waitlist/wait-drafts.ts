// The join this browser is confirming (issue #13): its entry's id, and what "send again" last did,
// in the waiting list's own sealed draft ('wait-hold'; never in a URL). Apart from a sign-up's
// hold ('signup-hold'), so a family can have an event's sign-up code step and a waiting list's
// code step open at once, and finishing one never loses the other.
import type { ActionAPIContext } from 'astro:actions';
import { isRecord, readFormDraft, saveFormDraft } from '#/server/forms/form-draft.ts';

type Context = Pick<ActionAPIContext, 'cookies'>;

/** The pending entry this browser holds, or undefined. */
export async function heldWaitEntry(context: Context): Promise<{ id: number; said?: string } | undefined> {
  const draft = await readFormDraft(context, 'wait-hold');
  if (!isRecord(draft) || typeof draft.id !== 'number') return undefined;
  return typeof draft.said === 'string' ? { id: draft.id, said: draft.said } : { id: draft.id };
}

/** Remember the entry (and, once, what "send again" did) for the code step's GET. */
export function holdWaitEntry(context: Context, id: number, said?: string): Promise<void> {
  return saveFormDraft(context, 'wait-hold', said === undefined ? { id } : { id, said });
}
