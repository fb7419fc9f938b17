/** Runs `task` over `items` with at most `concurrency` in flight; reports progress. */
export async function runBulk<T, R>(
  items: readonly T[],
  task: (item: T) => Promise<R>,
  options: { concurrency?: number; onProgress?: (done: number, total: number) => void; signal?: AbortSignal } = {},
): Promise<{ ok: R[]; failed: { item: T; error: unknown }[] }> {
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const ok: R[] = [];
  const failed: { item: T; error: unknown }[] = [];
  let next = 0;
  let done = 0;
  async function worker() {
    while (next < items.length) {
      if (options.signal?.aborted) return;
      const item = items[next++] as T;
      try {
        ok.push(await task(item));
      } catch (error) {
        failed.push({ item, error });
      }
      done += 1;
      options.onProgress?.(done, items.length);
    }
  }
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return { ok, failed };
}
