import { describe, expect, it } from 'vitest';
import { decodeEventCursor, encodeEventCursor } from './event-cursor.ts';

describe('event cursor', () => {
  it('gives back the same place in the list, as URL-safe text', () => {
    const cursor = {
      from: new Date('2026-12-05T10:00:00Z'),
      after: { startsAt: new Date('2026-12-22T13:30:00Z'), id: 42 },
    };
    const text = encodeEventCursor(cursor);
    expect(text).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeEventCursor(text)).toEqual(cursor);
  });

  it('refuses text it did not make', () => {
    for (const text of ['', 'bm90LWEtY3Vyc29y', Buffer.from('1.2.99999999999').toString('base64url'), '%%%'])
      expect(decodeEventCursor(text), text).toBeUndefined();
  });
});
