import type { APIRoute } from 'astro';
import { postWaitingList } from '#/features/waitlist/wait-api.ts';

/** POST /api/v1/events/{slug}/waiting-list: a party that does not fit waits for seats in turn. docs/api.md. */
export const POST: APIRoute = (context) => postWaitingList(context);
