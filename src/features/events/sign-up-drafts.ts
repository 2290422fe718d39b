// Where the sign-up pages keep what lives between a POST and the GET that follows (issue #13):
// refused forms' answers in the 'signup' draft (per event and form), and the hold being confirmed
// in its own sealed 'signup-hold' draft (its id, never in a URL, and what "send again" did).
import type { ActionAPIContext } from 'astro:actions';
import { readFormDraft, isRecord } from '#/server/forms/form-draft.ts';

/** Where refused sign-up forms keep their answers. */
export const signUpForm = (slug: string | undefined, form: 'party' | 'code' | 'cancel') =>
  ({ flow: 'signup', scope: `${form}:${slug ?? ''}` }) as const;

/** The hold this browser is confirming for the event, and what "send again" last did. */
export async function heldFromDraft(context: Pick<ActionAPIContext, 'cookies'>, slug: string) {
  const draft = await readFormDraft(context, 'signup-hold');
  if (!isRecord(draft) || draft.slug !== slug || typeof draft.id !== 'number') return undefined;
  return { id: draft.id, said: typeof draft.said === 'string' ? draft.said : undefined };
}
