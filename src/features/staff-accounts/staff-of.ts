// Who is asking, inside a staff form action (src/server/actions/form-action.ts).
import type { ActionAPIContext } from 'astro:actions';
import { FormAnswered } from '#/server/actions/form-action.ts';
import { requireStaff, type StaffContext } from './guard.ts';

/**
 * The signed-in staff member for a staff action, or the sign-in / second-factor redirect thrown:
 * an action checks who is asking itself, never by URL. Authorization (`can`) follows in the handler.
 */
export function staffOf(context: Pick<ActionAPIContext, 'cookies' | 'url' | 'locals'>): StaffContext {
  const staff = requireStaff({
    cookies: context.cookies,
    url: context.url,
    locals: context.locals,
    redirect: (location: string, status = 302) => new Response(null, { status, headers: { Location: location } }),
  });
  if (staff instanceof Response) throw new FormAnswered(staff);
  return staff;
}
