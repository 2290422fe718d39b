import { describe, expect, it } from 'vitest';
import { conditionalResponse } from './conditional-get.ts';

const get = (headers: Record<string, string> = {}) => new Request('http://qubi.test/api/v1/desks', { headers });
const options = { contentType: 'application/json' };

describe('conditional GET', () => {
  it('answers the reader’s current copy with a bodiless 304, by ETag or by date, whatever its Cache-Control', async () => {
    const first = conditionalResponse(get(), '[1,2]', options);
    expect(first.status).toBe(200);
    expect(await first.text()).toBe('[1,2]');
    const etag = first.headers.get('etag')!;
    const lastModified = first.headers.get('last-modified')!;
    const byTag = conditionalResponse(get({ 'If-None-Match': etag, 'Cache-Control': 'no-cache' }), '[1,2]', options);
    expect(byTag.status).toBe(304);
    expect(await byTag.text()).toBe('');
    expect(byTag.headers.get('etag')).toBe(etag);
    expect(conditionalResponse(get({ 'If-Modified-Since': lastModified }), '[1,2]', options).status).toBe(304);
  });

  it('answers a changed body in full, with a new ETag', () => {
    const old = conditionalResponse(get(), '[1,2]', options).headers.get('etag')!;
    const changed = conditionalResponse(get({ 'If-None-Match': old }), '[1,2,3]', options);
    expect(changed.status).toBe(200);
    expect(changed.headers.get('etag')).not.toBe(old);
  });

  it('keeps Last-Modified while the body stays the same, and uses the data’s own date when given', () => {
    const a = conditionalResponse(get(), '"same"', options).headers.get('last-modified');
    const b = conditionalResponse(get(), '"same"', options).headers.get('last-modified');
    expect(b).toBe(a);
    const dated = conditionalResponse(get(), '"x"', { ...options, lastModified: new Date('2026-12-01T08:00:00.900Z') });
    expect(dated.headers.get('last-modified')).toBe('Tue, 01 Dec 2026 08:00:00 GMT');
  });
});
