// Stored XSS: partners write events full of hostile markup in every field they can write (title,
// summary, Markdown description, venue, address, transit hint, price note, in every language), a
// coordinator publishes them, and Chromium with JavaScript on visits every page that shows them —
// public list, home, event pages, the RSS feed, and the staff list and edit pages. Any dialog fails
// the test (the browser ignores the CSP, so a leaked script would run); so does any element or
// attribute the payloads could have introduced. The
// .ics files are checked as text: a calendar, served as an attachment, never as a page.
import { beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Dialog, Page } from 'playwright-core';
import { startServer } from '../support/server.ts';
import { axeViolations, browserSite } from './support.ts';
import { createUser } from '#/features/staff-accounts/users.ts';
import { createSession, generateSessionToken } from '#/features/staff-accounts/session.ts';
import { loadActor } from '#/features/staff-accounts/actor.ts';
import { checkEventForm, emptyEventForm } from '#/features/events/event-form.ts';
import { cancelEvent, createEvent, publishEvent, submitEvent } from '#/features/events/event-workflow.ts';
import { LOCALES } from '#/lib/locales.ts';
import { romeParts } from '#/lib/time.ts';

const PAYLOADS = [
  '<script>alert("title")</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(2)>",
  '</script><script>alert(3)</script>',
  '</title><script>alert(4)</script>',
  '<iframe src="javascript:alert(5)"></iframe>',
  '<a href="javascript:alert(6)">click</a> [x](javascript:alert(7)) [y](JaVaScRiPt&#58;alert(8))',
  '<details open ontoggle=alert(9)><summary>x</summary></details>',
  '<style>*{display:none}</style><body onload=alert(10)>',
  ']]><script>alert(11)</script><!--',
  '{{constructor.constructor("alert(12)")()}} ${alert(13)}',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(14)>',
];
const DESCRIPTION_EXTRAS = [
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxNSk8L3NjcmlwdD4=)',
  '[z](https://ok.example" onclick="alert(16))',
  '[[n](javascript:alert(17))](https://ok.example)',
  '- <img src=x onerror=alert(18)>\n- **<svg onload=alert(19)>**',
];

let context: BrowserContext;
/** The one tab that goes from page to page (a new tab is a new renderer process). */
let tab: Page;
let staffToken = '';
const eventIds: number[] = [];
const slugs: string[] = [];

const site = browserSite(() =>
  startServer(
    {},
    {
      async prepare(db) {
        const org = (
          await db
            .selectFrom('organisation')
            .select('id')
            .where('name', '=', 'Casa dei Giochi')
            .executeTakeFirstOrThrow()
        ).id;
        const partnerId = await createUser(db, {
          email: 'xss@partner.example',
          displayName: '<b>Partner</b>',
          role: 'partner_editor',
          organisationId: org,
        });
        const coordId = await createUser(db, {
          email: 'coord2@comune.example',
          displayName: 'Coord',
          role: 'coordinator',
          municipi: [2],
        });
        const partner = await loadActor(db, {
          id: partnerId,
          email: '',
          displayName: '',
          role: 'partner_editor',
          organisationId: org,
          totpEnabled: false,
        });
        const coord = await loadActor(db, {
          id: coordId,
          email: '',
          displayName: '',
          role: 'coordinator',
          organisationId: null,
          totpEnabled: false,
        });
        staffToken = generateSessionToken();
        await createSession(db, staffToken, coordId, { twoFactorVerified: true });
        // Soon enough to be on the home page and first in the list.
        const day = romeParts(new Date(Date.now() + 2 * 86400_000));
        const date = `${day.year}-${String(day.month).padStart(2, '0')}-${String(day.day).padStart(2, '0')}`;
        for (const [i, payload] of PAYLOADS.entries()) {
          const v = emptyEventForm();
          for (const field of ['title', 'summary', 'transitHint', 'priceNote'] as const) {
            for (const l of LOCALES) v[field][l] = i % 3 === 2 && l !== 'it' ? '' : `${payload} ${field}-${l}`;
          }
          for (const l of LOCALES)
            v.description[l] =
              i % 3 === 2 && l !== 'it'
                ? ''
                : `${payload}\n\n${DESCRIPTION_EXTRAS.join('\n\n')}\n\n**${payload}** *${payload}*`;
          v.venue = `${payload} venue`;
          v.address = `${payload} address`;
          v.startDate = date;
          v.startTime = `${String(10 + (i % 10)).padStart(2, '0')}:00`;
          v.municipioId = '2';
          const checked = checkEventForm(v, { municipi: [2], organisations: [] });
          if (!checked.ok) throw new Error(`payload ${i}: ${JSON.stringify(checked.errors)}`);
          const made = await createEvent(db, partner, checked.value);
          if (!made.ok) throw new Error('not created');
          await submitEvent(db, partner, made.event.id);
          const published = await publishEvent(db, coord, made.event.id);
          if (!published.ok) throw new Error('not published');
          if (i === PAYLOADS.length - 1) await cancelEvent(db, partner, made.event.id);
          eventIds.push(made.event.id);
          slugs.push(made.event.slug);
        }
        // One hostile draft waiting for review, for the staff pages.
        const v = emptyEventForm();
        v.title.it = PAYLOADS[1]!;
        v.summary.it = PAYLOADS[2]!;
        v.description.it = PAYLOADS[0]!;
        Object.assign(v, {
          venue: PAYLOADS[3],
          address: PAYLOADS[4],
          startDate: date,
          startTime: '09:00',
          municipioId: '2',
        });
        const checked = checkEventForm(v, { municipi: [2], organisations: [] });
        if (!checked.ok) throw new Error(JSON.stringify(checked.errors));
        const draft = await createEvent(db, partner, checked.value);
        if (!draft.ok) throw new Error('not created');
        await submitEvent(db, partner, draft.event.id);
        eventIds.push(draft.event.id);
      },
    },
  ),
);
beforeAll(async () => {
  // The CSP (no inline script) would stop most injected scripts by itself: it is bypassed here, so
  // what is tested is the escaping, and any leaked handler would really run and open its dialog.
  context = await site.browser.newContext({ javaScriptEnabled: true, bypassCSP: true });
  tab = await context.newPage();
});

