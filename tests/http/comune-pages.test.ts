// The Comune's pages over HTTP (issue #14): the privacy notice shows the retention periods and the
// DPO the configuration sets; the accessibility statement links AgID's form with its review date,
// and its feedback form reaches staff with the 30-day reply clock; Contatti and the footer's links.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  startStaffServer,
  signIn,
  post as postAs,
  request,
  useServer,
  type StaffServer,
} from '../support/staff-http.ts';
import { Jar } from '../support/cookie-jar.ts';
import { decodeEntities, fillForm, parseForm } from '../support/html-form.ts';

let staff: StaffServer;
beforeAll(async () => {
  staff = await startStaffServer({
    BOOKING_RETENTION_DAYS: '45',
    PLEDGE_RETENTION_DAYS: '90',
    DPO_EMAIL: 'rpd@example.org',
    ACCESSIBILITY_STATEMENT_URL: 'https://form.agid.gov.it/view/qubi-test',
    ACCESSIBILITY_REVIEWED_ON: '2026-11-30',
  });
  useServer(staff.server);
});
afterAll(async () => {
  await staff?.stop();
});

async function get(path: string, jar = new Jar()) {
  const res = await fetch(staff.server.origin + path, { redirect: 'manual', headers: { Cookie: jar.header() } });
  jar.store(res.headers);
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}
async function post(action: string, fields: [string, string][], jar: Jar) {
  const res = await fetch(new URL(decodeEntities(action), staff.server.origin), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      Origin: staff.server.origin,
      'Content-Type': 'application/x-www-form-urlencoded',
      Cookie: jar.header(),
    },
    body: new URLSearchParams(fields),
  });
  jar.store(res.headers);
  return { status: res.status, location: res.headers.get('location') };
}
const reportForm = (html: string) => {
  const forms = [...html.matchAll(/<form\b[^>]*>/g)];
  return parseForm(
    html,
    '/it/accessibilita',
    forms.findIndex((f) => f[0].includes('comune.report')),
  );
};

describe('privacy notice (GDPR art. 13)', () => {
  it('names the controller, the DPO, the legal basis, the configured retention and the Garante', async () => {
    const { status, html } = await get('/it/privacy');
    expect(status).toBe(200);
    expect(html).toContain('href="mailto:rpd@example.org"');
    expect(html).toContain('art. 6, paragrafo 1, lettera e');
    expect(html).toContain('appuntamenti: 45 giorni dopo la data');
    expect(html).toContain('donazioni: 90 giorni dopo la raccolta');
    expect(html).toContain('href="https://www.garanteprivacy.it/"');
    const en = await get('/en/privacy');
    expect(en.html).toContain('appointments: 45 days after the date');
  });

  it('asks for no box to tick on the booking and pledge forms, but links the notice', async () => {
    const pledge = await get('/it/zaino-sospeso/dona');
    expect(pledge.html).not.toContain('name="privacyAccepted"');
    expect(pledge.html).toMatch(/<p id="privacy-text"[^>]*>[^<]*<a href="\/it\/privacy"/);
  });
});

describe('accessibility statement (AgID model)', () => {
  it('links the statement on form.agid.gov.it with the date of its last review', async () => {
    const { html } = await get('/it/accessibilita');
    expect(html).toContain('href="https://form.agid.gov.it/view/qubi-test"');
    expect(html).toContain('30 novembre 2026');
  });

  it('takes a report staff see with its 30-day clock; a report without text is refused, nothing kept', async () => {
    const jar = new Jar();
    const page = await get('/it/accessibilita', jar);
    const form = reportForm(page.html);
    const empty = await post(form.action, fillForm(form, { message: '  ' }), jar);
    expect(empty.status).toBe(303);
    const shown = await get(empty.location!, jar);
    expect(shown.status).toBe(422);
    expect(shown.html).toContain('Scrivi cosa non riesci a usare.');

    const sent = await post(
      form.action,
      fillForm(form, {
        message: 'Il calendario non si legge con lo zoom al 200%',
        page: '/it/sportelli',
        replyTo: 'lettrice@example.org',
      }),
      jar,
    );
    expect(sent.status).toBe(303);
    expect((await get(sent.location!, jar)).html).toContain('abbiamo ricevuto la segnalazione');

    const { cookie } = await signIn(staff.accounts.coordinator);
    const list = await request('/it/staff/accessibilita', { cookie });
    expect(list.html).toContain('Il calendario non si legge con lo zoom al 200%');
    expect(list.html).toMatch(/Rispondere entro (30|29) giorni/);
    expect(list.html).toContain('lettrice@example.org');
    expect(list.html).not.toContain('Scrivi cosa');

    // Answered: it leaves the list, and with it the reply address.
    const answer = parseForm(
      list.html,
      '/it/staff/accessibilita',
      [...list.html.matchAll(/<form\b[^>]*>/g)].findIndex((f) => f[0].includes('comune.answered')),
    );
    const done = await postAs(decodeEntities(answer.action), answer.fields, { cookie });
    expect(done.status).toBe(303);
    const after = await request('/it/staff/accessibilita', { cookie });
    expect(after.html).not.toContain('Il calendario non si legge');
    expect(after.html).not.toContain('lettrice@example.org');
  });
});

