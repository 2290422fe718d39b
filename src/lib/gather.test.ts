import { describe, expect, it } from 'vitest';
import { gatherInTurn } from './gather.ts';

describe('gatherInTurn', () => {
  it('answers the calls of one turn with one run, each with its own result', async () => {
    const runs: number[][] = [];
    const double = gatherInTurn(async (items: number[]) => (runs.push(items), items.map((n) => n * 2)), 'io');
    const first = await Promise.all([double(1), double(2), double(3)]);
    const later = await double(4);
    expect(first).toEqual([2, 4, 6]);
    expect(later).toBe(8);
    expect(runs).toEqual([[1, 2, 3], [4]]);
  });

  it("'microtasks' closes a group once the promise jobs running now have run, before I/O callbacks", async () => {
    const runs: string[][] = [];
    const run = gatherInTurn(async (items: string[]) => (runs.push(items), items), 'microtasks');
    const io = new Promise<void>((resolve) => setImmediate(resolve));
    // Calls made from continuations of one burst: the second after two promise jobs.
    const calls = [
      run('a'),
      Promise.resolve()
        .then(() => Promise.resolve())
        .then(() => run('b')),
    ];
    await io;
    expect(runs).toEqual([['a', 'b']]);
    expect(await Promise.all(calls)).toEqual(['a', 'b']);
  });

  it('fails every call of a group whose run failed, and the next group runs afresh', async () => {
    let fail = true;
    const run = gatherInTurn(async (items: string[]) => {
      if (fail) throw new Error('database away');
      return items;
    }, 'microtasks');
    const group = await Promise.allSettled([run('a'), run('b')]);
    expect(group.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fail = false;
    expect(await run('c')).toBe('c');
  });
});
