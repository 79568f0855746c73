/**
 * Work over a list, a few items at a time. On the first failure no further item starts, and every item already
 * started settles before the failure is reported: nothing is still running when the caller gives up.
 */
export async function mapBounded<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const index = next;
      next += 1;
      try {
        results[index] = await work(items[index] as T);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const lanes = Array.from({ length: Math.min(Math.max(1, concurrency), items.length) }, lane);
  const failure = (await Promise.allSettled(lanes)).find((r) => r.status === 'rejected');
  if (failure) throw failure.reason;
  return results;
}
