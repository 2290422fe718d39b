// What a form page reads of an action's outcome: its action address, and whether the POST it is
// rendering for was refused as spam (the honeypot; every other outcome is a 303 to a GET).
import type { AstroGlobal } from 'astro';
import { HONEYPOT_REFUSAL } from './run-form-action.ts';

type AnyAction = Parameters<AstroGlobal['getActionResult']>[0];

/** The address a form posts to: its own page (query kept) with the action's name. */
export function actionUrl(page: string, action: AnyAction): string {
  // An action's string is its query, "?_action=volunteers.signUp".
  const name = String(action).slice(1);
  return page.includes('?') ? `${page}&${name}` : `${page}?${name}`;
}

/** True (and the status 400 set) when this render answers a POST whose honeypot was filled. */
export function refusedAsSpam(astro: Pick<AstroGlobal, 'getActionResult' | 'response'>, action: AnyAction): boolean {
  if (astro.getActionResult(action)?.error?.message !== HONEYPOT_REFUSAL) return false;
  astro.response.status = 400;
  return true;
}
