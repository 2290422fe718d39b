import type { APIRoute } from 'astro';
import { postWaitingListConfirm } from '#/features/waitlist/wait-api.ts';

/** POST /api/v1/events/{slug}/waiting-list/{reference}/confirm with {"code": "123456"}. docs/api.md. */
export const POST: APIRoute = (context) => postWaitingListConfirm(context);
