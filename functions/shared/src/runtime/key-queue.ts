/**
 * One pass at a time per object in this process, coalescing what arrives meanwhile. A Knative Service hands a
 * function several requests at once, and a burst of events for one object must not run overlapping passes
 * (each would read, compute and write over the other). While a pass runs, every further request for the same
 * key joins one queued follow-up pass, which starts when the running one ends and answers all of them: a burst
 * of any length costs at most two passes.
 */
interface Slot<T, R> {
  running?: Promise<R>;
  queued?: { input: T; result: Promise<R> };
}

export class KeyQueue<T, R> {
  private readonly slots = new Map<string, Slot<T, R>>();
  private readonly merge: (queued: T, arriving: T) => T;

  /** `merge` folds the input of a request that joins a queued pass into that pass's input. */
  constructor(merge: (queued: T, arriving: T) => T) {
    this.merge = merge;
  }

  run(key: string, input: T, pass: (input: T) => Promise<R>): Promise<R> {
    const slot = this.slots.get(key);
    if (!slot) {
      const fresh: Slot<T, R> = {};
      this.slots.set(key, fresh);
      return this.execute(key, fresh, input, pass);
    }
    if (slot.queued) {
      slot.queued.input = this.merge(slot.queued.input, input);
      return slot.queued.result;
    }
    const settled = Promise.resolve(slot.running).then(
      () => undefined,
      () => undefined,
    );
    const queued: { input: T; result: Promise<R> } = { input, result: Promise.resolve() as Promise<R> };
    queued.result = settled.then(() => {
      slot.queued = undefined;
      return this.execute(key, slot, queued.input, pass);
    });
    slot.queued = queued;
    return queued.result;
  }

  /** Keys with a pass running or queued. */
  get size(): number {
    return this.slots.size;
  }

  private execute(key: string, slot: Slot<T, R>, input: T, pass: (input: T) => Promise<R>): Promise<R> {
    const result = pass(input).finally(() => {
      if (!slot.queued) this.slots.delete(key);
    });
    slot.running = result;
    return result;
  }
}
