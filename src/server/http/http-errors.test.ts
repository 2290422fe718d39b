import { describe, expect, it } from 'vitest';
import { endpointMethods, formPostProblem, indexHtmlRedirect } from './http-errors.ts';

describe('indexHtmlRedirect', () => {
  it('sends ".../index.html" to the page, keeping the query', () => {
    expect(indexHtmlRedirect('/it/index.html')).toBe('/it');
    expect(indexHtmlRedirect('/index.html')).toBe('/');
    expect(indexHtmlRedirect('/ar/sportelli/index.html?municipio=8')).toBe('/ar/sportelli?municipio=8');
    expect(indexHtmlRedirect('/it/faq')).toBeUndefined();
    expect(indexHtmlRedirect('/it?next=/index.html')).toBeUndefined();
  });
  it('never points to another site', () => {
    expect(indexHtmlRedirect('//evil.example/index.html')).toBe('/evil.example');
    expect(indexHtmlRedirect('/\\evil.example/index.html')).toBe('/evil.example');
  });
});

describe('formPostProblem', () => {
  const h = (init: Record<string, string>) => new Headers(init);
  it('lets plain forms through, empty ones included', () => {
    expect(
      formPostProblem(h({ 'content-type': 'application/x-www-form-urlencoded', 'content-length': '3' })),
    ).toBeUndefined();
    expect(
      formPostProblem(h({ 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', 'content-length': '0' })),
    ).toBeUndefined();
  });
  it('refuses other bodies with 415 and no body at all with 400', () => {
    for (const type of ['application/json', 'multipart/form-data; boundary=x', 'text/plain', 'application/*'])
      expect(formPostProblem(h({ 'content-type': type }))).toBe(415);
    expect(formPostProblem(h({ 'content-length': '0' }))).toBe(400);
    expect(formPostProblem(h({}))).toBe(400);
    expect(formPostProblem(h({ 'content-length': '5' }))).toBe(415);
  });
});

describe('endpointMethods', () => {
  const handler = () => new Response();
  it('lists the exported handlers, HEAD with GET; nothing for ALL', () => {
    expect(endpointMethods({ GET: handler })).toEqual(['GET', 'HEAD']);
    expect(endpointMethods({ POST: handler, prerender: false })).toEqual(['POST']);
    expect(endpointMethods({ ALL: handler })).toEqual([]);
  });
});
