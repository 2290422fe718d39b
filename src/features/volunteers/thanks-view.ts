// What "check your email" (/{locale}/volontari/grazie) shows: the same page for every sign-up, and,
// when a code went to the mobile phone given, the box to type it (volunteers.confirmCode), with the
// phone masked, the error of the last code typed or of "send again" (once), "send again", or "use
// the link" once the code is spent, expired or locked. Which sign-up the code is for lives in the sealed draft only.
import type { AstroGlobal } from 'astro';
import type { Translate } from '#/lib/i18n.ts';
import type { Db } from '#/server/db/database.ts';
import { CODE_RESENT, signUpCodeOf } from './actions.ts';
import { volunteerCodeState } from './volunteers.ts';

export interface ThanksView {
  /**
   * Set when a code went by SMS: where (masked), whether it can still be used, the error of the
   * code typed or of "send again", and whether a new code has just gone.
   */
  code: { sentTo: string; usable: boolean; error: string | undefined; resent: boolean } | undefined;
}

type PageContext = Pick<AstroGlobal, 'cookies' | 'response' | 'redirect'>;

export async function thanksView(astro: PageContext, db: Db, t: Translate): Promise<ThanksView> {
  const sent = await signUpCodeOf(astro);
  if (!sent) return { code: undefined };
  const state = await volunteerCodeState(db, sent.volunteerId);
  const error = sent.kept.errors.get('code') ?? sent.kept.errors.get('resend');
  return {
    code: {
      sentTo: sent.sentTo,
      usable: state?.usable ?? false,
      error: error && t(error.key, error.values),
      resent: sent.kept.notice === CODE_RESENT,
    },
  };
}
