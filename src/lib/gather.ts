// Calls made in the same turn of the event loop, answered by one call for them all. The outbox
// worker sends the SMS of a batch side by side; each one's database write (its segments counted,
// its row marked sent) would otherwise be a statement of its own.

/**
 * Returns a function whose calls are gathered until the current turn's I/O callbacks have run
 * (setImmediate), then handed to `run` together; `run` answers one result per item, in order.
 * A failure of `run` fails every call of its group.
 */
export function gatherInTurn<T, R>(run: (items: T[]) => Promise<R[]>): (item: T) => Promise<R> {
  let waiting: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  const flush = () => {
    const group = waiting;
    waiting = [];
    run(group.map((w) => w.item)).then(
      (results) => group.forEach((w, i) => w.resolve(results[i]!)),
      (error: unknown) => group.forEach((w) => w.reject(error)),
    );
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      if (waiting.length === 0) setImmediate(flush);
      waiting.push({ item, resolve, reject });
    });
}
