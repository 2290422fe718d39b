// The signed form timestamp is spent by the first contact that sends it: a page fetched once cannot
// be posted again and again under other names (the volunteer form, on the built server).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { messages } from '#/lib/i18n.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer({ FORM_MIN_FILL_SECONDS: '0' });
});
afterAll(async () => {
  await server?.stop();
});

const decode = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
const stampOf = (html: string) => decode(/name="formStartedAt" value="([^"]*)"/.exec(html)?.[1] ?? '');
/** Where the page's form posts (its Astro Action's address), read from the page as a browser does. */
const actionOf = (html: string) => decode(/<form\b[^>]*method="post"[^>]*action="([^"]*)"/.exec(html)?.[1] ?? '');
let formAction = '';

function signUp(stamp: string, email: string) {
  const body = new URLSearchParams([
    ['formStartedAt', stamp],
    ['website', ''],
    ['name', 'Chiara'],
    ['email', email],
    ['municipi', '8'],
    ['skills', 'homework'],
    ['languages', 'ar'],
    ['consent', 'yes'],
  ]);
  return fetch(`${server.origin}${formAction}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: server.origin },
    body,
  });
}

describe('form timestamps', () => {
  it('are accepted once per contact: the same page posted under another name is sent back on a new clock', async () => {
    const page = await (await fetch(`${server.origin}/en/volontari`)).text();
    formAction = actionOf(page);
    const stamp = stampOf(page);
    expect(stamp).toMatch(/^\d+\./);
    const first = await signUp(stamp, 'first.volunteer@example.org');
    expect(first.status).toBe(303);
    const thanks = first.headers.get('location');
    expect(thanks).not.toBe('/en/volontari');
    // The same person sending again (a double click) is not refused.
    const again = await signUp(stamp, 'first.volunteer@example.org');
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(thanks);
    // Another name on the same stamp goes back to the form (POST → 303 → GET, the refusal in the draft cookie).
    const replayPost = await signUp(stamp, 'someone.else@example.org');
    expect(replayPost.status).toBe(303);
    expect(replayPost.headers.get('location')).toBe('/en/volontari');
    const cookie = replayPost.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ');
    const replay = await fetch(`${server.origin}/en/volontari`, { headers: { Cookie: cookie } });
    expect(replay.status).toBe(400);
    const html = decode(await replay.text());
    expect(html).toContain(messages.en['volunteer.error.formExpired']);
    const fresh = stampOf(html);
    expect(fresh).not.toBe(stamp);
    // With the form shown again, the other person signs up.
    expect((await signUp(fresh, 'someone.else@example.org')).status).toBe(303);
  });
});
