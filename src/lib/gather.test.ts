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

  it("'io-one-at-a-time' holds the calls made during a run for one next run, and adds no wait when idle", async () => {
    const runs: number[][] = [];
    let finish: (() => void) | undefined;
    const run = gatherInTurn(async (items: number[]) => {
      runs.push(items);
      // The first run stays under way until the test lets it end.
      if (runs.length === 1) await new Promise<void>((resolve) => (finish = resolve));
      return items;
    }, 'io-one-at-a-time');
    const first = run(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(runs).toEqual([[1]]);
    // Three calls in three later turns, all while the first run is under way.
    const during: Promise<number>[] = [];
    for (const n of [2, 3, 4]) {
      during.push(run(n));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(runs).toEqual([[1]]);
    finish!();
    expect(await first).toBe(1);
    expect(await Promise.all(during)).toEqual([2, 3, 4]);
    expect(runs).toEqual([[1], [2, 3, 4]]);
    // Idle again: a lone call runs in its own turn.
    expect(await run(5)).toBe(5);
    expect(runs).toEqual([[1], [2, 3, 4], [5]]);
  });

  it("'io-one-at-a-time' runs the next group after a failed one", async () => {
    const runs: string[][] = [];
    const run = gatherInTurn(async (items: string[]) => {
      runs.push(items);
      await new Promise((resolve) => setImmediate(resolve));
      if (runs.length === 1) throw new Error('database away');
      return items;
    }, 'io-one-at-a-time');
    const failed = run('a');
    await new Promise((resolve) => setImmediate(resolve));
    const next = run('b');
    await expect(failed).rejects.toThrow('database away');
    expect(await next).toBe('b');
    expect(runs).toEqual([['a'], ['b']]);
  });
});
