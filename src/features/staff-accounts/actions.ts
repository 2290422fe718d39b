// The staff accounts forms as Astro Actions, one name each under `staffAccounts` in
// src/actions/index.ts: signing in and out and the emailed links (sign-in-actions.ts), one's own
// account (account-actions.ts), the accounts of others (user-actions.ts).
import { accountActions } from './account-actions.ts';
import { signInActions } from './sign-in-actions.ts';
import { userActions } from './user-actions.ts';

export const staffAccounts = { ...signInActions, ...accountActions, ...userActions };
