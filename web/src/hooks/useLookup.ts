import { useCallback, useEffect, useRef, useState } from 'react';

/**
 * Resolves ids to values (e.g. company names for the contacts table) one request per id,
 * cached for the lifetime of the component, so scrolling does not refetch.
 */
export function useLookup<V>(fetchOne: (id: number) => Promise<V>, resetKey: unknown = null) {
  const cache = useRef(new Map<number, V | null>());
  const pending = useRef(new Set<number>());
  const [, setVersion] = useState(0);
  const fetchRef = useRef(fetchOne);
  fetchRef.current = fetchOne;

  useEffect(() => {
    cache.current = new Map();
    pending.current = new Set();
    setVersion((n) => n + 1);
  }, [resetKey]);

  const request = useCallback((ids: Iterable<number>) => {
    for (const id of ids) {
      if (cache.current.has(id) || pending.current.has(id)) continue;
      pending.current.add(id);
      fetchRef
        .current(id)
        .then((v) => cache.current.set(id, v))
        .catch(() => cache.current.set(id, null))
        .finally(() => {
          pending.current.delete(id);
          setVersion((n) => n + 1);
        });
    }
  }, []);

  const get = useCallback((id: number): V | null | undefined => cache.current.get(id), []);
  const put = useCallback((id: number, v: V) => {
    cache.current.set(id, v);
    setVersion((n) => n + 1);
  }, []);
  return { get, request, put };
}
