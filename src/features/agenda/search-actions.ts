// The booking search (/{locale}/staff/cerca) as an Astro Action. What was typed (a name, a phone
// number) is personal data: it never goes in an address (so never in a log or a browser history).
// As the GDPR desk's search, the action answers through the sealed staff draft: POST → 303 → GET,
// the draft holding what was typed and the step reached (`results`), and the page runs the search
// itself with the signed-in person's scope (booking-search.ts). The runner writes that draft for a
// FormRefused only, so a search "answers" through one, with the step and no error. Text too short
// or too long, or a phone number that is not one, comes back with its message instead.
import { staffOf } from '#/features/staff-accounts/staff-of.ts';
import { z } from 'astro/zod';
import { FormRefused, defineFormAction, refuseForbidden } from '#/server/actions/form-action.ts';
import { optionalField } from '#/lib/validation.ts';
import { searchKind } from './booking-search.ts';
import { getDb } from '#/server/db/index.ts';
import { SEARCH_RESULTS, mayUseSearch, searchForm } from './search-view.ts';

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
      throw new FormRefused({ step: SEARCH_RESULTS });
    },
  }),
};