/** Elements, attributes and scripts that partner text could only have brought in by escaping. */
function inspect(page: Page) {
  return page.evaluate(() => {
    const all = [...document.querySelectorAll('*')];
    return {
      scripts: [...document.querySelectorAll('script')]
        .filter((s) => s.type !== 'application/ld+json')
        .map((s) => s.outerHTML),
      handlers: all.flatMap((el) =>
        [...el.attributes].filter((a) => /^on/i.test(a.name)).map((a) => `${el.tagName} ${a.name}`),
      ),
      badUrls: all.flatMap((el) =>
        [...el.attributes]
          .filter(
            (a) =>
              ['href', 'src', 'action', 'formaction', 'data', 'srcdoc'].includes(a.name) &&
              /^\s*(javascript|data|vbscript):/i.test(a.value),
          )
          .map((a) => `${el.tagName} ${a.name}=${a.value}`),
      ),
      // Partner texts are shown in <main> (and as text in the head): the site's own footer flag is an <svg>,
      // and so are the stars of its own rating form (data-element="feedback", the last thing in <main>).
      injected: [
        ...document.querySelectorAll(
          'main :is(iframe, img, svg, math, object, embed, details, style):not([data-element="feedback"] *), base, meta[http-equiv], body style',
        ),
      ].map((el) => el.outerHTML.slice(0, 200)),
      ldJson: [...document.querySelectorAll('script[type="application/ld+json"]')].map((s) => s.textContent ?? ''),
      title: document.title,
      text: document.body.innerText,
    };
  });
}

/** Every dialog the page opens from now until `stop`, dismissed. */
function watchDialogs(page: Page): { dialogs: string[]; stop: () => void } {
  const dialogs: string[] = [];
  // One watcher at a time on the shared tab (a visit that failed did not stop its own).
  page.removeAllListeners('dialog');
  const listener = (d: Dialog) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  };
  page.on('dialog', listener);
  return { dialogs, stop: () => void page.off('dialog', listener) };
}

/**
 * The inline scripts and style of the site's own island loader (Astro's runtime), as the desks list
 * carries them: a page that shows no partner text. The home page has the same runtime beside the events.
 */
async function ownIslandRuntime(locale: string): Promise<string[]> {
  await tab.goto(`${site.origin}/${locale}/sportelli`, { waitUntil: 'load' });
  const { scripts, injected } = await inspect(tab);
  expect(scripts.length, 'the desks list runs its island').toBeGreaterThan(0);
  return [...scripts, ...injected];
}

/** Opens a page with JavaScript on and fails on any dialog or any element the payloads could inject. */
async function visit(path: string, options: { html?: boolean; ownRuntime?: string[] } = {}): Promise<{ text: string }> {
  const page = tab;
  const { dialogs, stop } = watchDialogs(page);
  const response = await page.goto(site.origin + path, { waitUntil: 'load' });
  expect(response?.status(), path).toBe(200);
  // Give any injected handler (onload, ontoggle, autofocus…) its chance to run.
  await page.waitForTimeout(300);
  let text = '';
  if (options.html !== false) {
    const found = await inspect(page);
    // Only the site's own island runtime, byte for byte; anything else came in with partner text.
    const own = new Set(options.ownRuntime ?? []);
    expect(
      found.scripts.filter((script) => !own.has(script)).map((script) => script.slice(0, 200)),
      path,
    ).toEqual([]);
    expect(found.handlers, path).toEqual([]);
    expect(found.badUrls, path).toEqual([]);
    expect(
      found.injected.filter((element) => !own.has(element)),
      path,
    ).toEqual([]);
    // The JSON-LD stays one valid JSON document (no payload closed the script element).
    for (const json of found.ldJson) expect(() => JSON.parse(json), path).not.toThrow();
    text = `${found.title}\n${found.text}`;
  }
  stop();
  expect(dialogs, path).toEqual([]);
  return { text };
}

