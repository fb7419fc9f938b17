import { useCallback, useEffect, useRef, useState } from 'react';
import type { DependencyList } from 'react';
import type { Page } from '../api/types';

export interface CursorList<T> {
  items: T[];
  /** The first page is loading. */
  loading: boolean;
  /** A further page is loading. */
  loadingMore: boolean;
  error: unknown;
  hasMore: boolean;
  loadMore: () => void;
  reload: () => void;
  /** Replaces rows in place (after an edit) without refetching. */
  update: (fn: (items: T[]) => T[]) => void;
}

/**
 * A cursor-paged collection loaded page by page on demand. Changing `deps` starts over
 * (aborting requests in flight), so a slow answer for an old query never shows up.
 */
export function useCursorList<T>(
  fetchPage: (cursor: string | undefined, signal: AbortSignal) => Promise<Page<T>>,
  deps: DependencyList,
): CursorList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [cursor, setCursor] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const fetchRef = useRef(fetchPage);
  fetchRef.current = fetchPage;
  const ctrlRef = useRef<AbortController | null>(null);
  const busyRef = useRef(false);
  // The deps the current items were loaded for. In the render right after the deps change
  // (before the effect below has cleared the list) the old rows must not be shown or acted on,
  // e.g. looked up in a workspace they do not belong to.
  const loadedFor = useRef<DependencyList | null>(null);
  const allDeps = [...deps, tick];
  const stale = loadedFor.current === null || !sameDeps(loadedFor.current, allDeps);

  useEffect(() => {
    const ctrl = new AbortController();
    ctrlRef.current?.abort();
    ctrlRef.current = ctrl;
    busyRef.current = true;
    setLoading(true);
    setLoadingMore(false);
    setError(undefined);
    setItems([]);
    setCursor(null);
    loadedFor.current = allDeps;
    fetchRef
      .current(undefined, ctrl.signal)
      .then((page) => {
        if (ctrl.signal.aborted) return;
        setItems(page.data);
        setCursor(page.next_cursor);
        setLoading(false);
        busyRef.current = false;
      })
      .catch((e: unknown) => {
        if (ctrl.signal.aborted) return;
        setError(e);
        setLoading(false);
        busyRef.current = false;
      });
    return () => ctrl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);

  const loadMore = useCallback(() => {
    const ctrl = ctrlRef.current;
    if (!ctrl || busyRef.current || !cursor) return;
    busyRef.current = true;
    setLoadingMore(true);
    setError(undefined);
    fetchRef
      .current(cursor, ctrl.signal)
      .then((page) => {
        if (ctrl.signal.aborted) return;
        setItems((old) => old.concat(page.data));
        setCursor(page.next_cursor);
        setLoadingMore(false);
        busyRef.current = false;
      })
      .catch((e: unknown) => {
        if (ctrl.signal.aborted) return;
        setError(e);
        setLoadingMore(false);
        busyRef.current = false;
      });
  }, [cursor]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  const update = useCallback((fn: (items: T[]) => T[]) => setItems(fn), []);

  if (stale) {
    return { items: [], loading: true, loadingMore: false, error: undefined, hasMore: false, loadMore, reload, update };
  }
  return { items, loading, loadingMore, error, hasMore: cursor !== null, loadMore, reload, update };
}

function sameDeps(a: DependencyList, b: DependencyList): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}
