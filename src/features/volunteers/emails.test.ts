import { describe, expect, it } from 'vitest';
import {
  confirmVolunteerUrl,
  isVolunteerMessageKind,
  parseVolunteerMessage,
  renderVolunteerEmail,
  withdrawVolunteerUrl,
  type VolunteerEmailInput,
  type VolunteerMessage,
} from './emails.ts';
import { LOCALES } from '#/lib/locales.ts';

const ORIGIN = 'https://qubi.example.org';
const WITHDRAW = '12.abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ';
const confirm: VolunteerMessage = {
  kind: 'volunteer_confirm_address',
  confirmToken: 'conf_abcdefghijklmnopqrstuvwxyz',
  withdrawToken: WITHDRAW,
};
const welcome: VolunteerMessage = { kind: 'volunteer_welcome', withdrawToken: WITHDRAW, updated: false };
const updated: VolunteerMessage = { kind: 'volunteer_welcome', withdrawToken: WITHDRAW, updated: true };
const notice: VolunteerMessage = {
  kind: 'volunteer_coordinator_notice',
  municipio: 8,
  skills: ['homework', 'translation'],
};

const input = (message: VolunteerMessage, over: Partial<VolunteerEmailInput> = {}): VolunteerEmailInput => ({
  message,
  locale: 'en',
  origin: ORIGIN,
  name: 'Giulia',
  ...over,
});

describe('volunteer emails', () => {
  it('asks to confirm the address with a link that expires in 7 days', () => {
    const email = renderVolunteerEmail(input(confirm));
    expect(email.subject).toBe('Confirm your address to volunteer with QuBì');
    expect(email.text).toContain('Hello Giulia,');
    expect(email.manageUrl).toBe(`${ORIGIN}/en/volontari/conferma?token=conf_abcdefghijklmnopqrstuvwxyz`);
    expect(email.text).toContain(email.manageUrl);
    expect(email.text).toContain('expires in 7 days');
    expect(email.html).toContain(`href="${email.manageUrl}"`);
    expect(email.ics).toBeUndefined();
  });

  it('asks a confirmed volunteer to confirm new details, which stay unused until then', () => {
    const parsed = parseVolunteerMessage('volunteer_confirm_address', {
      confirmToken: 'conf_abcdefghijklmnopqrstuvwxyz',
      withdrawToken: WITHDRAW,
      change: true,
    });
    expect(parsed.kind).toBe('volunteer_confirm_change');
    for (const locale of LOCALES) {
      const email = renderVolunteerEmail(input(parsed, { locale }));
      expect(email.manageUrl).toBe(`${ORIGIN}/${locale}/volontari/conferma?token=conf_abcdefghijklmnopqrstuvwxyz`);
      expect(email.text).toContain(email.manageUrl);
      expect(email.subject).not.toBe(renderVolunteerEmail(input(confirm, { locale })).subject);
    }
    const en = renderVolunteerEmail(input(parsed));
    expect(en.subject).toBe('Confirm your new volunteer details');
    expect(en.text).toContain('we keep the details you gave us before');
  });

  it('welcomes the volunteer and says the coordinators will be in touch', () => {
    const email = renderVolunteerEmail(input(welcome));
    expect(email.subject).toBe('Welcome to the QuBì volunteers');
    expect(email.text).toContain('the coordinators of the QuBì network');
    expect(email.text).toContain('will contact you');
    expect(email.manageUrl).toBeUndefined();
    const again = renderVolunteerEmail(input(updated));
    expect(again.subject).toBe('Your volunteer details are updated');
    expect(again.text).toContain('updated your volunteer details');
  });

  it('puts the withdraw link in every email to a volunteer, in every language', () => {
    for (const locale of LOCALES) {
      for (const message of [confirm, welcome, updated]) {
        const email = renderVolunteerEmail(input(message, { locale, name: 'Giulia Secret' }));
        const url = `${ORIGIN}/${locale}/volontari/ritira?token=${WITHDRAW}`;
        expect(email.text).toContain(url);
        expect(email.html).toContain(`href="${url}"`);
        expect(email.subject).not.toContain('Giulia');
        expect(email.subject.trim().length).toBeGreaterThan(5);
      }
    }
  });

  it('tells the coordinators in Italian, with the municipio and skills and nothing that names the person', () => {
    for (const locale of LOCALES) {
      const email = renderVolunteerEmail(input(notice, { locale, name: 'Giulia Secret' }));
      expect(email.subject).toBe('Nuovo volontario per il tuo municipio');
      expect(email.html).toContain('<html lang="it" dir="ltr">');
      expect(email.text).toContain('Municipio 8');
      expect(email.text).toContain('aiuto compiti, traduzione');
      expect(email.text).toContain('area riservata allo staff');
      expect(email.text).not.toContain('Giulia');
      expect(email.text).not.toContain('ritira');
      expect(email.text).not.toContain('token');
      expect(email.html).not.toContain('Giulia');
    }
  });

  it('writes Arabic right to left', () => {
    const email = renderVolunteerEmail(input(welcome, { locale: 'ar' }));
    expect(email.html).toContain('<html lang="ar" dir="rtl">');
    expect(email.html).toContain(`<a href="${ORIGIN}/ar/volontari/ritira?token=${WITHDRAW}" dir="ltr">`);
  });

  it('escapes a hostile name in the HTML', () => {
    const email = renderVolunteerEmail(input(welcome, { name: '<img src=x onerror=alert(1)>' }));
    expect(email.html).not.toContain('<img');
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('reads stored payloads and refuses malformed ones', () => {
    expect(parseVolunteerMessage('volunteer_confirm_address', { confirmToken: 'a', withdrawToken: 'b' })).toEqual({
      kind: 'volunteer_confirm_address',
      confirmToken: 'a',
      withdrawToken: 'b',
    });
    expect(parseVolunteerMessage('volunteer_welcome', JSON.stringify({ withdrawToken: 'b' }))).toEqual({
      kind: 'volunteer_welcome',
      withdrawToken: 'b',
      updated: false,
    });
    expect(parseVolunteerMessage('volunteer_welcome', { withdrawToken: 'b', updated: true })).toMatchObject({
      updated: true,
    });
    expect(parseVolunteerMessage('volunteer_coordinator_notice', { municipio: 2, skills: ['events'] })).toEqual({
      kind: 'volunteer_coordinator_notice',
      municipio: 2,
      skills: ['events'],
    });
    expect(() => parseVolunteerMessage('volunteer_confirm_address', { withdrawToken: 'b' })).toThrow('malformed');
    expect(() => parseVolunteerMessage('volunteer_welcome', {})).toThrow('malformed');
    expect(() => parseVolunteerMessage('volunteer_coordinator_notice', { municipio: 'x', skills: [] })).toThrow(
      'malformed',
    );
    expect(confirmVolunteerUrl('https://a.example/', 'es', 'abc')).toBe(
      'https://a.example/es/volontari/conferma?token=abc',
    );
    expect(withdrawVolunteerUrl('https://a.example', 'zh', '3.x')).toBe(
      'https://a.example/zh/volontari/ritira?token=3.x',
    );
    expect(isVolunteerMessageKind('volunteer_welcome')).toBe(true);
    expect(isVolunteerMessageKind('pledge_confirmation')).toBe(false);
  });
});
