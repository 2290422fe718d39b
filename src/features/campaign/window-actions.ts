// The collection-window forms as Astro Actions (issue #15): staff add, move and cancel windows on
// /{locale}/staff/raccolta/finestre; a donor chooses another window from their pledge's manage
// link. Each staff action checks who is asking (staffOf) and `can` on the drop-off point as stored
// inside collection-windows.ts before anything is written; a refusal is 403 with nothing changed.
import { z } from 'astro/zod';
import type { ActionAPIContext } from 'astro:actions';
import { staffPath } from '#/lib/paths.ts';
import {
  FormRefused,
  defineFormAction,
  notFoundPage,
  refuseForbidden,
  seeOther,
} from '#/server/actions/form-action.ts';
import { staffOf } from '#/features/staff-accounts/staff-of.ts';
import { getDb } from '#/server/db/index.ts';
import { CACHE_TAGS, invalidateLiveData } from '#/server/cache/live-page.ts';
import { optionalField, recordId } from '#/lib/validation.ts';
import { addWindow, cancelWindow, moveWindow, type WindowWrite } from './collection-windows.ts';
import { changePledgeWindow } from './pledge-window-change.ts';
import { CAMPAIGN_SLUG } from './pledge-form.ts';
import { findPledgeByToken } from './manage-pledge.ts';
import { guardPublicWrite, clientIp } from '#/server/http/request-guard.ts';
import { pledgeManagePath } from '#/lib/paths.ts';

/** The staff windows page's draft: its forms tell themselves apart by the kept `window` or `point`. */
export const WINDOWS_FORM = { flow: 'staff', scope: 'finestre' } as const;
/** Kept notice: the window was moved or cancelled meanwhile. */
export const WINDOW_CONFLICT = 'window-conflict';
/** The manage page's window form draft, per link. */
export const manageWindowForm = (url: URL) =>
  ({ flow: 'pledge', scope: `pledge-window:${(url.searchParams.get('token') ?? '').slice(0, 200)}` }) as const;

const windowsPage = (context: ActionAPIContext) => staffPath(context.locals.locale, 'raccolta', 'finestre');

/** The form's field ids carry the form they belong to: "day-w12" (a window's), "day-p3" (a point's add form). */
export const windowFieldId = (field: string, form: string) => `${field}-${form}`;

const times = { day: optionalField(40), opens: optionalField(40), closes: optionalField(40) };

async function finish(context: ActionAPIContext, form: string, result: WindowWrite, done: string) {
  if (!result.ok) {
    if (result.reason === 'invalid') {
      const errors: Record<string, string> = {};
      for (const [field, key] of Object.entries(result.errors)) errors[windowFieldId(field, form)] = key;
      throw new FormRefused({ errors });
    }
    if (result.reason === 'forbidden') throw refuseForbidden();
    if (result.reason === 'not_found') throw notFoundPage();
    throw new FormRefused({ notice: WINDOW_CONFLICT, status: 409 });
  }
  await invalidateLiveData(context, [CACHE_TAGS.campaign(CAMPAIGN_SLUG)]);
  return { location: `${windowsPage(context)}?fatto=${done}&n=${result.told}#w${result.windowId}` };
}

export const windowActions = {
  addWindow: defineFormAction({
    input: z.object({ point: recordId('partners.windows.conflict'), ...times }),
    slot: WINDOWS_FORM,
    messages: 'partners.windows.error.',
    gate: staffOf,
    invalid: 'bad-request',
    handler: async ({ point, ...values }, context) => {
      const { actor } = staffOf(context);
      return finish(context, `p${point}`, await addWindow(await getDb(), actor, point, values), 'added');
    },
  }),

  moveWindow: defineFormAction({
    input: z.object({ window: recordId('partners.windows.conflict'), ...times }),
    slot: WINDOWS_FORM,
    messages: 'partners.windows.error.',
    gate: staffOf,
    invalid: 'bad-request',
    handler: async ({ window, ...values }, context) => {
      const { actor } = staffOf(context);
      return finish(context, `w${window}`, await moveWindow(await getDb(), actor, window, values), 'moved');
    },
  }),

  cancelWindow: defineFormAction({
    input: z.object({ window: recordId('partners.windows.conflict') }),
    slot: WINDOWS_FORM,
    messages: 'partners.windows.error.',
    gate: staffOf,
    invalid: 'bad-request',
    handler: async ({ window }, context) => {
      const { actor } = staffOf(context);
      return finish(context, `w${window}`, await cancelWindow(await getDb(), actor, window), 'cancelled');
    },
  }),

  /** A donor's pledge moved to another window, from its manage link (the token stays in the address). */
  choosePledgeWindow: defineFormAction({
    input: z.object({ window: optionalField(12) }),
    slot: (context) => manageWindowForm(context.url),
    messages: 'partners.windows.error.',
    handler: async ({ window }, context) => {
      const db = await getDb();
      const token = (context.url.searchParams.get('token') ?? '').slice(0, 200);
      const self = pledgeManagePath(context.locals.locale, token);
      const managed = await findPledgeByToken(db, token);
      if (!managed || managed.status !== 'pledged') throw seeOther(self);
      const limit = await guardPublicWrite(db, 'pledge-manage', clientIp(context));
      if (!limit.allowed) throw new FormRefused({ retryAfterSeconds: limit.retryAfterSeconds });
      const id = /^[1-9][0-9]{0,9}$/.test(window) ? Number(window) : 0;
      const result = await changePledgeWindow(db, managed.id, id);
      if (result.ok) {
        await invalidateLiveData(context, [CACHE_TAGS.campaign(CAMPAIGN_SLUG)]);
        return { location: `${self}&esito=giorno` };
      }
      if (result.reason === 'not_open') throw seeOther(self);
      throw new FormRefused({
        errors: {
          window:
            result.reason === 'open_pledge' ? 'partners.windows.error.openPledge' : 'partners.windows.error.windowGone',
        },
      });
    },
  }),
};
