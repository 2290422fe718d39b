// The sealed draft cookie: what it hides, what it refuses, when it expires, how big it gets.
import { describe, expect, it } from 'vitest';
import { DRAFT_MAX_AGE_SECONDS, MAX_SEALED_LENGTH, openDraft, sealDraft } from './form-draft.ts';

const secret = 'test-secret-0123456789abcdef';
const answers = { firstName: 'Amina', phone: '351 681 8198', note: 'Vorrei sapere del nido.' };
const now = new Date('2026-03-01T10:00:00Z');

describe('form drafts', () => {
  it('opens what it sealed, and shows nothing of it in the cookie value', () => {
    const sealed = sealDraft(secret, 'booking', answers, now)!;
    expect(sealed).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(sealed).not.toMatch(/Amina|351|nido/);
    expect(openDraft(secret, 'booking', sealed, now)).toEqual(answers);
    // A fresh IV each time: two seals of the same answers differ.
    expect(sealDraft(secret, 'booking', answers, now)).not.toBe(sealed);
  });

  it('refuses a value altered, sealed with another secret or for another flow', () => {
    const sealed = sealDraft(secret, 'booking', answers, now)!;
    const flipped = sealed.slice(0, 30) + (sealed[30] === 'A' ? 'B' : 'A') + sealed.slice(31);
    expect(openDraft(secret, 'booking', flipped, now)).toBeUndefined();
    expect(openDraft('another-secret-0123456789', 'booking', sealed, now)).toBeUndefined();
    expect(openDraft(secret, 'pledge', sealed, now)).toBeUndefined();
    expect(openDraft(secret, 'booking', 'garbage', now)).toBeUndefined();
    expect(openDraft(secret, 'booking', '', now)).toBeUndefined();
  });

  it('expires after an hour, whatever the browser keeps', () => {
    const sealed = sealDraft(secret, 'booking', answers, now)!;
    const almost = new Date(now.getTime() + DRAFT_MAX_AGE_SECONDS * 1000 - 1000);
    const after = new Date(now.getTime() + DRAFT_MAX_AGE_SECONDS * 1000 + 1);
    expect(openDraft(secret, 'booking', sealed, almost)).toEqual(answers);
    expect(openDraft(secret, 'booking', sealed, after)).toBeUndefined();
  });

  it('fits the longest answers a form keeps in one cookie, and declines what would not', () => {
    const longest = {
      firstName: '名'.repeat(160),
      email: 'a'.repeat(320),
      phone: '٣'.repeat(40),
      note: '字'.repeat(400),
      topic: 'orientation',
      slot: '2026-12-02T13:00:00.000Z',
    };
    expect(sealDraft(secret, 'booking', longest, now)!.length).toBeLessThanOrEqual(MAX_SEALED_LENGTH);
    const random = Array.from({ length: 3000 }, (_, i) => String.fromCodePoint(0x4e00 + ((i * 7919) % 20000))).join('');
    expect(sealDraft(secret, 'booking', { note: random }, now)).toBeUndefined();
  });
});