describe('the detectors', () => {
  it('notice a leaked payload (so a pass means something)', async () => {
    const page = tab;
    const { dialogs, stop } = watchDialogs(page);
    await page.setContent(
      '<main><img src=x onerror="alert(1)"><a href="javascript:alert(2)">x</a><svg></svg></main><script>alert(3)</script>',
    );
    await page.waitForTimeout(300);
    const found = await inspect(page);
    stop();
    expect(dialogs.length).toBeGreaterThan(0);
    expect(found.handlers).toEqual(['IMG onerror']);
    expect(found.badUrls).toEqual(['A href=javascript:alert(2)']);
    expect(found.scripts).toHaveLength(1);
    expect(found.injected).toHaveLength(2);
  });
});

describe.each(['it', 'ar'])('public pages in %s', (locale) => {
  it('the event list and the home page show the payloads as text', async () => {
    const list = await visit(`/${locale}/eventi`);
    expect(list.text).toContain('<script>alert("title")</script>');
    expect(list.text).toContain('"><img src=x onerror=alert(1)>');
    await visit(`/${locale}`, { ownRuntime: await ownIslandRuntime(locale) });
  });

  it('every event page shows its payloads as text', async () => {
    for (const [i, slug] of slugs.entries()) {
      const { text } = await visit(`/${locale}/eventi/${slug}`);
      const payload = PAYLOADS[i]!;
      // Every third event is written in Italian only: the Arabic page falls back to it.
      const shown = i % 3 === 2 ? 'it' : locale;
      expect(text, slug).toContain(`${payload} venue`);
      expect(text, slug).toContain(`${payload} address`);
      expect(text, slug).toContain(`${payload} title-${shown}`);
      expect(text, slug).toContain(`${payload} summary-${shown}`);
      expect(text, slug).toContain(`${payload} transitHint-${shown}`);
      expect(text, slug).toContain(`${payload} priceNote-${shown}`);
    }
  });

  it('the RSS feed escapes every payload and stays well-formed XML', async () => {
    const res = await fetch(`${site.origin}/${locale}/eventi/feed.xml`);
    expect(res.status).toBe(200);
    const xml = await res.text();
    expect(xml).not.toMatch(/<(script|img|svg|iframe|details|style|body|math|a)\b/i);
    expect(xml).toContain('&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt;');
    // Chromium parses it as XML: a payload that broke out (e.g. "]]>") would make it invalid.
    await visit(`/${locale}/eventi/feed.xml`, { html: false });
    await tab.goto(`${site.origin}/${locale}/eventi/feed.xml`);
    const parseError = await tab.evaluate(() => document.getElementsByTagName('parsererror').length);
    expect(parseError).toBe(0);
  });

  it('the .ics files are calendars, downloaded, never rendered as pages', async () => {
    for (const path of [`/${locale}/eventi/calendario.ics`, `/${locale}/eventi/${slugs[0]}.ics`]) {
      const res = await fetch(site.origin + path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^text\/calendar/);
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      const ics = await res.text();
      expect(ics).toMatch(/^BEGIN:VCALENDAR/);
      // No HTML alternative description a mail client could render.
      expect(ics).not.toMatch(/X-ALT-DESC/i);
    }
  });
});

describe('staff pages (a coordinator reviews hostile events)', () => {
  it('the list and the edit pages show the payloads as text, also in form fields', async () => {
    await context.addCookies([{ name: 'qubi_session', value: staffToken, url: site.origin }]);
    const list = await visit('/it/staff/eventi');
    expect(list.text).toContain('"><img src=x onerror=alert(1)>');
    for (const id of [eventIds[0]!, eventIds[1]!, eventIds[eventIds.length - 1]!]) {
      await visit(`/it/staff/eventi/${id}`);
      await visit(`/en/staff/eventi/${id}`);
    }
    const page = tab;
    await page.goto(`${site.origin}/it/staff/eventi/${eventIds[eventIds.length - 1]}`);
    expect(await page.inputValue('#title-it')).toBe(PAYLOADS[1]);
    expect(await page.inputValue('#venue')).toBe(PAYLOADS[3]);
    expect(await page.inputValue('#description-it')).toBe(PAYLOADS[0]);
  });

  it('the staff event pages pass axe (WCAG 2.1 AA), also with errors shown', async () => {
    const page = tab;
    for (const path of [
      '/it/staff/eventi',
      '/it/staff/eventi/nuovo',
      `/en/staff/eventi/${eventIds[eventIds.length - 1]}`,
    ]) {
      await page.goto(site.origin + path);
      expect(await axeViolations(page), path).toEqual([]);
    }
    await page.goto(`${site.origin}/it/staff/eventi/nuovo`);
    await page.click('#save');
    await page.waitForSelector('.error-summary');
    expect(await axeViolations(page), 'nuovo with errors').toEqual([]);
  });
});
