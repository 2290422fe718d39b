// Issue #15, "Close this day", over HTTP against the built server and without JavaScript, in Arabic
// (right to left): a family whose appointment the desk's closed day cancelled opens the short link
// of their SMS, is told why, and either picks another time at the same desk (POST → 303 → GET) or
// joins the desk's waiting list for a range of days in one step; days refused come back with the
// message in Arabic and the days kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { draftCookie, pageRequests } from '../support/page-requests.ts';
import { fillForm, parseForm } from '../support/html-form.ts';
import { closedDayTokens } from '../support/closed-day.ts';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';

let server: RunningServer;
const tokens: string[] = [];

beforeAll(async () => {
  server = await startServer(
    { RATE_LIMIT_WRITES_PER_IP_PER_HOUR: '10000', RATE_LIMIT_LOOKUPS_PER_IP_PER_HOUR: '10000' },
    {
      async prepare(db) {
        tokens.push(...(await closedDayTokens(db, 2)));
      },
    },
  );
});
afterAll(async () => {
  await server?.stop();
});

const send = pageRequests(() => server);
const draft = draftCookie;
const unescape = (s: string) => s.replace(/&amp;/g, '&');
/** The page's form that posts to this action (the page has others: the rating, the search). */
const formOf = (html: string, pageUrl: string, action: string) => {
  const forms = [...html.matchAll(/<form\b[^>]*>/g)].map((m) => m[0]);
  const index = forms.findIndex((f) => f.includes(`_action=${action}`));
  expect(index, `no form for ${action}`).toBeGreaterThanOrEqual(0);
  return parseForm(html, pageUrl, index);
};

describe("the closed day's link, in Arabic without JavaScript", () => {
  it('opens the booking page from the SMS link: why, and the two choices', async () => {
    expect(tokens).toHaveLength(2);
    const short = await send(`/g/${tokens[0]}`);
    expect(short.status).toBe(303);
    expect(short.headers.get('location')).toBe(`/ar/prenotazione/gestisci?token=${tokens[0]}`);
    const page = await send(short.headers.get('location')!);
    expect(page.status).toBe(200);
    expect(page.html).toContain('<html lang="ar" dir="rtl"');
    expect(page.html).toContain('<h1>المكتب مغلق في يوم موعدك</h1>');
    expect(page.html).toContain('اختر موعدًا آخر');
    expect(page.html).toContain('ضعني في قائمة الانتظار');
    expect(unescape(page.html)).toContain(`?token=${tokens[0]}&azione=sposta`);
  });

  it('picks another time at the same desk: confirmed, and the link cannot take a second place', async () => {
    const base = `/ar/prenotazione/gestisci?token=${tokens[0]}`;
    const week = await send(`${base}&azione=sposta`);
    expect(week.status).toBe(200);
    const form = formOf(week.html, base, 'bookings.move');
    const slot = form.choices.slot?.[0];
    expect(slot).toBeDefined();
    const moved = await send(unescape(form.action), { fields: fillForm(form, { slot: slot! }) });
    expect(moved.status).toBe(303);
    expect(moved.headers.get('location')).toBe(`${base}&esito=spostata`);
    const after = await send(moved.headers.get('location')!);
    expect(after.html).toContain('تم: نُقل موعدك. هذا هو الموعد الجديد.');
    expect(after.html).not.toContain('المكتب مغلق في يوم موعدك');
    // The waiting list is no longer offered by this link.
    const again = await send(`${base}&_action=closeDay.joinList`, {
      fields: [
        ['fromDay', romeDateString(new Date())],
        ['toDay', addDays(romeDateString(new Date()), 7)],
      ],
    });
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(base);
  });

  it('joins the waiting list for some days in one step; wrong days are said in Arabic, the days kept', async () => {
    const base = `/ar/prenotazione/gestisci?token=${tokens[1]}`;
    const page = await send(base);
    const form = formOf(page.html, base, 'closeDay.joinList');
    expect(form.names).toEqual(new Set(['fromDay', 'toDay']));
    const from = addDays(romeDateString(new Date()), 3);
    const refused = await send(unescape(form.action), {
      fields: fillForm(form, { fromDay: from, toDay: addDays(from, -1) }),
    });
    expect(refused.status).toBe(303);
    const back = await send(refused.headers.get('location')!, { cookie: draft(refused.headers) });
    expect(back.status).toBe(422);
    expect(back.html).toContain('href="#toDay"');
    expect(back.html).toContain('اليوم الأخير يأتي بعد اليوم الأول.');
    expect(back.html).toContain(`value="${addDays(from, -1)}"`);
    const joined = await send(unescape(form.action), {
      fields: fillForm(form, { fromDay: from, toDay: addDays(from, 14) }),
    });
    expect(joined.status).toBe(303);
    const status = joined.headers.get('location')!;
    expect(status).toMatch(/^\/ar\/lista-attesa\?token=[A-Za-z0-9_-]{20}$/);
    const list = await send(status);
    expect(list.status).toBe(200);
    expect(list.html).toContain('<html lang="ar" dir="rtl"');
    // Back on the booking's link: the choices are gone, it is a cancelled appointment.
    const after = await send(base);
    expect(after.html).not.toContain('ضعني في قائمة الانتظار');
  });
});
