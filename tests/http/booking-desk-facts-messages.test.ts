// The desk's "Before you come" facts in the messages of a booking (issue #14), over HTTP against
// the built server: a booking held and confirmed with its code produces an email (the file mailer's
// .eml) with the desk's facts in the family's language, and an SMS whose link opens the booking's
// page with the desk's card; a desk whose facts staff confirmed says in the SMS whether the entrance
// is step-free. Links only: the email loads nothing from another origin.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../support/server.ts';
import { findPart, parseMime } from '../support/mime.ts';
import { lastCodeMailId, nextCodeFromMail } from '../support/codes.ts';
import { addDays } from '#/features/booking/slots.ts';
import { romeDateString } from '#/lib/time.ts';
import { getTranslator } from '#/lib/i18n.ts';
import { toGsmText } from '#/server/sms/encoding.ts';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer(
    { MESSAGES_PER_RECIPIENT_PER_DAY: '1000' },
    {
      // Gallaratese's facts as staff would confirm them (the seed's are sample values).
      prepare: async (db) => {
        await db.updateTable('desk').set({ facts_are_sample: false }).where('slug', '=', 'gallaratese').execute();
      },
    },
  );
});
afterAll(async () => {
  await server?.stop();
});

const post = (path: string, body: unknown) =>
  fetch(server.origin + path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });

/** Holds the desk's next free time and confirms it with the code its contact received. */
async function bookAndConfirm(desk: string, contact: { locale: string; phone: string; email?: string }) {
  const from = romeDateString(new Date());
  const res = await fetch(`${server.origin}/api/v1/desks/${desk}/slots?from=${from}&to=${addDays(from, 61)}`);
  const slot = ((await res.json()) as { start: string; remaining: number }[]).find((s) => s.remaining > 0)!;
  const seen = lastCodeMailId(server.output());
  const held = await post('/api/v1/bookings', {
    desk,
    start: slot.start,
    name: 'Amina',
    privacyAccepted: true,
    ...contact,
  });
  expect(held.status).toBe(201);
  const { reference } = (await held.json()) as { reference: string };
  for (let after = seen, tries = 0; ; tries++) {
    const { id, code } = await nextCodeFromMail(server.output, after);
    const confirmed = await post(`/api/v1/bookings/${reference}/confirm`, { code });
    if (confirmed.status === 200 || tries === 3) {
      expect(confirmed.status).toBe(200);
      return reference;
    }
    after = id;
  }
}

/** The text of a message the worker writes (the .eml of an email, the .txt of an SMS), once written. */
async function written(channel: 'mail' | 'sms', kind: string, containing: string): Promise<string> {
  for (let i = 0; i < 200; i++) {
    for (const m of server.output().matchAll(new RegExp(`\\[${channel}\\] ${kind} #\\d+ written to (\\S+)`, 'g'))) {
      const raw = await readFile(m[1]!, 'utf8');
      if (raw.includes(containing)) return raw;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${channel} ${kind} with ${containing} in the log:\n${server.output().slice(-3000)}`);
}

describe('the booking’s messages carry the desk’s facts', () => {
  it('the confirmation email, in Arabic: the facts in the family’s language, right to left, map links only', async () => {
    const t = getTranslator('ar');
    const reference = await bookAndConfirm('villapizzone', {
      locale: 'ar',
      phone: '+393331112233',
      email: 'rania@example.org',
    });
    const mail = parseMime(await written('mail', 'booking_confirmation', 'To: rania@example.org'));
    const text = findPart(mail, 'text/plain')!.body;
    const html = findPart(mail, 'text/html')!.body;
    expect(text).toContain(reference);
    expect(text).toContain(`${t('desks.facts.title')}\n(${t('common.sampleData')})`);
    // Villapizzone: Italian, English and Chinese, a mediator on Fridays, steps at the entrance.
    expect(text).toContain(`${t('desks.facts.languages')}: الإيطالية والإنجليزية والصينية`);
    expect(text).toContain('الجمعة');
    expect(text).toContain(t('desks.facts.stepFree.no'));
    expect(text).toContain('Passante S Villapizzone; tram 12, 14');
    expect(text).toContain(
      `${t('desks.facts.openMap')}\nhttps://www.openstreetmap.org/?mlat=45.5012&mlon=9.1515#map=18/45.5012/9.1515`,
    );
    expect(text).toContain(`${t('desks.facts.openMapApp')}\ngeo:45.5012,9.1515?q=45.5012,9.1515(`);
    expect(html).toContain('<html lang="ar" dir="rtl">');
    expect(html).toContain(`<h2>${t('desks.facts.title')}</h2>`);
    const hrefs = [...html.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);
    expect(hrefs).toContain('https://www.openstreetmap.org/?mlat=45.5012&amp;mlon=9.1515#map=18/45.5012/9.1515');
    for (const href of hrefs)
      expect(href).toMatch(new RegExp(`^(${server.origin}/|https://www\\.openstreetmap\\.org/\\?|geo:|tel:)`));
    expect(html).not.toMatch(/<(img|link|script|iframe)\b|\ssrc=/i);
  });

  it('the SMS’s short link opens the booking’s page with the desk’s card, in the family’s language', async () => {
    const t = getTranslator('ar');
    const reference = await bookAndConfirm('villapizzone', { locale: 'ar', phone: '+393331112244' });
    const sms = await written('sms', 'booking_confirmation', reference);
    const link = /https?:\/\/\S+\/g\/\S+/.exec(sms)?.[0];
    expect(link, sms).toBeTruthy();
    const page = await fetch(link!.replace(/^https?:\/\/[^/]+/, server.origin));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(reference);
    const card = /<section[^>]*aria-labelledby="before-you-come"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
    expect(card).toContain(t('desks.facts.title'));
    expect(card).toContain('href="https://www.openstreetmap.org/?mlat=45.5012&amp;mlon=9.1515');
  });

  it('the SMS says the entrance is step-free when staff confirmed it', async () => {
    const reference = await bookAndConfirm('gallaratese', { locale: 'es', phone: '+393331112255' });
    const sms = await written('sms', 'booking_confirmation', reference);
    expect(sms).toContain(toGsmText(getTranslator('es')('sms.booking.stepFree.yes')));
    expect(sms).toMatch(/^Segments: [12]$/m);
    // The email of the same desk, without the sample label now.
    const other = await bookAndConfirm('gallaratese', {
      locale: 'es',
      phone: '+393331112266',
      email: 'lucia@example.org',
    });
    const mail = parseMime(await written('mail', 'booking_confirmation', 'To: lucia@example.org'));
    const text = findPart(mail, 'text/plain')!.body;
    expect(text).toContain(other);
    expect(text).toContain('Antes de venir');
    expect(text).not.toContain(getTranslator('es')('common.sampleData'));
  });
});
