// The booking search (/{locale}/staff/cerca) as an Astro Action. The form posts, so what was typed
// (a name, a phone number) never lands in an address, a browser history or an access log; the
// page renders the results for this POST only (`shown`, no-store) and runs the search itself with
// the signed-in person's scope (booking-search.ts). Text too short or too long, or a phone number
// that is not one, goes back to the form with its message (kept in the staff draft for one GET).
import { staffOf } from '#/features/staff-accounts/staff-of.ts';
import { z } from 'astro/zod';
import { FormRefused, defineFormAction, refuseForbidden } from '#/server/actions/form-action.ts';
import { optionalField } from '#/lib/validation.ts';
import { searchKind } from './booking-search.ts';
import { getDb } from '#/server/db/index.ts';
import { mayUseSearch, searchForm } from './search-view.ts';

export const searchActions = {
  search: defineFormAction({
    input: z.object({ q: optionalField(200) }),
    slot: searchForm,
    messages: 'staffDay.search.error.',
    fields: ['q'],
    gate: staffOf,
    handler: async ({ q }, context) => {
      const staff = staffOf(context);
      if (!(await mayUseSearch(await getDb(), staff.actor))) throw refuseForbidden();
      if (!searchKind(q)) throw new FormRefused({ errors: { q: 'staffDay.search.error.qInvalid' } });
      return { shown: { q } };
    },
  }),
};
