import type { APIRoute } from 'astro';
import { isDatabaseReachable } from '#/server/db/index.ts';

/** For load balancers: 200 when the database answers, 503 otherwise. Never cached. */
export const GET: APIRoute = async () => {
  const ok = await isDatabaseReachable();
  return new Response(JSON.stringify({ status: ok ? 'ok' : 'database_unreachable' }), {
    status: ok ? 200 : 503,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
  });
};
