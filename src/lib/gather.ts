// Calls made together, answered by one call for them all. The outbox worker sends the SMS of a
// batch side by side; each one's database statement (its booking read, its segments counted, its row
// marked sent) would otherwise be a statement of its own.

/**
 * When a group closes. 'microtasks': once the promise jobs running now have run (process.nextTick
 * queued from them runs after they drain), before any new I/O callback: the calls of one burst of
 * continuations, with no wait behind requests that arrive meanwhile (the steps before an SMS goes
 * out). 'io': once this turn's I/O callbacks have run too (setImmediate), so completions of several
 * sends gather (the step after an SMS went out, which nobody waits for). 'io-one-at-a-time': as 'io',
 * but while a group's run is under way the calls wait for it and go as the next group: alone, a
 * call waits no longer than with 'io'; under a stream of calls (an SMS centre's receipts, the sends
 * of a batch 1/SMS_TPS apart) each statement carries all that came during the one before.
 */
export type GatherUntil = 'microtasks' | 'io' | 'io-one-at-a-time';

/**
 * Returns a function whose calls are gathered until `until`, then handed to `run` together; `run`
 * answers one result per item, in order. A failure of `run` fails every call of its group.
 */
export function gatherInTurn<T, R>(run: (items: T[]) => Promise<R[]>, until: GatherUntil): (item: T) => Promise<R> {
  let waiting: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  let running = false;
  const oneAtATime = until === 'io-one-at-a-time';
  const flush = () => {
    // One at a time: the running group's end sends what came meanwhile.
    if ((oneAtATime && running) || waiting.length === 0) return;
    const group = waiting;
    waiting = [];
    running = true;
    run(group.map((w) => w.item))
      .then(
        (results) => group.forEach((w, i) => w.resolve(results[i]!)),
        (error: unknown) => group.forEach((w) => w.reject(error)),
      )
      .finally(() => {
        running = false;
        if (oneAtATime && waiting.length > 0) setImmediate(flush);
      });
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      if (waiting.length === 0) {
        if (until === 'microtasks') process.nextTick(flush);
        else setImmediate(flush);
      }
      waiting.push({ item, resolve, reject });
    });
}
