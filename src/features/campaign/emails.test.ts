import { describe, expect, it } from 'vitest';
import {
  PLEDGE_MESSAGE_KINDS,
  isPledgeMessageKind,
  managePledgeUrl,
  parsePledgePayload,
  pledgeEventUid,
  renderPledgeEmail,
  type PledgeEmailInput,
} from './emails.ts';
import { LOCALES } from '#/lib/locales.ts';
import { romeToInstant } from '#/lib/time.ts';

const hostile = '<img src=x onerror=alert(1)>';

const input = (over: Partial<PledgeEmailInput> = {}): PledgeEmailInput => ({
  kind: 'pledge_confirmation',
  payload: {
    reference: 'ZS-AB12-CD',
    campaignSlug: 'zaino-sospeso',
    windowId: 7,
    pointSlug: 'quarto-oggiaro',
    // 16:00–19:00 in Rome on a winter day (UTC+1)
    start: romeToInstant(2026, 12, 15, 16, 0),
    end: romeToInstant(2026, 12, 15, 19, 0),
    lines: [
      { item: 'zaino', quantity: 2 },
      { item: 'colla', quantity: 5 },
    ],
    manageToken: 'tok_abcdefghijklmnopqrstuvwxyz',
  },
  point: { name: 'Spazio QuBì Quarto Oggiaro', address: 'Via Lopez 3, Milano' },
  itemNames: { zaino: 'Backpack', colla: 'Glue stick' },
  locale: 'en',
  origin: 'https://qubi.example.org',
  firstName: 'Luca',
  stamp: new Date('2026-12-01T09:00:00Z'),
  ...over,
});

describe('pledge emails', () => {
  it('confirms with the items, where and when, a manage link and a calendar file', () => {
    const email = renderPledgeEmail(input());
    expect(email.subject).toBe('Thank you! Your pledge to the suspended backpack is recorded');
    expect(email.text).toContain('Hello Luca,');
    expect(email.text).toContain('- 2 × Backpack');
    expect(email.text).toContain('- 5 × Glue stick');
    expect(email.text).toContain('Spazio QuBì Quarto Oggiaro');
    expect(email.text).toContain('Via Lopez 3, Milano');
    expect(email.text).toContain('15 December 2026');
    expect(email.text).toContain('16:00–19:00');
    expect(email.text).toContain('ZS-AB12-CD');
    expect(email.manageUrl).toBe(
      'https://qubi.example.org/en/zaino-sospeso/gestisci?token=tok_abcdefghijklmnopqrstuvwxyz',
    );
    expect(email.text).toContain(email.manageUrl);
    expect(email.html).toContain(`href="${email.manageUrl}"`);
    expect(email.html).toContain('<li>2 × Backpack</li>');
    expect(email.html).toContain('<html lang="en" dir="ltr">');
    expect(email.ics).toContain('UID:pledge-ZS-AB12-CD@qubi.example.org');
    expect(email.ics).toContain('DTSTART:20261215T150000Z');
    expect(email.ics).toContain('DTEND:20261215T180000Z');
    expect(email.ics).toContain('SUMMARY:Zaino sospeso – Spazio QuBì Quarto Oggiaro');
    expect(email.ics).toContain('STATUS:CONFIRMED');
    expect(email.ics).toContain('SEQUENCE:0');
  });

  it('keeps personal data and the manage token out of every subject and calendar file, in every language', () => {
    for (const locale of LOCALES) {
      for (const kind of PLEDGE_MESSAGE_KINDS) {
        const email = renderPledgeEmail(input({ kind, locale, firstName: 'Luca Secret' }));
        expect(email.subject).not.toContain('Luca');
        expect(email.subject).not.toContain('ZS-AB12-CD');
        expect(email.subject.trim().length).toBeGreaterThan(5);
        expect(email.ics ?? '').not.toContain('Luca');
        expect(email.ics ?? '').not.toContain('tok_');
        expect(email.ics ?? '').not.toContain('Backpack');
        expect(email.text).toContain('ZS-AB12-CD');
      }
    }
  });

  it('reminds without a calendar file, and still carries the manage link', () => {
    const email = renderPledgeEmail(input({ kind: 'pledge_reminder' }));
    expect(email.ics).toBeUndefined();
    expect(email.subject).toContain('tomorrow');
    expect(email.manageUrl).toContain('/en/zaino-sospeso/gestisci?token=');
    expect(email.text).toContain('- 2 × Backpack');
  });

  it('cancels the calendar entry with a higher revision and links to the campaign to pledge again', () => {
    const email = renderPledgeEmail(
      input({ kind: 'pledge_cancelled', sequence: 42, payload: { ...input().payload, manageToken: null } }),
    );
    expect(email.subject).toBe('Your pledge to the suspended backpack is cancelled');
    expect(email.ics).toContain('UID:pledge-ZS-AB12-CD@qubi.example.org');
    expect(email.ics).toContain('STATUS:CANCELLED');
    expect(email.ics).toContain('SEQUENCE:42');
    expect(email.manageUrl).toBeUndefined();
    expect(email.text).not.toContain('gestisci');
    expect(email.text).toContain('https://qubi.example.org/en/zaino-sospeso\n');
  });

  it('writes Arabic right to left with Latin digits, and shows an unknown item by its slug', () => {
    const email = renderPledgeEmail(input({ locale: 'ar', itemNames: { zaino: 'حقيبة مدرسية' } }));
    expect(email.html).toContain('<html lang="ar" dir="rtl">');
    expect(email.html).toContain('16:00–19:00');
    expect(email.text).toContain('2 × حقيبة مدرسية');
    expect(email.text).toContain('5 × colla');
    expect(email.html).toContain('<span dir="ltr">ZS-AB12-CD</span>');
    expect(renderPledgeEmail(input({ locale: 'zh' })).html).toContain('<html lang="zh-Hans" dir="ltr">');
  });

  it('escapes hostile point and item text in the HTML', () => {
    const email = renderPledgeEmail(
      input({
        firstName: hostile,
        point: { name: `Point ${hostile}`, address: '"Via" & <b>' },
        itemNames: { zaino: hostile, colla: 'x' },
      }),
    );
    expect(email.html).not.toContain('<img');
    expect(email.html).not.toContain('<b>');
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(email.html).toContain('&quot;Via&quot; &amp; &lt;b&gt;');
  });

  it('reads stored payloads and refuses malformed ones', () => {
    const stored = JSON.parse(JSON.stringify(input().payload)) as unknown;
    const p = parsePledgePayload(stored);
    expect(p.start.toISOString()).toBe('2026-12-15T15:00:00.000Z');
    expect(p.lines).toEqual([
      { item: 'zaino', quantity: 2 },
      { item: 'colla', quantity: 5 },
    ]);
    expect(parsePledgePayload({ ...(stored as object), manageToken: null }).manageToken).toBeNull();
    expect(() => parsePledgePayload({ reference: 'x' })).toThrow('malformed');
    expect(() => parsePledgePayload({ ...(stored as object), lines: [] })).toThrow('malformed');
    expect(() => parsePledgePayload({ ...(stored as object), lines: [{ item: 'zaino', quantity: 0 }] })).toThrow(
      'malformed',
    );
    expect(managePledgeUrl('https://a.example/', 'es', 'abc')).toBe(
      'https://a.example/es/zaino-sospeso/gestisci?token=abc',
    );
    expect(pledgeEventUid('ZS-1', 'http://localhost:4321')).toBe('pledge-ZS-1@localhost');
    expect(isPledgeMessageKind('pledge_cancelled')).toBe(true);
    expect(isPledgeMessageKind('booking_cancelled')).toBe(false);
  });
});