describe('footer and contacts', () => {
  it('links the appointment booking and the contacts from every page', async () => {
    const { html } = await get('/es/eventi');
    expect(html).toMatch(/<a href="\/es\/sportelli" data-element="appointment-booking">/);
    expect(html).toMatch(/<a href="\/es\/contatti" data-element="contacts">/);
    const contacts = await get('/es/contatti');
    expect(contacts.status).toBe(200);
    expect(contacts.html).toContain('rete.municipio1@qubi.example.org');
  });

  it('links the accessibility statement on form.agid.gov.it, and our feedback form beside it', async () => {
    const { html } = await get('/it/contatti');
    const footer = html.slice(html.indexOf('<footer'));
    expect(footer).toMatch(
      /<a href="https:\/\/form\.agid\.gov\.it\/view\/qubi-test" data-element="accessibility-link">\s*Dichiarazione di accessibilità\s*<\/a>/,
    );
    expect(footer).toContain('href="/it/accessibilita#segnalazione"');
  });

  it('has the model’s “Segnala disservizio” link to the section of Contatti that says how to report', async () => {
    const { html } = await get('/it/eventi');
    const link = /<a href="([^"]+)" data-element="report-inefficiency">\s*([^<]*?)\s*<\/a>/.exec(html);
    expect(link?.[1]).toBe('/it/contatti#disservizio');
    expect(link?.[2]).toBe('Segnala disservizio');
    const contacts = await get('/it/contatti');
    expect(contacts.html).toMatch(/<section aria-labelledby="report-title" id="disservizio">/);
    // The section sends to the networks' contacts on the same page and to the accessibility form.
    const section = contacts.html.slice(contacts.html.indexOf('id="disservizio"'));
    expect(section).toContain('href="#reti"');
    expect(contacts.html).toContain('id="reti"');
    expect(section).toContain('href="/it/accessibilita#segnalazione"');
  });
});

describe('legal notes and topics (the model’s licence wording and vocabulary)', () => {
  const marked = (html: string, element: string) =>
    [...html.matchAll(new RegExp(`<(?:h2|p)[^>]*data-element="${element}"[^>]*>([\\s\\S]*?)</(?:h2|p)>`, 'g'))].map(
      (m) => decodeEntities(m[1]!).replace(/\s+/g, ' ').trim(),
    );

  it('states the model’s licence in the section “Licenza dei contenuti”, word for word', async () => {
    const { html } = await get('/it');
    expect(html).toMatch(/<a href="\/it\/note-legali" data-element="legal-notes">/);
    const legal = await get('/it/note-legali');
    expect(legal.status).toBe(200);
    expect(marked(legal.html, 'legal-notes-section')).toEqual(['Licenza dei contenuti']);
    expect(marked(legal.html, 'legal-notes-body').join(' ')).toBe(
      'In applicazione del principio open by default ai sensi dell’articolo 52 del decreto legislativo 7 marzo 2005, n. 82 (CAD) e salvo dove diversamente specificato (compresi i contenuti incorporati di terzi), i dati, i documenti e le informazioni pubblicati sul sito sono rilasciati con licenza CC-BY 4.0. ' +
        'Gli utenti sono quindi liberi di condividere (riprodurre, distribuire, comunicare al pubblico, esporre in pubblico), rappresentare, eseguire e recitare questo materiale con qualsiasi mezzo e formato e modificare (trasformare il materiale e utilizzarlo per opere derivate) per qualsiasi fine, anche commerciale con il solo onere di attribuzione, senza apporre restrizioni aggiuntive.',
    );
  });

  it('lists the topics, terms of the model’s vocabulary, on the page every footer links', async () => {
    const { html } = await get('/it/sportelli');
    expect(html).toMatch(/<a href="\/it\/argomenti" data-element="all-topics">/);
    const topics = await get('/it/argomenti');
    expect(topics.status).toBe(200);
    expect(marked(topics.html, 'topic-element')).toEqual([
      'Assistenza sociale',
      'Integrazione sociale',
      'Istruzione',
      'Tempo libero',
      'Associazioni',
    ]);
    const en = await get('/en/argomenti');
    expect(marked(en.html, 'topic-element')).toContain('Social assistance');
  });
});

