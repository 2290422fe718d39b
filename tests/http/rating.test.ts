// "Valuta questo servizio" over HTTP, as a browser without JavaScript posts it: the stars on a
// page, the follow-up question of the score's side, the comment, the thanks; and the refusals
// (a score outside 1–5, a comment too long) in the reader's words, nothing stored. What is stored
// is read where staff read it: the ratings page of the staff area.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStaffServer, signIn, request, useServer, type StaffServer } from '../support/staff-http.ts';
import { Jar } from '../support/cookie-jar.ts';
import { decodeEntities, fillForm, parseForm, type Fields } from '../support/html-form.ts';

let staff: StaffServer;
let origin: string;
beforeAll(async () => {
  staff = await startStaffServer();
  useServer(staff.server);
  origin = staff.server.origin;
});
afterAll(async () => {
  await staff?.stop();
});

interface Answer {
  status: number;
  location: string | null;
  html: string;
}
async function get(path: string, jar = new Jar()): Promise<Answer> {
  const res = await fetch(origin + path, { redirect: 'manual', headers: { Cookie: jar.header() } });
  jar.store(res.headers);
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}
async function post(action: string, fields: Fields, jar: Jar): Promise<Answer> {
  const res = await fetch(new URL(decodeEntities(action), origin), {
    method: 'POST',
    redirect: 'manual',
    headers: { Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded', Cookie: jar.header() },
    body: new URLSearchParams(fields),
  });
  jar.store(res.headers);
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}
/** The rating's form of a page: the last form posting to rating.rate (it sits under the content). */
function ratingForm(html: string, path: string) {
  const forms = [...html.matchAll(/<form\b[^>]*>/g)];
  const index = forms.findLastIndex((f) => f[0].includes('_action=rating.rate'));
  return parseForm(html, path, index);
}
async function staffRatings(): Promise<string> {
  const { cookie } = await signIn(staff.accounts.coordinator);
  return (await request('/it/staff/valutazioni', { cookie })).html;
}

describe('the rating component without JavaScript', () => {
  it('takes stars, the follow-up answer and a comment, step by step, and staff see them', async () => {
    const jar = new Jar();
    const faq = await get('/it/faq', jar);
    expect(faq.html).toContain('data-element="feedback"');
    expect(faq.html).toContain('Quanto sono chiare le informazioni su questa pagina?');
    for (const n of [1, 2, 3, 4, 5]) expect(faq.html).toContain(`data-element="feedback-rate-${n}"`);
    const stars = ratingForm(faq.html, '/it/faq');
    const afterStars = await post(stars.action, fillForm(stars, { score: '2' }), jar);
    expect(afterStars.status).toBe(303);

    const question = await get(afterStars.location!, jar);
    expect(question.status).toBe(200);
    expect(question.html).toContain('data-element="feedback-rating-negative"');
    expect(question.html).toContain('Dove hai incontrato le maggiori difficoltà?');
    expect(question.html).not.toContain('data-element="feedback-rating-positive"');
    const answer = ratingForm(question.html, afterStars.location!);
    expect(answer.choices.answer).toEqual(['unclear', 'incomplete', 'lost', 'problems', 'other']);
    const afterAnswer = await post(answer.action, fillForm(answer, { answer: 'incomplete' }), jar);
    expect(afterAnswer.status).toBe(303);

    const details = await get(afterAnswer.location!, jar);
    expect(details.html).toContain('data-element="feedback-input-text"');
    const comment = ratingForm(details.html, afterAnswer.location!);
    const sent = await post(comment.action, fillForm(comment, { comment: 'Manca l’orario del sabato' }), jar);
    expect(sent.status).toBe(303);
    const thanks = await get(sent.location!, jar);
    expect(thanks.html).toContain('Grazie, il tuo parere ci aiuterà a migliorare il servizio!');

    const seen = await staffRatings();
    expect(seen).toContain('Manca l’orario del sabato');
    expect(seen).toMatch(/<bdi[^>]*>\/faq<\/bdi><\/th><td[^>]*>1<\/td>/);
  });

  it('asks the positive question for 4 or 5 stars, and the service’s question for the end of a booking', async () => {
    const jar = new Jar();
    const page = await get('/en/sportelli', jar);
    const stars = ratingForm(page.html, '/en/sportelli');
    const after = await post(stars.action, fillForm(stars, { score: '5' }), jar);
    const question = await get(after.location!, jar);
    expect(question.html).toContain('data-element="feedback-rating-positive"');
    expect(question.html).toContain('What did you like most?');

    const service = await get(
      '/it/valuta?pagina=%2Fsportelli%2Fgallaratese%2Fprenota%2Fconfermata&flusso=booking&sportello=gallaratese',
    );
    expect(service.status).toBe(200);
    expect(service.html).toContain('Quanto è stato facile usare questo servizio?');
  });

  it('refuses a score outside 1 to 5 and a comment over 200 characters in the reader’s words, storing nothing', async () => {
    const jar = new Jar();
    const page = await get('/es/eventi', jar);
    const stars = ratingForm(page.html, '/es/eventi');
    const bad = await post(stars.action, fillForm(stars, { score: '7' }), jar);
    expect(bad.status).toBe(303);
    const again = await get(bad.location!, jar);
    expect(again.status).toBe(422);
    expect(again.html).toContain('Elige de 1 a 5 estrellas.');

    const good = await post(stars.action, fillForm(stars, { score: '4' }), jar);
    const question = await get(good.location!, jar);
    const answer = ratingForm(question.html, good.location!);
    const toDetails = await post(answer.action, fillForm(answer, { answer: 'clear' }), jar);
    const details = await get(toDetails.location!, jar);
    const form = ratingForm(details.html, toDetails.location!);
    const long = 'x'.repeat(201);
    const tooLong = await post(form.action, fillForm(form, { comment: long }), jar);
    expect(tooLong.status).toBe(303);
    const shown = await get(tooLong.location!, jar);
    expect(shown.status).toBe(422);
    expect(shown.html).toContain('El detalle puede tener como máximo 200 caracteres.');

    const seen = await staffRatings();
    expect(seen).not.toMatch(/<bdi[^>]*>\/eventi<\/bdi>/);
    expect(seen).not.toContain(long);
  });

  it('answers a hand-made state (a page that is not ours) with a plain 400', async () => {
    const res = await post(
      '/it/valuta?pagina=https://example.org&_action=rating.rate',
      [
        ['ratingStep', 'score'],
        ['score', '3'],
      ],
      new Jar(),
    );
    expect(res.status).toBe(400);
  });

  it('counts what one client address sends: past 20 ratings an hour it is asked to wait, nothing more stored', async () => {
    const jar = new Jar();
    const action = '/it/valuta?pagina=%2Fchi-siamo&voto=5&risposta=clear&_action=rating.rate';
    const thanks = '/it/valuta?pagina=%2Fchi-siamo&esito=grazie';
    const outcomes: string[] = [];
    for (let i = 0; i < 22; i++)
      outcomes.push(
        (
          await post(
            action,
            [
              ['ratingStep', 'comment'],
              ['comment', `limite ${i}`],
            ],
            jar,
          )
        ).location!,
      );
    // This address already sent one rating above: 19 more pass, then every one is refused.
    const firstRefused = outcomes.findIndex((to) => to !== thanks);
    expect(firstRefused).toBe(19);
    expect(outcomes.slice(firstRefused).every((to) => to !== thanks)).toBe(true);
    const shown = await get(outcomes[firstRefused]!, jar);
    expect(shown.status).toBe(429);
    const seen = await staffRatings();
    expect(seen).toContain('limite 18');
    expect(seen).not.toContain('limite 19');
  });
});
