// Staff area over plain HTTP, as a browser without JavaScript uses it: a server with the demo
// accounts, form posts with a cookie, and signing in. Shared by the staff HTTP tests.
import { request as httpRequest } from 'node:http';
import { expect } from 'vitest';
import type { Kysely } from 'kysely';
import { startServer, type RunningServer } from './server.ts';
import { createTestDatabase, testDatabaseUrl, type TestDatabase } from './db.ts';
import { createDemoAccounts, type DemoAccount } from '#/features/staff-accounts/demo.ts';
import type { Database } from '#/server/db/database.ts';

let currentServer: RunningServer | undefined;
/** The server the helpers below talk to unless told otherwise. */
export function useServer(server: RunningServer): void {
  currentServer = server;
}
function current(): RunningServer {
  if (!currentServer) throw new Error('call useServer(server) first');
  return currentServer;
}

export type Role = DemoAccount['role'];

export interface StaffServer {
  server: RunningServer;
  accounts: Record<Role, DemoAccount>;
  /** The server's database, on PostgreSQL only. */
  db?: Kysely<Database>;
  stop(): Promise<void>;
}

export async function startStaffServer(env: Record<string, string> = {}): Promise<StaffServer> {
  if (testDatabaseUrl) {
    const t: TestDatabase = await createTestDatabase();
    const server = await startServer({ NODE_ENV: 'development', ...env, ...t.env });
    const list = await createDemoAccounts(t.db);
    return {
      server,
      db: t.db,
      accounts: Object.fromEntries(list.map((a) => [a.role, a])) as Record<Role, DemoAccount>,
      stop: async () => void (await server.stop(), await t.close()),
    };
  }
  const server = await startServer({ NODE_ENV: 'development', ...env });
  const list = [...server.output().matchAll(/\[demo\] (\w+) \| (\S+) \| (\S+) \| (.+)/g)].map((m) => ({
    role: m[1] as Role,
    email: m[2]!,
    password: m[3]!,
    displayName: '',
    scope: m[4]!.trim(),
  }));
  expect(list.map((a) => a.role)).toEqual(['admin', 'coordinator', 'desk_operator', 'partner_editor']);
  return {
    server,
    accounts: Object.fromEntries(list.map((a) => [a.role, a])) as Record<Role, DemoAccount>,
    stop: async () => void (await server.stop()),
  };
}

export interface Page {
  status: number;
  html: string;
  headers: Headers;
}
export const decode = (v: string) =>
  v
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

export async function request(
  path: string,
  init: RequestInit & { cookie?: string; from?: string } = {},
  srv = current(),
): Promise<Page> {
  const { cookie, from, ...rest } = init;
  const headers = new Headers(rest.headers);
  if (cookie) headers.set('Cookie', cookie);
  if (from)
    return requestFrom(from, srv.origin + path, {
      method: rest.method ?? 'GET',
      headers,
      body: typeof rest.body === 'string' ? rest.body : undefined,
    });
  const res = await fetch(srv.origin + path, { redirect: 'manual', ...rest, headers });
  return { status: res.status, html: decode(await res.text()), headers: res.headers };
}

/** A request from another loopback address (127.0.0.x stands for another client): fetch cannot pick its source. */
function requestFrom(
  localAddress: string,
  url: string,
  init: { method: string; headers: Headers; body: string | undefined },
): Promise<Page> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: init.method, localAddress, headers: Object.fromEntries(init.headers) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers))
            for (const v of [value ?? []].flat()) headers.append(name, v);
          resolve({ status: res.statusCode ?? 0, html: decode(Buffer.concat(chunks).toString('utf8')), headers });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}
export const get = (path: string, cookie?: string, srv = current()) => request(path, cookie ? { cookie } : {}, srv);
export function post(
  path: string,
  fields: Record<string, string> | [string, string][],
  options: { cookie?: string; origin?: string; srv?: RunningServer; from?: string } = {},
): Promise<Page> {
  const srv = options.srv ?? current();
  return request(
    path,
    {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: options.origin ?? srv.origin },
      body: new URLSearchParams(fields).toString(),
      ...(options.cookie ? { cookie: options.cookie } : {}),
      ...(options.from ? { from: options.from } : {}),
    },
    srv,
  );
}

/**
 * Posts a form as a browser does, and when the server answers 303 back to the same form (POST →
 * 303 → GET, the answers and errors in the staff draft cookie) follows it with that cookie: the
 * page the person then sees, its status as the POST's would have been (422, 429…). Any other
 * answer (403, a 303 elsewhere on success) is returned as it came.
 */
export async function submit(
  path: string,
  fields: Record<string, string> | [string, string][],
  options: { cookie?: string; srv?: RunningServer } = {},
): Promise<Page> {
  const posted = await post(path, fields, options);
  const to = location(posted);
  if (posted.status !== 303 || !to || new URL(to, 'http://x').pathname !== new URL(path, 'http://x').pathname)
    return posted;
  const draft = posted.headers.getSetCookie().find((c) => c.startsWith('qubi-draft-staff='));
  expect(draft, 'the form kept its answers in the draft cookie').toBeDefined();
  const cookie = [options.cookie, draft!.split(';')[0]].filter(Boolean).join('; ');
  const shown = await get(to, cookie, options.srv);
  return { ...shown, headers: mergedHeaders(posted.headers, shown.headers) };
}

/** The GET's headers, with the POST's Set-Cookie lines first (a test may look for a session cookie). */
function mergedHeaders(posted: Headers, shown: Headers): Headers {
  const headers = new Headers(shown);
  headers.delete('set-cookie');
  for (const line of [...posted.getSetCookie(), ...shown.getSetCookie()]) headers.append('set-cookie', line);
  return headers;
}

/** "name=value" of the session cookie the response sets, and the whole Set-Cookie line. */
export function sessionCookieOf(page: Page): { pair: string; line: string } | undefined {
  const line = page.headers.getSetCookie().find((c) => /^(__Host-)?qubi_session=/.test(c));
  if (!line) return undefined;
  return { pair: line.split(';')[0]!, line };
}

export async function signIn(
  account: DemoAccount,
  options: { next?: string; cookie?: string; locale?: string; srv?: RunningServer } = {},
): Promise<{ page: Page; cookie: string }> {
  const page = await post(
    `/${options.locale ?? 'it'}/staff/accesso`,
    { email: account.email, password: account.password, next: options.next ?? '' },
    options,
  );
  expect(page.status, page.html.slice(0, 300)).toBe(303);
  const cookie = sessionCookieOf(page);
  expect(cookie).toBeDefined();
  return { page, cookie: cookie!.pair };
}

export const location = (page: Page) => page.headers.get('location');