describe('service pages (the model’s sections)', () => {
  it('show the sections in the model’s order with their markers, the desks that offer it and GovernmentService JSON-LD', async () => {
    const desks = await get('/it/sportelli');
    expect(desks.html).toMatch(/<a href="\/it\/servizi\/listening" data-element="service-link">/);
    const { status, html } = await get('/it/servizi/listening');
    expect(status).toBe(200);
    expect(html).toContain('data-element="service-title"');
    expect(html).toContain('data-element="service-description"');
    const order = [...html.matchAll(/<section[^>]*data-element="(service-[a-z-]+)"/g)].map((m) => m[1]);
    expect(order).toEqual([
      'service-addressed',
      'service-how-to',
      'service-needed',
      'service-achieved',
      'service-calendar-text',
      'service-booking-access',
      'service-conditions',
      'service-area',
    ]);
    // The page index lists every section, in order, by the model's Italian names.
    const index = /<ul data-element="page-index"[^>]*>([\s\S]*?)<\/ul>/.exec(html)![1]!;
    expect(
      [...index.matchAll(/<li[^>]*>\s*<a href="#([a-zA-Z]+)"[^>]*>([^<]*)<\/a>/g)].map((m) => [m[1], m[2]!.trim()]),
    ).toEqual([
      ['addressed', 'A chi è rivolto'],
      ['howTo', 'Come fare'],
      ['needed', 'Cosa serve'],
      ['achieved', 'Cosa si ottiene'],
      ['calendar', 'Tempi e scadenze'],
      ['access', 'Accedi al servizio'],
      ['conditions', 'Condizioni di servizio'],
      ['contacts', 'Contatti'],
    ]);
    for (const id of ['addressed', 'access', 'contacts']) expect(html).toContain(`<section id="${id}"`);
    expect(html).toMatch(/data-element="service-status"[^>]*>\s*Servizio attivo\s*</);
    expect(html).toMatch(
      /<a href="\/it\/argomenti#socialAssistance" data-element="service-topic"[^>]*>\s*Assistenza sociale\s*<\/a>/,
    );
    expect(html).toMatch(/<a href="\/it\/privacy" data-element="service-file"[^>]*>/);
    // The model's breadcrumb: … › Servizi › the service.
    const crumbs = /data-element="breadcrumb">([\s\S]*?)<\/nav>/.exec(html)![1]!;
    expect([...crumbs.matchAll(/<li>[\s\S]*?>([^<>]+)<\/(?:a|span)>/g)].map((m) => m[1]!.trim())).toEqual([
      'Home',
      'Servizi',
      'Ascolto',
    ]);
    expect(html).toContain('href="/it/sportelli/gallaratese/prenota"');
    // The model's metatag: GovernmentService JSON-LD with one channel at a desk, its address split.
    const jsonLd = JSON.parse(
      /<script type="application\/ld\+json" data-element="metatag">([\s\S]*?)<\/script>/.exec(html)![1]!,
    );
    expect(jsonLd['@type']).toBe('GovernmentService');
    expect(jsonLd.isAccessibleForFree).toBe(true);
    expect(jsonLd.serviceType).toBe(jsonLd.name);
    expect(jsonLd.serviceOperator.name).toBe('Comune di Milano');
    expect(jsonLd.areaServed.name).toBe('Milano');
    expect(jsonLd.audience.audienceType).toBeTruthy();
    expect(jsonLd.availableChannel.serviceUrl).toMatch(/\/it\/servizi\/listening#access$/);
    expect(jsonLd.availableChannel.serviceLocation.name).toBeTruthy();
    expect(jsonLd.availableChannel.serviceLocation.address).toMatchObject({
      streetAddress: expect.stringMatching(/^Via /),
      postalCode: expect.stringMatching(/^\d{5}$/),
      addressLocality: 'Milano',
    });
    expect((await get('/it/servizi/tax-advice')).status).toBe(404);
  });
});
