// The staff agenda's forms as Astro Actions, one name each under `agenda` in src/actions/index.ts:
// a desk's agenda (agenda-actions.ts), its settings page (desk-settings-actions.ts) and "Close this
// day" (close-day-actions.ts), and the booking search (search-actions.ts).
import { agendaDayActions } from './agenda-actions.ts';
import { deskSettingsActions } from './desk-settings-actions.ts';
import { closeDayActions } from './close-day-actions.ts';
import { searchActions } from './search-actions.ts';

export const agenda = { ...agendaDayActions, ...deskSettingsActions, ...closeDayActions, ...searchActions };
